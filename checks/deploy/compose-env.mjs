// compose.yaml and .env.example agree: every variable that compose.yaml interpolates or passes to a
// container is documented in .env.example (as NAME= or a commented "# NAME="), and the service gets
// the settings the contract names. Reads the files only; no Docker engine is needed.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const composeText = readFileSync(new URL('compose.yaml', root), 'utf8');
const compose = parse(composeText);
const example = readFileSync(new URL('.env.example', root), 'utf8');

const documented = new Set([...example.matchAll(/^\s*#?\s*([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]));
const interpolated = new Set([...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
const passed = new Set();
for (const [name, service] of Object.entries(compose.services ?? {})) {
  const environment = service.environment ?? {};
  const keys = Array.isArray(environment) ? environment.map((e) => e.split('=')[0]) : Object.keys(environment);
  // The postgres image's own variables are set from documented ones (POSTGRES_USER, POSTGRES_PASSWORD) or fixed.
  if (name !== 'postgres') keys.forEach((k) => passed.add(k));
  for (const file of [service.env_file ?? []].flat()) throw new Error(`${name}: env_file ${file} passes unlisted variables; list them under environment`);
}

const required = ['ConnectionStrings__Users', 'Database__StartupDeadline', 'ASPNETCORE_ENVIRONMENT', 'OTEL_EXPORTER_OTLP_ENDPOINT',
  'Jwt__SigningKey', 'Admin__Email', 'Admin__Password'];
const problems = [
  ...[...interpolated, ...passed].filter((v) => !documented.has(v)).map((v) => `${v} is used by compose.yaml but not documented in .env.example`),
  ...required.filter((v) => !passed.has(v)).map((v) => `${v} is not passed to the service by compose.yaml`),
];
const unused = [...documented].filter((v) => !interpolated.has(v) && !passed.has(v));
if (unused.length > 0) problems.push(`.env.example documents variables compose.yaml never uses: ${unused.join(', ')}`);

if (problems.length > 0) {
  problems.forEach((p) => console.error(`compose-env: ${p}`));
  process.exit(1);
}
console.log(`compose-env: OK: ${[...new Set([...interpolated, ...passed])].length} variables in compose.yaml, all documented in .env.example`);
