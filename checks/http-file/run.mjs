// Sends every request of UserService.http, in order, the way the REST clients of Visual Studio and
// VS Code do (file variables, "# @name" request variables from JSON bodies and headers), and checks
// that each answers the status its "###" title names first (a 2xx where the title names none) and
// that the file covers every operation of the OpenAPI document.
//
//   BASE_URL, METRICS_URL, ADMIN_EMAIL, ADMIN_PASSWORD override @baseUrl, @metricsUrl, @adminEmail, @adminPassword.
import { readFileSync } from 'node:fs';

const baseUrl = process.env.BASE_URL ?? 'http://127.0.0.1:5181';
const text = readFileSync(new URL('../../UserService.http', import.meta.url), 'utf8').replaceAll('\r\n', '\n');

const fileVariables = {};
const requests = [];
for (const [index, chunk] of text.split(/^###/m).entries()) {
  const lines = chunk.split('\n');
  const title = index === 0 ? null : lines.shift().trim();
  let name = null;
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i];
    const variable = line.match(/^@([A-Za-z_][\w]*)\s*=\s*(.*)$/);
    const requestName = line.match(/^(?:#|\/\/)\s*@name\s+(\S+)/);
    if (variable) fileVariables[variable[1]] = variable[2].trim();
    else if (requestName) name = requestName[1];
    else if (/^[A-Z]+ \S+/.test(line)) break;
  }
  if (i >= lines.length) continue;
  const [method, target] = lines[i].split(/\s+/);
  const headers = [];
  for (i++; i < lines.length && lines[i].trim() !== ''; i++) {
    const at = lines[i].indexOf(':');
    headers.push([lines[i].slice(0, at).trim(), lines[i].slice(at + 1).trim()]);
  }
  const body = lines.slice(i + 1).join('\n').trim();
  requests.push({ title, name, method, target, headers, body });
}

Object.assign(fileVariables, { baseUrl }, process.env.METRICS_URL ? { metricsUrl: process.env.METRICS_URL } : {},
  process.env.ADMIN_EMAIL ? { adminEmail: process.env.ADMIN_EMAIL } : {},
  process.env.ADMIN_PASSWORD ? { adminPassword: process.env.ADMIN_PASSWORD } : {});

const named = {};
function resolve(value, depth = 0) {
  if (depth > 10) throw new Error(`variables nest too deep in ${value}`);
  return value.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expression) => {
    if (expression in fileVariables) return resolve(fileVariables[expression], depth + 1);
    const reference = expression.match(/^(\w+)\.response\.(body|headers)\.(.+)$/);
    if (!reference) throw new Error(`unknown variable {{${expression}}}`);
    const [, requestName, part, path] = reference;
    const response = named[requestName];
    if (!response) throw new Error(`{{${expression}}}: request ${requestName} has not run`);
    if (part === 'headers') return response.headers.get(path) ?? '';
    let value = response.json;
    for (const key of path.replace(/^\$\.?/, '').split(/\.|\[(\d+)\]/).filter(Boolean)) value = value?.[key];
    return value == null ? '' : String(value);
  });
}

let failures = 0;
for (const request of requests) {
  const url = resolve(request.target);
  const init = { method: request.method, headers: request.headers.map(([k, v]) => [k, resolve(v)]), redirect: 'manual' };
  if (request.body) init.body = resolve(request.body);
  const response = await fetch(url, init);
  const raw = await response.text();
  let json;
  try { json = JSON.parse(raw); } catch { json = undefined; }
  if (request.name) named[request.name] = { headers: response.headers, json };

  const expected = request.title.match(/\b([1-5]\d\d)\b/)?.[1];
  const ok = expected ? String(response.status) === expected : response.status >= 200 && response.status < 300;
  if (!ok) failures++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${String(response.status).padEnd(4)} ${request.method.padEnd(6)} ${new URL(url).pathname.padEnd(24)} ${request.title}`);
  if (!ok) console.log(`       expected ${expected ?? '2xx'}; body: ${raw.slice(0, 300)}`);
}

// Every operation of the document has at least one request in the file.
const document = await (await fetch(`${baseUrl}/swagger/v1/swagger.json`)).json();
const sent = requests.map((r) => ({ method: r.method.toLowerCase(), path: r.target.replace(/^\{\{baseUrl\}\}/, '').split('?')[0] }));
for (const [route, item] of Object.entries(document.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    const pattern = new RegExp(`^${route.replace(/\{[^}]+\}/g, '(?:\\{\\{[^}]+\\}\\}|[^/]+)')}$`);
    if (!sent.some((s) => s.method === method && pattern.test(s.path))) {
      failures++;
      console.log(`  FAIL UserService.http has no request for ${operation.operationId} (${method.toUpperCase()} ${route})`);
    }
  }
}

console.log(failures === 0 ? `UserService.http OK: ${requests.length} requests, every operation covered` : `UserService.http: ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
