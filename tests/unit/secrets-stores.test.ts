// The SecretStore contract, run against the in-memory store and the file store alike, so the test
// double and the real fallback cannot drift apart. (The keychain runs the same checks in
// tests/integration/secrets-keychain.test.ts against a real Secret Service.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemorySecretStore } from '../../src/main/core/secrets/memoryStore.js';
import { FileSecretStore } from '../../src/main/core/secrets/fileStore.js';
import { SecretStoreError } from '../../src/main/core/secrets/errors.js';
import type { SecretStore } from '../../src/main/core/secrets/secretStore.js';

const TOKEN = JSON.stringify({ access_token: 'sl.TOPSECRET-abc123', refresh_token: 'rt-TOPSECRET-xyz' });

function isInvalidArgument(secretThatMustNotLeak?: string) {
  return (err: unknown) => {
    assert.ok(err instanceof SecretStoreError);
    assert.equal(err.code, 'invalid-argument');
    if (secretThatMustNotLeak) assert.ok(!err.message.includes(secretThatMustNotLeak), 'the secret leaked into the message');
    return true;
  };
}

let base: string;
before(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'twinfold-secrets-contract-'));
});
after(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

let counter = 0;
const backends: Array<[string, () => SecretStore]> = [
  ['memory', () => new MemorySecretStore()],
  ['plain file', () => new FileSecretStore(path.join(base, `store-${++counter}`))],
];

for (const [name, open] of backends) {
  describe(`SecretStore contract: ${name}`, () => {
    test('an empty store has nothing', async () => {
      const store = open();
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get('dbid:AAA'), undefined);
      assert.equal(await store.delete('dbid:AAA'), false);
    });

    test('set, get, overwrite, list (sorted), delete', async () => {
      const store = open();
      await store.set('dbid:BBB', TOKEN);
      await store.set('dbid:AAA', 'first');
      await store.set('dbid:AAA', 'second');
      assert.equal(await store.get('dbid:AAA'), 'second');
      assert.equal(await store.get('dbid:BBB'), TOKEN);
      assert.deepEqual(await store.list(), ['dbid:AAA', 'dbid:BBB']);
      assert.equal(await store.delete('dbid:AAA'), true);
      assert.equal(await store.delete('dbid:AAA'), false);
      assert.equal(await store.get('dbid:AAA'), undefined);
      assert.deepEqual(await store.list(), ['dbid:BBB']);
    });

    test('unicode accounts and secrets come back exactly, without normalisation', async () => {
      const store = open();
      const rows: Array<[string, string]> = [
        ['dbid:ü-日本', '{"t":"日本語 🔑 ﷽ עברית"}'],
        ['e\u0301', 'caf\u0065\u0301 vs caf\u00e9'],
        ['emoji-👩‍💻', '"\\u0000 is escaped in JSON, a real NUL is refused"'],
      ];
      for (const [account, secret] of rows) await store.set(account, secret);
      for (const [account, secret] of rows) assert.equal(await store.get(account), secret);
      assert.equal(await store.get('\u00e9'), undefined, 'NFC and NFD account names are different accounts');
    });

    test('account names that mean something to JS objects are plain keys', async () => {
      const store = open();
      for (const account of ['__proto__', 'constructor', 'toString']) await store.set(account, `secret-of-${account}`);
      for (const account of ['__proto__', 'constructor', 'toString']) assert.equal(await store.get(account), `secret-of-${account}`);
      assert.deepEqual(await store.list(), ['__proto__', 'constructor', 'toString']);
      assert.equal(await store.get('hasOwnProperty'), undefined);
    });

    test('a 4 KB secret round-trips', async () => {
      const store = open();
      const secret = JSON.stringify({ access_token: 'x'.repeat(4096 - '{"access_token":""}'.length) });
      assert.equal(Buffer.byteLength(secret), 4096);
      await store.set('dbid:BIG', secret);
      assert.equal(await store.get('dbid:BIG'), secret);
    });

    test('refuses empty or NUL-containing accounts and secrets, without echoing the secret', async () => {
      const store = open();
      await assert.rejects(store.set('', TOKEN), isInvalidArgument(TOKEN));
      await assert.rejects(store.set('a\0b', TOKEN), isInvalidArgument(TOKEN));
      await assert.rejects(store.set('dbid:AAA', ''), isInvalidArgument());
      await assert.rejects(store.set('dbid:AAA', `${TOKEN}\0tail`), isInvalidArgument(TOKEN));
      await assert.rejects(store.get(''), isInvalidArgument());
      await assert.rejects(store.delete(''), isInvalidArgument());
      assert.deepEqual(await store.list(), []);
    });

    test('inspecting the store does not print secrets', async () => {
      const store = open();
      await store.set('dbid:AAA', TOKEN);
      assert.ok(!inspect(store, { depth: 10, showHidden: true }).includes('TOPSECRET'));
    });
  });
}

test('the memory store carries an optional warning and kind "memory"', () => {
  assert.equal(new MemorySecretStore().kind, 'memory');
  assert.equal(new MemorySecretStore().warning, undefined);
  assert.equal(new MemorySecretStore('shown to the user').warning, 'shown to the user');
});
