// The sign-in's pure parts: PKCE verifier and challenge, the state check, the authorize URL and the
// endpoints for real Dropbox and for an emulator base URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  OAuthSetupError,
  buildAuthorizeUrl,
  checkRedirectUri,
  createOAuthState,
  createPkcePair,
  dropboxOAuthEndpoints,
  pkceChallengeOf,
  stateMatches,
} from '../../src/main/core/remote/dropbox/oauth.js';

test('PKCE verifiers are 43–128 unreserved characters, fresh each time, with the S256 challenge', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const { codeVerifier, codeChallenge } = createPkcePair();
    assert.match(codeVerifier, /^[A-Za-z0-9\-._~]{43,128}$/);
    assert.equal(codeChallenge, createHash('sha256').update(codeVerifier).digest('base64url'));
    assert.match(codeChallenge, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!seen.has(codeVerifier), 'a verifier repeated');
    seen.add(codeVerifier);
  }
});

test('the S256 challenge matches RFC 7636 appendix B', () => {
  assert.equal(pkceChallengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('states are random and long enough', () => {
  const a = createOAuthState();
  const b = createOAuthState();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
});

test('stateMatches accepts only the exact state', () => {
  const state = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const rows: [string, string | undefined, boolean][] = [
    [state, state, true],
    [state, undefined, false],
    [state, '', false],
    [state, state.slice(0, -1), false],
    [state, `${state}x`, false],
    [state, state.toUpperCase(), false],
    ['', '', false],
  ];
  for (const [expected, received, result] of rows) {
    assert.equal(stateMatches(expected, received), result, `${expected} vs ${String(received)}`);
  }
});

test('endpoints: real Dropbox, or all three under an emulator base', () => {
  const rows: [string | undefined, ReturnType<typeof dropboxOAuthEndpoints>][] = [
    [undefined, { authorizeUrl: 'https://www.dropbox.com/oauth2/authorize', tokenUrl: 'https://api.dropboxapi.com/oauth2/token', apiBase: 'https://api.dropboxapi.com' }],
    ['http://127.0.0.1:4000', { authorizeUrl: 'http://127.0.0.1:4000/oauth2/authorize', tokenUrl: 'http://127.0.0.1:4000/oauth2/token', apiBase: 'http://127.0.0.1:4000' }],
    ['http://127.0.0.1:4000/', { authorizeUrl: 'http://127.0.0.1:4000/oauth2/authorize', tokenUrl: 'http://127.0.0.1:4000/oauth2/token', apiBase: 'http://127.0.0.1:4000' }],
  ];
  for (const [apiUrl, expected] of rows) assert.deepEqual(dropboxOAuthEndpoints(apiUrl), expected);
});

const CHALLENGE = pkceChallengeOf('x'.repeat(64));
const STATE = 'S'.repeat(43);

test('the authorize URL carries code + PKCE S256 + offline + state, and redirect_uri only when given', () => {
  const rows: [string | undefined, Record<string, string>][] = [
    [undefined, { client_id: 'key_1-a', response_type: 'code', code_challenge: CHALLENGE, code_challenge_method: 'S256', token_access_type: 'offline', state: STATE }],
    ['http://127.0.0.1:53682/', { client_id: 'key_1-a', response_type: 'code', code_challenge: CHALLENGE, code_challenge_method: 'S256', token_access_type: 'offline', state: STATE, redirect_uri: 'http://127.0.0.1:53682/' }],
  ];
  for (const [redirectUri, params] of rows) {
    const url = new URL(buildAuthorizeUrl({ authorizeBase: 'https://www.dropbox.com/oauth2/authorize', appKey: 'key_1-a', redirectUri, state: STATE, codeChallenge: CHALLENGE }));
    assert.equal(`${url.origin}${url.pathname}`, 'https://www.dropbox.com/oauth2/authorize');
    assert.deepEqual(Object.fromEntries(url.searchParams), params);
  }
});

test('the authorize URL refuses bad inputs', () => {
  const good = { authorizeBase: 'https://www.dropbox.com/oauth2/authorize', appKey: 'key', state: STATE, codeChallenge: CHALLENGE };
  const rows: [string, Partial<typeof good> & { redirectUri?: string }][] = [
    ['app key with a space', { appKey: 'a key' }],
    ['app key with &', { appKey: 'a&redirect_uri=evil' }],
    ['empty app key', { appKey: '' }],
    ['plain challenge', { codeChallenge: 'short' }],
    ['short state', { state: 'abc' }],
    ['redirect with fragment', { redirectUri: 'http://127.0.0.1:1/#x' }],
    ['javascript redirect', { redirectUri: 'javascript:alert(1)' }],
    ['relative redirect', { redirectUri: '/callback' }],
    ['not a URL base', { authorizeBase: 'nope' }],
  ];
  for (const [why, override] of rows) {
    assert.throws(() => buildAuthorizeUrl({ ...good, ...override }), OAuthSetupError, why);
  }
});

test('checkRedirectUri accepts http(s) loopback and web callbacks', () => {
  for (const ok of ['http://127.0.0.1:53682/', 'http://localhost:8080/oauth/callback', 'https://twinfold.example/oauth/callback']) checkRedirectUri(ok);
  for (const bad of ['ftp://x/', 'http://user:pw@host/', 'x']) assert.throws(() => checkRedirectUri(bad), OAuthSetupError, bad);
});
