// TokenStore: expiry on an injected clock, refresh, revocation, the expire-all fault, codes, persistence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_TTL_MS, TokenStore, type CodeGrant, type TokenGrant } from '../../src/emulator/tokens.js';

function makeStore(staticTokens: string[] = ['static-token']) {
  const clock = { ms: 1_700_000_000_000 };
  const store = new TokenStore({ staticTokens, accessTokenTtlSec: 14_400, now: () => clock.ms });
  return { store, clock };
}

const offline: TokenGrant = { clientId: 'app', scope: 'files.content.read', tokenAccessType: 'offline', publicClient: true };
const online: TokenGrant = { ...offline, tokenAccessType: 'online' };
const codeGrant: CodeGrant = { clientId: 'app', redirectUri: 'http://127.0.0.1:1/cb', codeChallenge: 'c'.repeat(43), codeChallengeMethod: 'S256', tokenAccessType: 'offline', scope: 'files.content.read' };

test('static tokens are valid and unknown ones invalid', () => {
  const { store } = makeStore();
  assert.deepEqual(['static-token', 'other', '', 'sl.x'].map((t) => store.check(t)), ['valid', 'invalid', 'invalid', 'invalid']);
});

test('issued access tokens are short-lived sl. tokens that expire after the TTL', () => {
  const { store, clock } = makeStore();
  const issued = store.issueTokens(online);
  assert.match(issued.accessToken, /^sl\.[A-Za-z0-9_-]{100,}$/);
  assert.equal(issued.expiresIn, 14_400);
  assert.equal(issued.refreshToken, undefined);
  clock.ms += 14_400_000 - 1;
  assert.equal(store.check(issued.accessToken), 'valid');
  clock.ms += 1;
  assert.equal(store.check(issued.accessToken), 'expired');
});

test('offline grants get a refresh token that mints new access tokens, with no new refresh token', () => {
  const { store, clock } = makeStore();
  const first = store.issueTokens(offline);
  assert.ok(first.refreshToken);
  assert.notEqual(first.refreshToken, first.accessToken);
  clock.ms += 20_000_000;
  assert.equal(store.check(first.accessToken), 'expired');
  const next = store.refresh(first.refreshToken);
  assert.ok(next);
  assert.equal(store.check(next.accessToken), 'valid');
  assert.notEqual(next.accessToken, first.accessToken);
  assert.deepEqual(store.refreshGrant(first.refreshToken), { clientId: 'app', scope: 'files.content.read', publicClient: true });
  assert.equal(store.refresh('never-issued'), undefined);
});

test('revoking an access token disables its refresh token and every sibling access token', () => {
  const { store } = makeStore();
  const a = store.issueTokens(offline);
  const sibling = store.refresh(a.refreshToken!)!;
  const unrelated = store.issueTokens(offline);
  store.revokeAccessToken(sibling.accessToken);
  assert.equal(store.check(a.accessToken), 'invalid');
  assert.equal(store.check(sibling.accessToken), 'invalid');
  assert.equal(store.refresh(a.refreshToken!), undefined);
  assert.equal(store.refreshGrant(a.refreshToken!), undefined);
  assert.equal(store.check(unrelated.accessToken), 'valid');
  assert.ok(store.refresh(unrelated.refreshToken!));
});

test('revoking a static or online token makes just that token invalid', () => {
  const { store } = makeStore(['s1', 's2']);
  const solo = store.issueTokens(online);
  const other = store.issueTokens(online);
  store.revokeAccessToken('s1');
  store.revokeAccessToken(solo.accessToken);
  store.revokeAccessToken('not-a-token');
  assert.deepEqual(['s1', 's2', solo.accessToken, other.accessToken].map((t) => store.check(t)), ['invalid', 'valid', 'invalid', 'valid']);
});

test('expireAll expires every current access token, static ones too, but not later ones or refresh tokens', () => {
  const { store } = makeStore(['s1', 's2']);
  store.revokeAccessToken('s2');
  const issued = store.issueTokens(offline);
  store.expireAll();
  assert.deepEqual(['s1', 's2', issued.accessToken].map((t) => store.check(t)), ['expired', 'invalid', 'expired']);
  const refreshed = store.refresh(issued.refreshToken!)!;
  assert.equal(store.check(refreshed.accessToken), 'valid');
  assert.equal(store.check(store.issueTokens(online).accessToken), 'valid');
});

test('authorization codes work once and expire after ten minutes', () => {
  const { store, clock } = makeStore();
  const code = store.issueCode(codeGrant);
  assert.match(code, /^[A-Za-z0-9_-]{40,}$/);
  assert.deepEqual(store.takeCode(code), codeGrant);
  assert.equal(store.takeCode(code), undefined);

  const late = store.issueCode(codeGrant);
  const inTime = store.issueCode(codeGrant);
  clock.ms += CODE_TTL_MS - 1;
  assert.deepEqual(store.takeCode(inTime), codeGrant);
  clock.ms += 1;
  assert.equal(store.takeCode(late), undefined);
  assert.equal(store.takeCode('made-up'), undefined);
});

test('a snapshot restores into a fresh store through JSON', () => {
  const { store, clock } = makeStore(['s1', 's2']);
  const withRefresh = store.issueTokens(offline);
  const shortLived = store.issueTokens(online);
  const code = store.issueCode(codeGrant);
  store.expireAll();
  const fresh = store.issueTokens(online);
  store.revokeAccessToken('s2');

  const restored = new TokenStore({ staticTokens: ['s1', 's2'], accessTokenTtlSec: 14_400, now: () => clock.ms });
  restored.restore(JSON.parse(JSON.stringify(store.snapshot())));
  const tokens = ['s1', 's2', withRefresh.accessToken, shortLived.accessToken, fresh.accessToken];
  assert.deepEqual(tokens.map((t) => restored.check(t)), ['expired', 'invalid', 'expired', 'expired', 'valid']);
  assert.ok(restored.refresh(withRefresh.refreshToken!));
  assert.deepEqual(restored.takeCode(code), codeGrant);
  assert.deepEqual(restored.snapshot().refreshTokens, store.snapshot().refreshTokens);
});

test('restore refuses malformed snapshots and keeps its state', () => {
  const { store } = makeStore();
  const issued = store.issueTokens(offline);
  const good = store.snapshot();
  const bad: [string, unknown][] = [
    ['null', null],
    ['empty object', {}],
    ['wrong version', { ...good, version: 2 }],
    ['extra field', { ...good, extra: true }],
    ['non-numeric expiry', { ...good, accessTokens: [{ token: 'sl.a', expiresAt: 'soon' }] }],
    ['bad access type', { ...good, codes: [{ code: 'c', expiresAt: 1, clientId: 'a', tokenAccessType: 'legacy', scope: '' }] }],
    ['dangling refresh token', { ...good, refreshTokens: [], accessTokens: [{ token: 'sl.a', expiresAt: 1, refreshToken: 'gone' }] }],
  ];
  for (const [name, snapshot] of bad) {
    assert.throws(() => store.restore(snapshot), /invalid token snapshot/, name);
  }
  assert.equal(store.check(issued.accessToken), 'valid');
  assert.ok(store.refreshGrant(issued.refreshToken!));
});

test('the TTL must be positive', () => {
  for (const ttl of [0, -1, Number.NaN]) {
    assert.throws(() => new TokenStore({ staticTokens: [], accessTokenTtlSec: ttl }), RangeError);
  }
});
