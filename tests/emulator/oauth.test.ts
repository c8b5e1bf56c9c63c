// OAuth endpoints driven by the official SDK's DropboxAuth (PKCE code flow, refresh) against a
// tiny server that calls handleOAuth (through the production rewritingFetch), plus the failure modes: bad verifier, reused or expired code,
// wrong redirect_uri or client, revoked refresh token, malformed requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DropboxAuth } from 'dropbox';
import { handleOAuth } from '../../src/emulator/oauth.js';
import { parseAuthorizeParams, pkceChallengeMatches, uidFromAccountId, DEFAULT_SCOPE } from '../../src/emulator/oauthParams.js';
import { TokenStore } from '../../src/emulator/tokens.js';
import { rewriteDropboxUrl, rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';

const ACCOUNT_ID = 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc';
const CLIENT_ID = 'twinfold-test-app';
const REDIRECT = 'http://127.0.0.1:53682/callback';

interface Emu { base: string; tokens: TokenStore; clock: { ms: number } }

async function withOAuthServer(autoApprove: boolean, run: (emu: Emu) => Promise<void>): Promise<void> {
  const clock = { ms: 1_700_000_000_000 };
  const tokens = new TokenStore({ staticTokens: [], accessTokenTtlSec: 14_400, now: () => clock.ms });
  const server = createServer((req, res) => {
    handleOAuth(req, res, new URL(req.url ?? '/', 'http://localhost'), { tokens, accountId: ACCOUNT_ID, autoApprove })
      .then((handled) => { if (!handled) res.writeHead(404).end(); })
      .catch((err: unknown) => { res.writeHead(500).end(String(err)); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tokens, clock });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The authorize URL the SDK builds (https://www.dropbox.com/...) as it is served by the test server. */
function localUrl(url: string, base: string): string {
  return rewriteDropboxUrl(url, base);
}

function sdkAuth(base: string): DropboxAuth {
  return new DropboxAuth({ clientId: CLIENT_ID, fetch: rewritingFetch(base) });
}

function unescapeHtml(text: string): string {
  return text.replace(/&(lt|gt|quot|#39|amp);/g, (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name]!);
}

/** What a browser does on the consent page: post its hidden fields with the chosen button. */
async function submitConsent(base: string, html: string, decision: 'allow' | 'deny'): Promise<Response> {
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(name!, unescapeHtml(value!));
  form.append('decision', decision);
  return fetch(`${base}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
}

/** Runs the authorize step in the browser's place and returns the code from the redirect. */
async function authorize(emu: Emu, authUrl: string, expectedState?: string): Promise<string> {
  const page = await fetch(localUrl(authUrl, emu.base), { redirect: 'manual' });
  // With autoApprove the GET itself redirects; otherwise the user clicks Allow.
  const res = page.status === 302 ? page : await submitConsent(emu.base, await page.text(), 'allow');
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get('location')!);
  assert.equal(location.origin + location.pathname, REDIRECT);
  assert.equal(location.searchParams.get('state'), expectedState ?? null);
  return location.searchParams.get('code')!;
}

async function pkceCode(emu: Emu, accessType: 'offline' | 'online' = 'offline'): Promise<{ auth: DropboxAuth; code: string }> {
  const auth = sdkAuth(emu.base);
  const url = await auth.getAuthenticationUrl(REDIRECT, 'st-1', 'code', accessType, undefined, 'none', true);
  return { auth, code: await authorize(emu, String(url), 'st-1') };
}

async function tokenCall(base: string, query: Record<string, string>, init: RequestInit = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/oauth2/token?${new URLSearchParams(query)}`, { method: 'POST', ...init });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

/** The SDK's typings declare refreshAccessToken as void, but it returns the request's promise. */
function refreshPromise(auth: DropboxAuth): Promise<void> {
  return auth.refreshAccessToken() as unknown as Promise<void>;
}

function oauthError(error: string, description?: RegExp) {
  return (err: unknown) => {
    const e = err as { status: number; error: { error: string; error_description: string } };
    assert.equal(e.status, 400);
    assert.equal(e.error.error, error);
    if (description) assert.match(e.error.error_description, description);
    return true;
  };
}

test('the SDK signs in with PKCE through the consent page, then refreshes', async () => {
  await withOAuthServer(false, async (emu) => {
    const auth = sdkAuth(emu.base);
    const url = await auth.getAuthenticationUrl(REDIRECT, 'xyz', 'code', 'offline', ['account_info.read', 'files.content.read'], 'none', true);
    const page = await fetch(localUrl(String(url), emu.base), { redirect: 'manual' });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.ok(html.includes(CLIENT_ID) && html.includes(ACCOUNT_ID) && html.includes('files.content.read'));
    assert.match(html, /value="allow"/);
    assert.doesNotMatch(html, /<script/i);
    const allowed = await submitConsent(emu.base, html, 'allow');
    assert.equal(allowed.status, 302);
    const location = new URL(allowed.headers.get('location')!);
    assert.equal(location.searchParams.get('state'), 'xyz');

    const { result } = await auth.getAccessTokenFromCode(REDIRECT, location.searchParams.get('code')!) as { result: Record<string, unknown> };
    assert.deepEqual(Object.keys(result).sort(), ['access_token', 'account_id', 'expires_in', 'refresh_token', 'scope', 'token_type', 'uid']);
    assert.match(String(result.access_token), /^sl\./);
    assert.equal(result.token_type, 'bearer');
    assert.equal(result.expires_in, 14_400);
    assert.equal(result.scope, 'account_info.read files.content.read');
    assert.equal(result.account_id, ACCOUNT_ID);
    assert.match(String(result.uid), /^\d+$/);
    assert.equal(emu.tokens.check(String(result.access_token)), 'valid');

    emu.clock.ms += 14_400_000;
    assert.equal(emu.tokens.check(String(result.access_token)), 'expired');
    auth.setRefreshToken(String(result.refresh_token));
    await refreshPromise(auth);
    const fresh = auth.getAccessToken();
    assert.notEqual(fresh, result.access_token);
    assert.equal(emu.tokens.check(fresh), 'valid');
  });
});

test('a refresh returns only access_token, token_type and expires_in', async () => {
  await withOAuthServer(true, async (emu) => {
    const { auth, code } = await pkceCode(emu);
    const { result } = await auth.getAccessTokenFromCode(REDIRECT, code) as { result: { refresh_token: string } };
    const refreshed = await tokenCall(emu.base, { grant_type: 'refresh_token', refresh_token: result.refresh_token, client_id: CLIENT_ID });
    assert.equal(refreshed.status, 200);
    assert.deepEqual(Object.keys(refreshed.json).sort(), ['access_token', 'expires_in', 'token_type']);
  });
});

test('autoApprove redirects at once, and online access gets no refresh token', async () => {
  await withOAuthServer(true, async (emu) => {
    const auth = sdkAuth(emu.base);
    const url = await auth.getAuthenticationUrl(REDIRECT, 'abc', 'code', 'online', undefined, 'none', true);
    const res = await fetch(localUrl(String(url), emu.base), { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.searchParams.get('state'), 'abc');
    const { result } = await auth.getAccessTokenFromCode(REDIRECT, location.searchParams.get('code')!) as { result: Record<string, unknown> };
    assert.equal(result.refresh_token, undefined);
    assert.equal(result.scope, DEFAULT_SCOPE);
  });
});

test('Deny redirects with access_denied and the state, unescaped', async () => {
  await withOAuthServer(false, async (emu) => {
    const state = 'a"b<c>&d e';
    const url = `${emu.base}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, state })}`;
    const html = await (await fetch(url)).text();
    assert.ok(html.includes('value="a&quot;b&lt;c&gt;&amp;d e"'));
    const res = await submitConsent(emu.base, html, 'deny');
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), state);
    assert.equal(location.searchParams.get('code'), null);
  });
});

test('without redirect_uri the code is shown on the page and exchanged without one', async () => {
  await withOAuthServer(false, async (emu) => {
    const auth = sdkAuth(emu.base);
    const url = await auth.getAuthenticationUrl('', undefined, 'code', 'offline', undefined, 'none', true);
    const consent = await (await fetch(localUrl(String(url), emu.base))).text();
    const shown = await submitConsent(emu.base, consent, 'allow');
    assert.equal(shown.status, 200);
    const code = /id="authorization-code">([^<]+)</.exec(await shown.text())?.[1];
    assert.ok(code);
    const { result } = await auth.getAccessTokenFromCode('', code) as { result: Record<string, unknown> };
    assert.ok(result.refresh_token);

    const denied = await submitConsent(emu.base, consent, 'deny');
    assert.equal(denied.status, 200);
    assert.match(await denied.text(), /Access denied/);
  });
});

test('a wrong code_verifier is refused and burns the code', async () => {
  await withOAuthServer(true, async (emu) => {
    const { auth, code } = await pkceCode(emu);
    const rightVerifier = auth.getCodeVerifier();
    auth.setCodeVerifier('w'.repeat(64));
    await assert.rejects(auth.getAccessTokenFromCode(REDIRECT, code), oauthError('invalid_grant', /verifier/));
    auth.setCodeVerifier(rightVerifier);
    await assert.rejects(auth.getAccessTokenFromCode(REDIRECT, code), oauthError('invalid_grant', /doesn't exist or has expired/));
  });
});

test('a code works only once', async () => {
  await withOAuthServer(true, async (emu) => {
    const { auth, code } = await pkceCode(emu);
    await auth.getAccessTokenFromCode(REDIRECT, code);
    await assert.rejects(auth.getAccessTokenFromCode(REDIRECT, code), oauthError('invalid_grant', /doesn't exist or has expired/));
  });
});

test('the code must come back with the same redirect_uri and client_id', async () => {
  await withOAuthServer(true, async (emu) => {
    const first = await pkceCode(emu);
    await assert.rejects(first.auth.getAccessTokenFromCode('http://127.0.0.1:53682/other', first.code), oauthError('invalid_grant', /redirect_uri/));
    const second = await pkceCode(emu);
    second.auth.setClientId('someone-else');
    await assert.rejects(second.auth.getAccessTokenFromCode(REDIRECT, second.code), oauthError('invalid_grant', /client/));
  });
});

test('a code expires after ten minutes', async () => {
  await withOAuthServer(true, async (emu) => {
    const { auth, code } = await pkceCode(emu);
    emu.clock.ms += 10 * 60 * 1000;
    await assert.rejects(auth.getAccessTokenFromCode(REDIRECT, code), oauthError('invalid_grant', /expired/));
  });
});

test('revoking the access token kills its refresh token', async () => {
  await withOAuthServer(true, async (emu) => {
    const { auth, code } = await pkceCode(emu);
    const { result } = await auth.getAccessTokenFromCode(REDIRECT, code) as { result: { access_token: string; refresh_token: string } };
    auth.setRefreshToken(result.refresh_token);
    emu.tokens.revokeAccessToken(result.access_token);
    await assert.rejects(refreshPromise(auth), oauthError('invalid_grant', /refresh token is invalid or revoked/));
  });
});

test('apps with a client secret can skip PKCE, sending credentials as HTTP Basic', async () => {
  await withOAuthServer(true, async (emu) => {
    const url = `${emu.base}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, token_access_type: 'offline' })}`;
    const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:s3cret`).toString('base64')}`;
    const res = await fetch(`${emu.base}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    assert.equal(res.status, 200);
    const { refresh_token: refreshToken } = await res.json() as { refresh_token: string };

    // Such a refresh token needs the secret again; PKCE ones do not.
    const bare = await tokenCall(emu.base, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID });
    assert.deepEqual([bare.status, bare.json.error], [400, 'invalid_request']);
    const withSecret = await tokenCall(emu.base, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID, client_secret: 's3cret' });
    assert.equal(withSecret.status, 200);
    const wrongClient = await tokenCall(emu.base, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'other', client_secret: 'x' });
    assert.deepEqual([wrongClient.status, wrongClient.json.error], [400, 'invalid_grant']);
  });
});

test('a JSON body of parameters is read like a form', async () => {
  await withOAuthServer(true, async (emu) => {
    const { auth, code } = await pkceCode(emu);
    const res = await fetch(`${emu.base}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, code_verifier: auth.getCodeVerifier(), redirect_uri: REDIRECT }),
    });
    assert.equal(res.status, 200);
  });
});

test('malformed token requests get the right OAuth error', async () => {
  await withOAuthServer(true, async (emu) => {
    const basic = (id: string) => ({ headers: { Authorization: `Basic ${Buffer.from(`${id}:pw`).toString('base64')}` } });
    const cases: [string, Record<string, string>, RequestInit, string][] = [
      ['no grant_type', { client_id: CLIENT_ID }, {}, 'invalid_request'],
      ['unknown grant_type', { grant_type: 'password', client_id: CLIENT_ID }, {}, 'unsupported_grant_type'],
      ['no code', { grant_type: 'authorization_code', client_id: CLIENT_ID, code_verifier: 'v'.repeat(43) }, {}, 'invalid_request'],
      ['no client_id', { grant_type: 'authorization_code', code: 'c', code_verifier: 'v'.repeat(43) }, {}, 'invalid_request'],
      ['neither verifier nor secret', { grant_type: 'authorization_code', code: 'c', client_id: CLIENT_ID }, {}, 'invalid_request'],
      ['unknown code', { grant_type: 'authorization_code', code: 'c', client_id: CLIENT_ID, code_verifier: 'v'.repeat(43) }, {}, 'invalid_grant'],
      ['no refresh_token', { grant_type: 'refresh_token', client_id: CLIENT_ID }, {}, 'invalid_request'],
      ['unknown refresh_token', { grant_type: 'refresh_token', refresh_token: 'r', client_id: CLIENT_ID }, {}, 'invalid_grant'],
      ['Basic disagrees with client_id', { grant_type: 'refresh_token', refresh_token: 'r', client_id: CLIENT_ID }, basic('other'), 'invalid_client'],
      ['non-JSON body labelled JSON', { grant_type: 'refresh_token' }, { headers: { 'Content-Type': 'application/json' }, body: '{' }, 'invalid_request'],
      ['parameter in query and body', { grant_type: 'refresh_token' }, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token' }, 'invalid_request'],
      ['unsupported body type', { grant_type: 'refresh_token' }, { headers: { 'Content-Type': 'text/csv' }, body: 'a,b' }, 'invalid_request'],
    ];
    for (const [name, query, init, error] of cases) {
      const res = await tokenCall(emu.base, query, init);
      assert.deepEqual([res.status, res.json.error], [400, error], name);
      assert.equal(typeof res.json.error_description, 'string', name);
    }
    const get = await fetch(`${emu.base}/oauth2/token`);
    assert.equal(get.status, 405);
  });
});

test('the SDK refresh, which labels an empty body application/json, is accepted', async () => {
  await withOAuthServer(true, async (emu) => {
    const { auth, code } = await pkceCode(emu);
    const { result } = await auth.getAccessTokenFromCode(REDIRECT, code) as { result: { refresh_token: string } };
    const seen: string[] = [];
    const spying = new DropboxAuth({
      clientId: CLIENT_ID,
      refreshToken: result.refresh_token,
      fetch: rewritingFetch(emu.base, (input, init) => {
        seen.push(`${new Headers(init?.headers).get('content-type')} body=${String(init?.body ?? '')}`);
        return fetch(input, init);
      }),
    });
    await refreshPromise(spying);
    assert.deepEqual(seen, ['application/json body=']);
    assert.equal(emu.tokens.check(spying.getAccessToken()), 'valid');
  });
});

test('bad authorize parameters get a clear 400 page', async () => {
  await withOAuthServer(true, async (emu) => {
    const ok = { response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT };
    const cases: [string, string, RegExp][] = [
      ['no client_id', 'response_type=code', /client_id/],
      ['no response_type', `client_id=${CLIENT_ID}`, /response_type/],
      ['implicit flow', new URLSearchParams({ ...ok, response_type: 'token' }).toString(), /response_type/],
      ['client_id twice', `${new URLSearchParams(ok)}&client_id=x`, /more than once/],
      ['relative redirect', new URLSearchParams({ ...ok, redirect_uri: '/callback' }).toString(), /redirect_uri/],
      ['javascript redirect', new URLSearchParams({ ...ok, redirect_uri: 'javascript:alert(1)' }).toString(), /scheme/],
      ['unknown challenge method', new URLSearchParams({ ...ok, code_challenge: 'c'.repeat(43), code_challenge_method: 'S512' }).toString(), /S256/],
      ['short S256 challenge', new URLSearchParams({ ...ok, code_challenge: 'abc', code_challenge_method: 'S256' }).toString(), /43/],
      ['method without challenge', new URLSearchParams({ ...ok, code_challenge_method: 'S256' }).toString(), /without/],
      ['legacy tokens', new URLSearchParams({ ...ok, token_access_type: 'legacy' }).toString(), /offline or online/],
      ['empty scope', new URLSearchParams({ ...ok, scope: '' }).toString(), /scope/],
      ['huge state', new URLSearchParams({ ...ok, state: 's'.repeat(501) }).toString(), /500 bytes/],
      ['markup in client_id', new URLSearchParams({ ...ok, client_id: '<b>x y</b>' }).toString(), /client_id/],
    ];
    for (const [name, query, message] of cases) {
      const res = await fetch(`${emu.base}/oauth2/authorize?${query}`, { redirect: 'manual' });
      assert.equal(res.status, 400, name);
      const html = await res.text();
      assert.match(html, message, name);
      assert.doesNotMatch(html, /<b>/, name);
    }
    const decisionless = await fetch(`${emu.base}/oauth2/authorize`, { method: 'POST', body: new URLSearchParams(ok), redirect: 'manual' });
    assert.equal(decisionless.status, 400);
    assert.equal((await fetch(`${emu.base}/oauth2/authorize`, { method: 'PUT' })).status, 405);
    assert.equal((await fetch(`${emu.base}/oauth2/elsewhere`)).status, 404);
  });
});

test('values on the consent page are escaped', async () => {
  await withOAuthServer(false, async (emu) => {
    const url = `${emu.base}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: '<img>"x', redirect_uri: 'http://127.0.0.1/cb?a=<i>' })}`;
    const html = await (await fetch(url)).text();
    assert.ok(html.includes('&lt;img&gt;&quot;x'));
    assert.doesNotMatch(html, /<img>|<i>/);
  });
});

test('parseAuthorizeParams fills defaults and keeps what was asked', () => {
  const rows: [Record<string, string>, object][] = [
    [{ response_type: 'code', client_id: 'a' }, { clientId: 'a', tokenAccessType: 'online', scope: DEFAULT_SCOPE }],
    [
      { response_type: 'code', client_id: 'a', redirect_uri: 'db-a://2/token', state: 's', code_challenge: 'p'.repeat(50), token_access_type: 'offline', scope: 'files.content.read  files.content.read account_info.read' },
      { clientId: 'a', redirectUri: 'db-a://2/token', state: 's', codeChallenge: 'p'.repeat(50), codeChallengeMethod: 'plain', tokenAccessType: 'offline', scope: 'files.content.read account_info.read' },
    ],
    [{ response_type: 'code', client_id: 'a', state: '' }, { clientId: 'a', tokenAccessType: 'online', scope: DEFAULT_SCOPE }],
  ];
  for (const [params, expected] of rows) {
    assert.deepEqual(parseAuthorizeParams(new URLSearchParams(params)), { ok: true, value: expected });
  }
});

test('PKCE S256 matches RFC 7636 appendix B, and plain compares as is', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  assert.equal(pkceChallengeMatches(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'S256'), true);
  assert.equal(pkceChallengeMatches(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN', 'S256'), false);
  assert.equal(pkceChallengeMatches(verifier, verifier, 'plain'), true);
  assert.equal(pkceChallengeMatches(verifier, verifier, 'S256'), false);
});

test('the uid is a stable number per account', () => {
  assert.match(uidFromAccountId(ACCOUNT_ID), /^\d+$/);
  assert.equal(uidFromAccountId(ACCOUNT_ID), uidFromAccountId(ACCOUNT_ID));
  assert.notEqual(uidFromAccountId(ACCOUNT_ID), uidFromAccountId('dbid:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
});
