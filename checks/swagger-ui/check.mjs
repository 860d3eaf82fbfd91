// Opens Swagger UI in headless Chromium as a reader would: every operation of the document is
// listed, "Try it out" on POST /api/users answers 201, and, once the service has identity
// (POST /api/auth/token and a bearer scheme), signing in through the Authorize dialog lets the
// admin-only ListUsers answer 200. Saves a screenshot to docs/swagger.png.
//
//   BASE_URL        the running service (checks/run-with-service.sh sets it)
//   ADMIN_EMAIL, ADMIN_PASSWORD   the admin the service was started with
//   SWAGGER_AUTH    auto (default: sign in when the document has POST /api/auth/token), on, off
//   SWAGGER_SCREENSHOT   where to save the screenshot (default: docs/swagger.png)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';

const baseUrl = process.env.BASE_URL ?? 'http://127.0.0.1:5181';
const repoRoot = path.resolve(import.meta.dirname, '../..');
const screenshot = path.resolve(repoRoot, process.env.SWAGGER_SCREENSHOT ?? 'docs/swagger.png');
const tokenPath = '/api/auth/token';
const timeout = 20_000;

const document = await (await fetch(`${baseUrl}/swagger/v1/swagger.json`)).json();
const operations = Object.entries(document.paths).flatMap(([route, item]) =>
  Object.entries(item).map(([method, op]) => ({ route, method, id: op.operationId, tag: op.tags?.[0] ?? 'default', secured: (op.security ?? []).some((r) => Object.keys(r).length > 0) })));
const authMode = process.env.SWAGGER_AUTH ?? 'auto';
const withAuth = authMode === 'on' || (authMode === 'auto' && tokenPath in document.paths);

const profile = await mkdtemp(path.join(tmpdir(), 'swagger-ui-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
  viewport: { width: 1280, height: 900 },
});

function ok(message) {
  console.log(`  ok  ${message}`);
}

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(timeout);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await page.goto(`${baseUrl}/swagger`);
  await page.locator('.swagger-ui .info .title').waitFor();
  ok(`Swagger UI loaded: ${(await page.locator('.swagger-ui .info .title').innerText()).replace(/\s+/g, ' ')}`);

  // Every operation of the document is listed under its tag, with its method, path and operation id.
  await page.locator('.opblock').first().waitFor();
  const shown = await page.locator('.opblock').count();
  if (shown !== operations.length) throw new Error(`Swagger UI lists ${shown} operations, the document has ${operations.length}`);
  for (const op of operations) {
    const block = page.locator(`#operations-${op.tag}-${op.id}`);
    const summary = await block.locator('.opblock-summary').innerText();
    if (!summary.includes(op.method.toUpperCase()) || !summary.includes(op.id)) throw new Error(`${op.id}: summary reads "${summary}"`);
    const route = (await block.locator('.opblock-summary-path').getAttribute('data-path')) ?? '';
    if (route !== op.route) throw new Error(`${op.id}: path ${route}, expected ${op.route}`);
  }
  ok(`all ${operations.length} operations listed: ${operations.map((o) => o.id).join(', ')}`);

  const create = operations.find((o) => o.method === 'post' && o.route === '/api/users');
  const email = `swagger-ui-${randomUUID().slice(0, 8)}@example.com`;
  const created = await tryItOut(page, create, { body: { email, password: `pw-${randomUUID()}`, fullName: 'Swagger UI' } });
  if (created.status !== 201) throw new Error(`Try it out on POST /api/users answered ${created.status}: ${created.body}`);
  ok(`Try it out: POST /api/users -> 201 (${email})`);

  if (withAuth) {
    await signInThroughAuthorizeDialog(page);
    const list = operations.find((o) => o.method === 'get' && o.route === '/api/users');
    const listed = await tryItOut(page, list, { query: { q: email } });
    if (listed.status !== 200 || !listed.body.includes(email)) throw new Error(`ListUsers after sign-in answered ${listed.status}: ${listed.body}`);
    if (!listed.authorization?.startsWith('Bearer ')) throw new Error('ListUsers was sent without the bearer token');
    ok('Try it out as admin: GET /api/users -> 200 with Authorization: Bearer …');
  } else {
    ok(`sign-in skipped (SWAGGER_AUTH=${authMode}; the document has no ${tokenPath})`);
  }

  // The page from the top down to the live answer of the sign-up (its error responses below make it long),
  // with the other operations folded again.
  for (const op of operations.filter((o) => o !== create)) await collapse(page, op);
  const answer = await page.locator(`#operations-${create.tag}-${create.id} .live-responses-table`).boundingBox();
  await page.screenshot({ path: screenshot, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(answer.y + answer.height + 16) } });
  ok(`screenshot saved to ${path.relative(repoRoot, screenshot)}`);

  if (pageErrors.length > 0) throw new Error(`JavaScript errors on the page: ${pageErrors.join('; ')}`);
  console.log('Swagger UI check OK');
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}

/** Expands an operation, fills its parameters and body, executes it, and reads the live response. */
async function tryItOut(page, op, { body, query = {} }) {
  const block = page.locator(`#operations-${op.tag}-${op.id}`);
  if (!(await block.locator('.opblock-body').isVisible())) await block.locator('.opblock-summary-control').click();
  const tryOut = block.locator('button.try-out__btn', { hasText: 'Try it out' });
  if (await tryOut.isVisible()) await tryOut.click();
  for (const [name, value] of Object.entries(query)) {
    await block.locator(`tr[data-param-name="${name}"] input`).fill(String(value));
  }
  if (body !== undefined) await block.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));

  const requestSeen = page.waitForRequest((r) => new URL(r.url()).pathname === op.route && r.method() === op.method.toUpperCase());
  await block.locator('button.execute').click();
  const request = await requestSeen;
  const row = block.locator('.live-responses-table .response').first();
  await row.waitFor();
  const status = Number((await row.locator('.response-col_status').innerText()).trim());
  const text = await row.locator('.response-col_description').innerText();
  return { status, body: text, authorization: request.headers()['authorization'] };
}

async function collapse(page, op) {
  const block = page.locator(`#operations-${op.tag}-${op.id}`);
  if (await block.locator('.opblock-body').isVisible()) await block.locator('.opblock-summary-control').click();
  await block.locator('.opblock-body').waitFor({ state: 'hidden' });
}

/** Gets a token by trying out POST /api/auth/token, then pastes it into the Authorize dialog. */
async function signInThroughAuthorizeDialog(page) {
  const token = operations.find((o) => o.method === 'post' && o.route === tokenPath);
  if (!token) throw new Error(`SWAGGER_AUTH=${authMode} but the document has no POST ${tokenPath}`);
  const answer = await tryItOut(page, token, { body: { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD } });
  if (answer.status !== 200) throw new Error(`Try it out on POST ${tokenPath} answered ${answer.status}: ${answer.body}`);
  const accessToken = answer.body.match(/"accessToken"\s*:\s*"([^"]+)"/)?.[1];
  if (!accessToken) throw new Error(`no accessToken in ${answer.body}`);
  ok(`Try it out: POST ${tokenPath} -> 200 (admin token)`);

  await page.locator('.scheme-container button.authorize').click();
  const dialog = page.locator('.dialog-ux .modal-ux');
  await dialog.waitFor();
  await dialog.locator('.auth-container input').first().fill(accessToken);
  await dialog.locator('.auth-btn-wrapper button.authorize').click();
  await dialog.locator('.auth-btn-wrapper button', { hasText: 'Logout' }).waitFor();
  await dialog.locator('button.btn-done').click();
  await dialog.waitFor({ state: 'detached' });
  ok('signed in through the Authorize dialog');
}
