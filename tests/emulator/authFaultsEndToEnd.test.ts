// End to end through startEmulator: OAuth sign-in with the SDK, calls with the issued token,
// revocation, token expiry and refresh, and fault rules managed purely over the admin HTTP API.
// (serverFaults.test.ts covers each fault kind's effect on the routes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dropbox, DropboxAuth, DropboxResponseError } from 'dropbox';
import type { Emulator } from '../../src/emulator/index.js';
import type { FaultRule } from '../../src/emulator/faults.js';
import { rewriteDropboxUrl, rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { failure, startHarness } from './support.js';

const CLIENT_ID = 'twinfold-e2e';
const REDIRECT = 'http://127.0.0.1:53682/callback';

interface SignedIn { auth: DropboxAuth; accessToken: string; refreshToken: string }

/** The desktop app's sign-in: PKCE URL from the SDK, Allow on the consent page, code exchange. */
async function signIn(emu: Emulator): Promise<SignedIn> {
  const auth = new DropboxAuth({ clientId: CLIENT_ID, fetch: rewritingFetch(emu.url) });
  const url = String(await auth.getAuthenticationUrl(REDIRECT, 'e2e-state', 'code', 'offline', undefined, 'none', true));
  const consent = await fetch(rewriteDropboxUrl(url, emu.url), { redirect: 'manual' });
  assert.equal(consent.status, 200);
  const form = new URLSearchParams();
  for (const [, name, value] of (await consent.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.append(name!, value!.replace(/&amp;/g, '&'));
  }
  form.append('decision', 'allow');
  const allowed = await fetch(`${emu.url}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(allowed.status, 302);
  const code = new URL(allowed.headers.get('location')!).searchParams.get('code')!;
  const { result } = await auth.getAccessTokenFromCode(REDIRECT, code) as { result: { access_token: string; refresh_token: string } };
  auth.setRefreshToken(result.refresh_token);
  return { auth, accessToken: result.access_token, refreshToken: result.refresh_token };
}

function client(emu: Emulator, accessToken: string): Dropbox {
  return new Dropbox({ accessToken, fetch: rewritingFetch(emu.url) });
}

async function admin(emu: Emulator, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/admin/${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  assert.equal(res.status, 200, `${method} /admin/${path}: ${res.status}`);
  return await res.json() as Record<string, unknown>;
}

async function addFault(emu: Emulator, rule: FaultRule): Promise<void> {
  await admin(emu, 'POST', 'faults', rule);
}

/** The SDK's rejection for an HTTP error, with the response headers the shared helper drops. */
async function httpFailure(call: Promise<unknown>): Promise<DropboxResponseError<unknown> & { headers: Headers }> {
  const err = await call.then(() => assert.fail('expected the call to fail'), (e: unknown) => e);
  assert.ok(err instanceof DropboxResponseError, `expected an HTTP error, got ${String(err)}`);
  return err as DropboxResponseError<unknown> & { headers: Headers };
}

test('signing in through OAuth gives a token the API accepts until it is revoked', async (t) => {
  const { emu } = await startHarness(t);
  const session = await signIn(emu);
  const dbx = client(emu, session.accessToken);
  const account = await dbx.usersGetCurrentAccount();
  assert.equal(account.result.account_id, emu.accountId);

  await dbx.authTokenRevoke();
  const revoked = await failure(dbx.usersGetCurrentAccount());
  assert.equal(revoked.status, 401);
  assert.equal(revoked.error.error['.tag'], 'invalid_access_token');
  // Revoking the access token also disabled the refresh token it came from.
  const refresh = await failure(session.auth.refreshAccessToken() as unknown as Promise<void>);
  assert.equal(refresh.status, 400);
  assert.equal(refresh.error.error, 'invalid_grant');
});

test('expire-tokens makes calls answer 401 expired_access_token until the app refreshes', async (t) => {
  const { emu, dbx: staticClient } = await startHarness(t);
  const session = await signIn(emu);
  await admin(emu, 'POST', 'expire-tokens');
  for (const dbx of [client(emu, session.accessToken), staticClient]) {
    const expired = await failure(dbx.usersGetCurrentAccount());
    assert.equal(expired.status, 401);
    assert.equal(expired.error.error_summary.split('/')[0], 'expired_access_token');
    assert.equal(expired.error.error['.tag'], 'expired_access_token');
  }
  await (session.auth.refreshAccessToken() as unknown as Promise<void>);
  const fresh = session.auth.getAccessToken();
  assert.notEqual(fresh, session.accessToken);
  assert.equal((await client(emu, fresh).usersGetCurrentAccount()).result.account_id, emu.accountId);
});

test('rate-limit faults answer 429 with Retry-After for both reasons, only on their routes', async (t) => {
  const { emu, dbx } = await startHarness(t);
  await addFault(emu, { fault: { kind: 'rate_limit', reason: 'too_many_write_operations', retryAfterSec: 2 }, routes: ['files/upload'], times: 1 });
  await addFault(emu, { fault: { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 300 }, routes: ['files/list_folder'], times: 1 });
  assert.equal(((await admin(emu, 'GET', 'faults')).faults as unknown[]).length, 2);

  const writes = await httpFailure(dbx.filesUpload({ path: '/a.txt', contents: Buffer.from('hello') }));
  assert.equal(writes.status, 429);
  assert.equal(writes.headers.get('retry-after'), '2');
  assert.deepEqual(writes.error, { error_summary: 'too_many_write_operations/.', error: { reason: { '.tag': 'too_many_write_operations' }, retry_after: 2 } });

  await dbx.usersGetCurrentAccount();
  const requests = await httpFailure(dbx.filesListFolder({ path: '' }));
  assert.equal(requests.status, 429);
  assert.equal(requests.headers.get('retry-after'), '300');
  assert.deepEqual(requests.error, { error_summary: 'too_many_requests/.', error: { reason: { '.tag': 'too_many_requests' }, retry_after: 300 } });

  // Both rules were used up: the same calls now go through.
  await dbx.filesUpload({ path: '/a.txt', contents: Buffer.from('hello') });
  assert.equal((await dbx.filesListFolder({ path: '' })).result.entries.length, 1);
  assert.deepEqual((await admin(emu, 'GET', 'faults')).faults, []);
});

test('a rule without times holds until DELETE /admin/faults clears it', async (t) => {
  const { emu, dbx } = await startHarness(t);
  await addFault(emu, { fault: { kind: 'server_error', status: 503 }, routes: ['users/get_current_account'] });
  for (let i = 0; i < 3; i++) assert.equal((await httpFailure(dbx.usersGetCurrentAccount())).status, 503);
  assert.deepEqual((await admin(emu, 'GET', 'faults')).faults, [{ id: 'fault-1', fault: { kind: 'server_error', status: 503 }, routes: ['users/get_current_account'] }]);
  await admin(emu, 'DELETE', 'faults');
  assert.equal((await dbx.usersGetCurrentAccount()).result.account_id, emu.accountId);
});
