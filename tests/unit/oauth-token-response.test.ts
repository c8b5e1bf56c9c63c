// The token endpoint's answers, trusted for nothing: well-formed grants, missing and mistyped
// fields, huge values, HTML instead of JSON, oversized bodies, Dropbox's error codes, and the rule
// that no error message ever holds the code, the verifier or a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppKeyRejectedError,
  InvalidCodeError,
  SignInRefusedError,
  exchangeCode,
  parseTokenResponse,
  revokeToken,
} from '../../src/main/core/remote/dropbox/oauth.js';
import { InvalidResponseError, NetworkError, RateLimitError, ServerError } from '../../src/main/core/errors.js';

const NOW = 1_700_000_000_000;
const ACCOUNT = 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc';
const GOOD = {
  access_token: 'sl.ACCESS-abc',
  token_type: 'bearer',
  expires_in: 14400,
  refresh_token: 'REFRESH-xyz',
  scope: 'files.content.read',
  uid: '12345',
  account_id: ACCOUNT,
};

test('a well-formed grant becomes tokens with an absolute expiry', () => {
  assert.deepEqual(parseTokenResponse(GOOD, NOW), { accessToken: 'sl.ACCESS-abc', refreshToken: 'REFRESH-xyz', expiresAt: NOW + 14_400_000, accountId: ACCOUNT });
  assert.equal(parseTokenResponse({ ...GOOD, token_type: 'Bearer', scope: undefined, uid: undefined }, NOW).accountId, ACCOUNT);
});

test('malformed grants are InvalidResponseError naming the field, never echoing a value', () => {
  const without = (field: keyof typeof GOOD): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...GOOD };
    delete copy[field];
    return copy;
  };
  const rows: [string, unknown, string][] = [
    ['no refresh token (online grant)', without('refresh_token'), 'refresh_token'],
    ['no access token', without('access_token'), 'access_token'],
    ['no account id', without('account_id'), 'account_id'],
    ['no expiry', without('expires_in'), 'expires_in'],
    ['expiry as string', { ...GOOD, expires_in: '14400' }, 'expires_in'],
    ['negative expiry', { ...GOOD, expires_in: -1 }, 'expires_in'],
    ['fractional expiry', { ...GOOD, expires_in: 1.5 }, 'expires_in'],
    ['huge expiry', { ...GOOD, expires_in: 1e308 }, 'expires_in'],
    ['access token as number', { ...GOOD, access_token: 42 }, 'access_token'],
    ['empty refresh token', { ...GOOD, refresh_token: '' }, 'refresh_token'],
    ['huge token', { ...GOOD, access_token: 'a'.repeat(100_000) }, 'access_token'],
    ['token with a newline', { ...GOOD, access_token: 'abc\r\nSet-Cookie: x' }, 'access_token'],
    ['not a Dropbox account id', { ...GOOD, account_id: '../../etc/passwd' }, 'account_id'],
    ['mac token type', { ...GOOD, token_type: 'mac' }, 'token_type'],
    ['null body', null, 'body'],
    ['array body', [GOOD], 'body'],
    ['string body', 'sl.ACCESS-abc', 'body'],
  ];
  for (const [why, body, field] of rows) {
    assert.throws(() => parseTokenResponse(body, NOW), (err: unknown) => {
      assert.ok(err instanceof InvalidResponseError, why);
      assert.match(err.message, new RegExp(field.replace('.', '\\.')), why);
      assert.doesNotMatch(err.message, /ACCESS|REFRESH|aaaa|passwd/, why);
      return true;
    }, why);
  }
});

/** A fetch that answers once with the given response and records the request. */
function answering(make: () => Response | Promise<Response>): { fetch: typeof fetch; requests: { url: string; body: string; headers: Headers }[] } {
  const requests: { url: string; body: string; headers: Headers }[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    requests.push({ url: String(input), body: String(init?.body ?? ''), headers: new Headers(init?.headers) });
    return make();
  };
  return { fetch: fake as typeof fetch, requests };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const CODE = 'THE-SECRET-CODE-123';
const VERIFIER = 'V'.repeat(86);

function exchange(fetchFn: typeof fetch, redirectUri?: string): ReturnType<typeof exchangeCode> {
  return exchangeCode({ tokenUrl: 'https://api.dropboxapi.com/oauth2/token', appKey: 'myappkey', code: CODE, codeVerifier: VERIFIER, redirectUri, fetch: fetchFn, now: () => NOW });
}

test('exchangeCode posts the code, verifier, client id and (only when given) redirect_uri as a form', async () => {
  for (const redirectUri of [undefined, 'http://127.0.0.1:53682/']) {
    const fake = answering(() => json(200, GOOD));
    const tokens = await exchange(fake.fetch, redirectUri);
    assert.equal(tokens.refreshToken, 'REFRESH-xyz');
    const [request] = fake.requests;
    assert.equal(request?.url, 'https://api.dropboxapi.com/oauth2/token');
    assert.equal(request?.headers.get('content-type'), 'application/x-www-form-urlencoded');
    const expected: Record<string, string> = { grant_type: 'authorization_code', code: CODE, client_id: 'myappkey', code_verifier: VERIFIER };
    if (redirectUri) expected.redirect_uri = redirectUri;
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request?.body)), expected);
  }
});

test('exchangeCode failures: each a clear error class, none quoting the code or verifier', async () => {
  const html = (): Response => new Response(`<html><body>Oops ${CODE}</body></html>`, { status: 200, headers: { 'Content-Type': 'text/html' } });
  const rows: [string, () => Response | Promise<Response>, (err: unknown) => boolean][] = [
    ['400 invalid_grant', () => json(400, { error: 'invalid_grant', error_description: `code ${CODE} doesn't exist or has expired` }), (e) => e instanceof InvalidCodeError && /wrong or expired/.test((e as Error).message)],
    ['400 invalid_client', () => json(400, { error: 'invalid_client' }), (e) => e instanceof AppKeyRejectedError && /myappkey/.test((e as Error).message)],
    ['400 other, echoing the code', () => json(400, { error: 'invalid_request', error_description: `bad code_verifier=${VERIFIER} for ${CODE}` }), (e) => e instanceof SignInRefusedError],
    ['HTML instead of JSON', html, (e) => e instanceof InvalidResponseError],
    ['500 HTML page', () => new Response('<h1>500</h1>', { status: 500 }), (e) => e instanceof ServerError],
    ['503 JSON', () => json(503, { error: 'x' }), (e) => e instanceof ServerError],
    ['429 with Retry-After', () => json(429, { error: 'too_many_requests' }, { 'Retry-After': '7' }), (e) => e instanceof RateLimitError && e.retryAfterMs === 7000],
    ['truncated JSON', () => new Response('{"access_token": "sl.abc', { status: 200 }), (e) => e instanceof InvalidResponseError],
    ['empty 200', () => new Response('', { status: 200 }), (e) => e instanceof InvalidResponseError],
    ['200 without refresh token', () => json(200, { ...GOOD, refresh_token: undefined }), (e) => e instanceof InvalidResponseError],
    ['oversized body', () => new Response('x'.repeat(1024 * 1024), { status: 200 }), (e) => e instanceof InvalidResponseError && /oversized/.test((e as Error).message)],
    ['oversized declared length', () => new Response('{}', { status: 200, headers: { 'Content-Length': '99999999' } }), (e) => e instanceof InvalidResponseError],
    ['connection refused', () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })), (e) => e instanceof NetworkError],
  ];
  for (const [why, respond, check] of rows) {
    await assert.rejects(exchange(answering(respond).fetch), (err: unknown) => {
      assert.ok(check(err), `${why}: got ${String(err)}`);
      const text = `${(err as Error).message} ${String((err as Error).stack)}`;
      assert.ok(!text.includes(CODE), `${why}: the code leaked`);
      assert.ok(!text.includes(VERIFIER), `${why}: the verifier leaked`);
      return true;
    }, why);
  }
});

test('revokeToken sends the bearer token to auth/token/revoke; 401 counts as already revoked', async () => {
  const ok = answering(() => new Response('null', { status: 200, headers: { 'Content-Type': 'application/json' } }));
  await revokeToken({ apiBase: 'http://127.0.0.1:9/', accessToken: 'sl.TOKEN', fetch: ok.fetch });
  assert.equal(ok.requests[0]?.url, 'http://127.0.0.1:9/2/auth/token/revoke');
  assert.equal(ok.requests[0]?.headers.get('authorization'), 'Bearer sl.TOKEN');

  await revokeToken({ apiBase: 'https://api.dropboxapi.com', accessToken: 'sl.TOKEN', fetch: answering(() => json(401, { error_summary: 'invalid_access_token/' })).fetch });
  await assert.rejects(revokeToken({ apiBase: 'https://api.dropboxapi.com', accessToken: 'sl.TOKEN', fetch: answering(() => new Response('down', { status: 502 })).fetch }), ServerError);
  await assert.rejects(
    revokeToken({ apiBase: 'https://api.dropboxapi.com', accessToken: 'sl.TOKEN', fetch: answering(() => Promise.reject(new TypeError('fetch failed'))).fetch }),
    (err: unknown) => err instanceof NetworkError && !(err as Error).message.includes('sl.TOKEN'),
  );
});
