// The keychain store against a real Secret Service (gnome-keyring through libsecret). Runs only
// where one is reachable (use scripts/with-keyring.sh); elsewhere it skips and says what is missing.
// Entries go under a per-run service name, so a developer's real Twinfold tokens are never touched.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { isUnavailable, openKeychain, PROBE_ACCOUNT } from '../../src/main/core/secrets/keytarStore.js';
import { SecretStoreError } from '../../src/main/core/secrets/errors.js';
import type { SecretStore } from '../../src/main/core/secrets/secretStore.js';

const SERVICE = `Twinfold-test-${randomUUID()}`;
const OTHER_SERVICE = `${SERVICE}-other`;

async function reachKeychain(service: string): Promise<SecretStore | string> {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return 'DBUS_SESSION_BUS_ADDRESS is not set';
  const result = await openKeychain({ service });
  return isUnavailable(result) ? result.unavailable : result;
}

const reached = await reachKeychain(SERVICE);
// with-keyring.sh exports this only after it saw the Secret Service on the bus: then an
// unreachable keychain is a failure to report, not a reason to skip.
const keyringPromised = process.env.TWINFOLD_TEST_KEYRING === '1';
const skip = typeof reached === 'string' && !keyringPromised ? `no Secret Service: run the tests under scripts/with-keyring.sh (${reached})` : false;

function keychain(): SecretStore {
  if (typeof reached === 'string') assert.fail(`with-keyring.sh started a Secret Service, but the keychain is unusable: ${reached}`);
  return reached;
}

// Skipped per test (not per suite) so the runner's summary counts them as skipped.
describe('OS keychain (real Secret Service)', () => {
  after(async () => {
    if (typeof reached === 'string') return;
    for (const account of await reached.list()) await reached.delete(account);
    const other = await openKeychain({ service: OTHER_SERVICE });
    if (!isUnavailable(other)) for (const account of await other.list()) await other.delete(account);
  });

  test('is a keychain store with no warning, and the probe left nothing behind', { skip }, async () => {
    const store = keychain();
    assert.equal(store.kind, 'keychain');
    assert.equal(store.warning, undefined);
    assert.deepEqual(await store.list(), []);
  });

  test('set, get, overwrite, list, delete round trip', { skip }, async () => {
    const store = keychain();
    const token = JSON.stringify({ access_token: `sl.${randomBytes(24).toString('base64url')}`, refresh_token: randomUUID() });
    await store.set('dbid:BBB', token);
    await store.set('dbid:AAA', 'first');
    await store.set('dbid:AAA', 'second');
    assert.equal(await store.get('dbid:AAA'), 'second');
    assert.equal(await store.get('dbid:BBB'), token);
    assert.equal(await store.get('dbid:NONE'), undefined);
    assert.deepEqual(await store.list(), ['dbid:AAA', 'dbid:BBB']);
    assert.equal(await store.delete('dbid:AAA'), true);
    assert.equal(await store.delete('dbid:AAA'), false);
    assert.deepEqual(await store.list(), ['dbid:BBB']);
    assert.equal(await store.delete('dbid:BBB'), true);
    assert.deepEqual(await store.list(), []);
  });

  test('unicode accounts and secrets come back exactly', { skip }, async () => {
    const store = keychain();
    const rows: Array<[string, string]> = [
      ['dbid:ü-日本', '{"t":"日本語 🔑 ﷽ עברית"}'],
      ['e\u0301', 'caf\u0065\u0301 vs caf\u00e9'],
      ['emoji-👩‍💻', JSON.stringify({ token: '\u0000 escaped by JSON', astral: '𝄞𠀀' })],
    ];
    for (const [account, secret] of rows) await store.set(account, secret);
    for (const [account, secret] of rows) assert.equal(await store.get(account), secret);
    assert.equal(await store.get('\u00e9'), undefined, 'NFC and NFD account names are different accounts');
    assert.deepEqual(await store.list(), rows.map(([a]) => a).sort());
    for (const [account] of rows) assert.equal(await store.delete(account), true);
  });

  test('a 4 KB secret round-trips', { skip }, async () => {
    const store = keychain();
    const prefix = '{"access_token":""}'.length;
    const secret = JSON.stringify({ access_token: randomBytes(4096).toString('base64url').slice(0, 4096 - prefix) });
    assert.equal(Buffer.byteLength(secret), 4096);
    await store.set('dbid:BIG', secret);
    assert.equal(await store.get('dbid:BIG'), secret);
    assert.equal(await store.delete('dbid:BIG'), true);
  });

  test('a second open sees what the first stored; other services stay separate', { skip }, async () => {
    const store = keychain();
    await store.set('dbid:SHARED', 'kept');
    const again = await openKeychain({ service: SERVICE });
    const other = await openKeychain({ service: OTHER_SERVICE });
    assert.ok(!isUnavailable(again) && !isUnavailable(other));
    assert.equal(await again.get('dbid:SHARED'), 'kept');
    assert.equal(await other.get('dbid:SHARED'), undefined);
    await other.set('dbid:ELSEWHERE', 'x');
    assert.deepEqual(await store.list(), ['dbid:SHARED']);
    assert.ok(!(await store.list()).includes(PROBE_ACCOUNT));
    assert.equal(await store.delete('dbid:SHARED'), true);
  });

  test('refuses a NUL in the secret (libsecret would silently cut it short)', { skip }, async () => {
    const store = keychain();
    await assert.rejects(store.set('dbid:NUL', 'before\0after'), (err: unknown) => err instanceof SecretStoreError && err.code === 'invalid-argument');
    assert.equal(await store.get('dbid:NUL'), undefined);
  });
});
