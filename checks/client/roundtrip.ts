// A full round trip through a client generated from the live OpenAPI document (openapi-typescript +
// openapi-fetch): create, get, list, update with If-Match, sessions (refresh, reuse, sign-out), delete, plus the
// documented failures.
// Type errors here mean the document changed shape; a ContractError means the service answered
// something the document does not say.
import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { bearer, signIn } from './auth.js';
import { Contract } from './contract.js';
import type { paths } from './generated/schema.js';

const baseUrl = process.env.BASE_URL ?? 'http://127.0.0.1:5181';
const contract = new Contract(new URL('../openapi.json', import.meta.url).pathname);

function client(token?: string): Client<paths> {
  const c = createClient<paths>({ baseUrl });
  c.use(bearer(token), contract.middleware());
  return c;
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`round trip: ${message}`);
}

function step(name: string, detail: string) {
  console.log(`  ${name.padEnd(28)} ${detail}`);
}

const tag = randomUUID().slice(0, 8);
const email = `roundtrip-${tag}@example.com`;
const password = `pw-${randomUUID()}`;
const anonymous = client();

console.log(`client round trip against ${baseUrl}`);

// Create.
const created = await anonymous.POST('/api/users', { body: { email, password, fullName: `Round Trip ${tag}` } });
expect(created.response.status === 201 && created.data, `create: ${created.response.status}`);
const user = created.data;
const location = created.response.headers.get('Location');
let etag = created.response.headers.get('ETag');
expect(location?.endsWith(`/api/users/${user.id}`), `create: Location ${location}`);
expect(user.email === email && user.role === 'user', `create: body ${JSON.stringify(user)}`);
step('CreateUser', `201 id=${user.id} ETag=${etag}`);

const duplicate = await anonymous.POST('/api/users', { body: { email: email.toUpperCase(), password, fullName: 'Twin' } });
expect(duplicate.response.status === 409, `duplicate: ${duplicate.response.status}`);
step('CreateUser (same email)', `409 ${duplicate.error?.title}`);

const invalid = await anonymous.POST('/api/users', { body: { email: 'not-an-email', password: 'short', fullName: ' ' } });
expect(invalid.response.status === 400 && invalid.error?.errors, `invalid: ${invalid.response.status}`);
const names = invalid.error.errors.map((e) => e.name).sort();
expect(JSON.stringify(names) === JSON.stringify(['email', 'fullName', 'password']), `invalid: errors ${names}`);
step('CreateUser (invalid)', `400 errors on ${names.join(', ')}`);

// Sign in, once the service has identity: the user acts on itself, the admin lists.
let self = client(await signIn(contract, baseUrl, email, password));
const adminToken = await signIn(contract, baseUrl, process.env.ADMIN_EMAIL ?? '', process.env.ADMIN_PASSWORD ?? '');
const admin = client(adminToken);
if (adminToken) {
  step('CreateToken', '200 for the user and for the admin');

  const me = await self.GET('/api/users/me');
  expect(me.response.status === 200 && me.data?.id === user.id, `me: ${me.response.status}`);
  expect(me.response.headers.get('ETag') === etag, `me: ETag ${me.response.headers.get('ETag')}`);
  step('GetCurrentUser', `200 ${me.data.email}`);

  const unsigned = await anonymous.GET('/api/users/{id}', { params: { path: { id: user.id } } });
  expect(unsigned.response.status === 401, `anonymous get: ${unsigned.response.status}`);
  expect(unsigned.response.headers.get('WWW-Authenticate')?.startsWith('Bearer'), 'anonymous get: WWW-Authenticate');
  step('GetUser (no token)', '401 WWW-Authenticate: Bearer');

  const notAdmin = await self.GET('/api/users', {});
  expect(notAdmin.response.status === 403, `list as a plain user: ${notAdmin.response.status}`);
  step('ListUsers (plain user)', '403');

  const adminMe = await admin.GET('/api/users/me');
  expect(adminMe.data?.role === 'admin', `admin me: ${JSON.stringify(adminMe.data)}`);
  const someoneElse = await self.GET('/api/users/{id}', { params: { path: { id: adminMe.data.id } } });
  expect(someoneElse.response.status === 404, `someone else's user: ${someoneElse.response.status}`);
  step('GetUser (someone else)', '404, as if it did not exist');
}

// Get.
const got = await self.GET('/api/users/{id}', { params: { path: { id: user.id } } });
expect(got.response.status === 200 && got.data?.id === user.id, `get: ${got.response.status}`);
expect(got.response.headers.get('ETag') === etag, `get: ETag ${got.response.headers.get('ETag')} != ${etag}`);
step('GetUser', `200 ETag=${etag}`);

// List, filtered down to this run's user.
const listed = await admin.GET('/api/users', { params: { query: { q: `roundtrip-${tag}`, limit: 10 } } });
expect(listed.response.status === 200 && listed.data, `list: ${listed.response.status}`);
expect(listed.data.items.length === 1 && listed.data.items[0]?.id === user.id, `list: ${JSON.stringify(listed.data)}`);
expect(listed.data.nextCursor == null, 'list: nextCursor on the only page');
step('ListUsers', `200 ${listed.data.items.length} item(s), nextCursor=${listed.data.nextCursor}`);

const badCursor = await admin.GET('/api/users', { params: { query: { cursor: 'made-up' } } });
expect(badCursor.response.status === 400, `bad cursor: ${badCursor.response.status}`);
step('ListUsers (bad cursor)', `400 errors on ${badCursor.error?.errors?.map((e) => e.name).join(', ')}`);

// Update with If-Match, as a JSON merge patch.
const updated = await self.PATCH('/api/users/{id}', {
  params: { path: { id: user.id }, header: { 'If-Match': etag! } },
  headers: { 'Content-Type': 'application/merge-patch+json' },
  body: { fullName: `Renamed ${tag}` },
});
expect(updated.response.status === 200 && updated.data?.fullName === `Renamed ${tag}`, `update: ${updated.response.status}`);
const newEtag = updated.response.headers.get('ETag');
expect(newEtag && newEtag !== etag, `update: ETag ${newEtag} did not change`);
step('UpdateUser (If-Match)', `200 ETag ${etag} -> ${newEtag}`);

const stale = await self.PATCH('/api/users/{id}', {
  params: { path: { id: user.id }, header: { 'If-Match': etag! } },
  body: { fullName: 'Lost update' },
});
expect(stale.response.status === 412, `stale update: ${stale.response.status}`);
step('UpdateUser (stale If-Match)', `412 ${stale.error?.title}`);
etag = newEtag;

// Sessions: sign-in starts one; refresh rotates its refresh token; a spent one is refused and ends the session;
// sign-out always answers 204; sign-out everywhere revokes the access tokens too.
if (adminToken) {
  const signedIn = await anonymous.POST('/api/auth/token', { body: { email, password } });
  expect(signedIn.response.status === 200 && signedIn.data, `sign-in: ${signedIn.response.status}`);
  expect(signedIn.response.headers.get('Cache-Control') === 'no-store', `sign-in: Cache-Control ${signedIn.response.headers.get('Cache-Control')}`);
  expect(signedIn.data.refreshToken.length >= 43 && signedIn.data.refreshExpiresIn > 0, `sign-in: ${JSON.stringify(signedIn.data)}`);
  step('CreateToken', `200 refreshExpiresIn=${signedIn.data.refreshExpiresIn} Cache-Control: no-store`);

  const refreshed = await anonymous.POST('/api/auth/refresh', { body: { refreshToken: signedIn.data.refreshToken } });
  expect(refreshed.response.status === 200 && refreshed.data, `refresh: ${refreshed.response.status}`);
  expect(refreshed.data.refreshToken !== signedIn.data.refreshToken, 'refresh: the refresh token did not rotate');
  expect(refreshed.response.headers.get('Cache-Control') === 'no-store', 'refresh: Cache-Control');
  step('RefreshToken', '200 new access and refresh tokens, Cache-Control: no-store');

  const sessions = await client(refreshed.data.accessToken).GET('/api/users/me/sessions');
  expect(sessions.response.status === 200 && sessions.data, `sessions: ${sessions.response.status}`);
  const current = sessions.data.items.filter((s) => s.current);
  expect(current.length === 1, `sessions: ${JSON.stringify(sessions.data)}`);
  step('ListSessions', `200 ${sessions.data.items.length} session(s), one current`);

  const reused = await anonymous.POST('/api/auth/refresh', { body: { refreshToken: signedIn.data.refreshToken } });
  expect(reused.response.status === 401, `reuse: ${reused.response.status}`);
  const afterReuse = await anonymous.POST('/api/auth/refresh', { body: { refreshToken: refreshed.data.refreshToken } });
  expect(afterReuse.response.status === 401, `latest after reuse: ${afterReuse.response.status}`);
  step('RefreshToken (spent token)', '401, and the session ended: its latest token is 401 too');

  const other = await anonymous.POST('/api/auth/token', { body: { email, password } });
  expect(other.response.status === 200 && other.data, `second sign-in: ${other.response.status}`);
  const otherId = (await client(other.data.accessToken).GET('/api/users/me/sessions')).data?.items.find((s) => s.current)?.id;
  expect(otherId, 'second session id');
  const notMine = await admin.DELETE('/api/users/me/sessions/{id}', { params: { path: { id: otherId } } });
  expect(notMine.response.status === 404, `someone else's session: ${notMine.response.status}`);
  step('DeleteSession (someone else)', '404');
  const ended = await self.DELETE('/api/users/me/sessions/{id}', { params: { path: { id: otherId } } });
  expect(ended.response.status === 204, `delete own session: ${ended.response.status}`);
  step('DeleteSession', '204');

  const third = await anonymous.POST('/api/auth/token', { body: { email, password } });
  expect(third.response.status === 200 && third.data, `third sign-in: ${third.response.status}`);
  const logout = await anonymous.POST('/api/auth/logout', { body: { refreshToken: third.data.refreshToken } });
  const logoutAgain = await anonymous.POST('/api/auth/logout', { body: { refreshToken: third.data.refreshToken } });
  expect(logout.response.status === 204 && logoutAgain.response.status === 204, `logout: ${logout.response.status}, ${logoutAgain.response.status}`);
  step('Logout', '204, and 204 again for the ended session');

  const everywhere = await self.POST('/api/auth/logout-all');
  expect(everywhere.response.status === 204, `logout-all: ${everywhere.response.status}`);
  const revoked = await self.GET('/api/users/me');
  expect(revoked.response.status === 401, `access token after logout-all: ${revoked.response.status}`);
  step('LogoutAll', '204; the access token is 401 at once');
  self = client(await signIn(contract, baseUrl, email, password));
}

// Delete with If-Match, then it is gone.
const deleted = await self.DELETE('/api/users/{id}', { params: { path: { id: user.id }, header: { 'If-Match': etag } } });
expect(deleted.response.status === 204, `delete: ${deleted.response.status}`);
step('DeleteUser (If-Match)', '204');

const gone = await admin.GET('/api/users/{id}', { params: { path: { id: user.id } } });
expect(gone.response.status === 404, `get after delete: ${gone.response.status}`);
step('GetUser (deleted)', `404 ${gone.error?.title}`);

const goneAgain = await admin.DELETE('/api/users/{id}', { params: { path: { id: user.id } } });
expect(goneAgain.response.status === 404, `delete again: ${goneAgain.response.status}`);
step('DeleteUser (deleted)', '404');

console.log(`client round trip OK: ${contract.checked.length} responses matched the document`);
