// Sign-in for the round trip, once the service has identity (POST /api/auth/token). Until then the
// document has no such path and every client stays anonymous.
import type { Middleware } from 'openapi-fetch';
import type { Contract } from './contract.js';

export const tokenPath = '/api/auth/token';

/** A bearer token for the account, or undefined when the service has no sign-in yet. */
export async function signIn(contract: Contract, baseUrl: string, email: string, password: string): Promise<string | undefined> {
  if (!contract.has(tokenPath)) return undefined;
  const response = await fetch(`${baseUrl}${tokenPath}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  await contract.check('POST', tokenPath, response);
  if (response.status !== 200) throw new Error(`sign-in as ${email}: ${response.status} ${await response.text()}`);
  const { accessToken } = (await response.json()) as { accessToken: string };
  return accessToken;
}

export function bearer(token: string | undefined): Middleware {
  return {
    onRequest: ({ request }) => {
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
}
