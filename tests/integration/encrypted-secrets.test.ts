// The desktop keychain fallback: tokens sealed with a cipher (safeStorage in the app, AES-GCM here)
// in a user-only file. Checks that nothing readable reaches the disk, the file rules of the plain
// store still hold, and damaged or foreign entries fail clearly without leaking anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { EncryptedFileSecretStore, type StringCipher } from '../../src/main/core/secrets/encryptedFileStore.js';
import { openSecretStore } from '../../src/main/core/secrets/openSecretStore.js';
import { SecretStoreError } from '../../src/main/core/secrets/errors.js';
import { tempDirPerFile } from '../helpers/tempDir.js';

const TOKEN = JSON.stringify({ access_token: 'sl.TOPSECRET-abc123', refresh_token: 'REFRESHSECRET' });
const posixOnly = process.platform === 'win32' ? 'file modes are POSIX-only' : false;

/** AES-256-GCM with a per-instance key: a stand-in for safeStorage with the same contract. */
function aesCipher(key = randomBytes(32)): StringCipher {
  return {
    encryptString(text) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(buf) {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const fresh = tempDirPerFile('encsecrets');
const freshDir = () => path.join(fresh('case'), 'secure');

function refusedWithout(code: string, secretWords: string[]) {
  return (err: unknown) => {
    assert.ok(err instanceof SecretStoreError, String(err));
    assert.equal(err.code, code);
    for (const w of secretWords) assert.ok(!err.message.includes(w), `message leaks ${w}: ${err.message}`);
    return true;
  };
}

test('round trip; the file holds no readable token; modes are user-only', async () => {
  const dir = freshDir();
  const store = new EncryptedFileSecretStore({ dir, cipher: aesCipher() });
  assert.equal(store.kind, 'encrypted-file');
  assert.match(store.warning, /keychain was unavailable.*safe storage/);
  assert.equal(await store.get('dbid:1'), undefined);
  await store.set('dbid:1', TOKEN);
  await store.set('dbid:2', 'other');
  assert.equal(await store.get('dbid:1'), TOKEN);
  assert.deepEqual(await store.list(), ['dbid:1', 'dbid:2']);
  const onDisk = await fs.readFile(store.path, 'utf8');
  assert.ok(!onDisk.includes('TOPSECRET') && !onDisk.includes('REFRESHSECRET'), 'the token is not on disk in clear');
  assert.match(onDisk, /"dbid:1": "enc1:/);
  if (!posixOnly) {
    assert.equal((await fs.stat(store.path)).mode & 0o777, 0o600);
    assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
  }
  assert.equal(await store.delete('dbid:1'), true);
  assert.equal(await store.delete('dbid:1'), false);
  assert.equal(await store.delete('dbid:2'), true);
  await assert.rejects(fs.stat(store.path), { code: 'ENOENT' }, 'no file once the last token is gone');
});

test('a new store over the same file and key reads what was stored', async () => {
  const dir = freshDir();
  const key = randomBytes(32);
  await new EncryptedFileSecretStore({ dir, cipher: aesCipher(key) }).set('dbid:1', TOKEN);
  assert.equal(await new EncryptedFileSecretStore({ dir, cipher: aesCipher(key) }).get('dbid:1'), TOKEN);
});

test("another key (another user or machine) cannot read it and says so without leaking", async () => {
  const dir = freshDir();
  await new EncryptedFileSecretStore({ dir, cipher: aesCipher() }).set('dbid:1', TOKEN);
  await assert.rejects(new EncryptedFileSecretStore({ dir, cipher: aesCipher() }).get('dbid:1'), refusedWithout('corrupt', ['TOPSECRET', 'enc1:']));
});

test('a plain token planted in the file is refused, not returned', async () => {
  const dir = freshDir();
  const store = new EncryptedFileSecretStore({ dir, cipher: aesCipher() });
  await store.set('dbid:1', TOKEN);
  await fs.writeFile(store.path, JSON.stringify({ version: 1, secrets: { 'dbid:1': 'sl.TOPSECRET-planted' } }), { mode: 0o600 });
  await assert.rejects(store.get('dbid:1'), refusedWithout('corrupt', ['TOPSECRET']));
});

test('insecure permissions are refused, as for the plain file', { skip: posixOnly }, async () => {
  const dir = freshDir();
  const store = new EncryptedFileSecretStore({ dir, cipher: aesCipher() });
  await store.set('dbid:1', TOKEN);
  await fs.chmod(store.path, 0o644);
  await assert.rejects(store.get('dbid:1'), refusedWithout('insecure-permissions', ['TOPSECRET']));
  await assert.rejects(store.set('dbid:1', 'x'), refusedWithout('insecure-permissions', ['TOPSECRET']));
});

test('a cipher that fails to encrypt changes nothing and leaks nothing', async () => {
  const dir = freshDir();
  const good = aesCipher();
  const store = new EncryptedFileSecretStore({ dir, cipher: good });
  await store.set('dbid:1', TOKEN);
  const before = await fs.readFile(store.path, 'utf8');
  const broken = new EncryptedFileSecretStore({
    dir,
    cipher: { encryptString: (s) => { throw new Error(`cannot encrypt ${s}`); }, decryptString: good.decryptString },
  });
  await assert.rejects(broken.set('dbid:1', 'sl.TOPSECRET-new'), refusedWithout('unavailable', ['TOPSECRET']));
  assert.equal(await fs.readFile(store.path, 'utf8'), before);
});

test('bad arguments are refused before anything is written', async () => {
  const store = new EncryptedFileSecretStore({ dir: freshDir(), cipher: aesCipher() });
  await assert.rejects(store.set('', TOKEN), refusedWithout('invalid-argument', ['TOPSECRET']));
  await assert.rejects(store.set('dbid:1', ''), refusedWithout('invalid-argument', []));
  await assert.rejects(fs.stat(store.path), { code: 'ENOENT' });
});

test('openSecretStore picks the encrypted store when the keychain is unavailable', async () => {
  const dir = freshDir();
  const reasons: string[] = [];
  const store = await openSecretStore({
    allowFileFallback: false,
    openKeychain: async () => ({ unavailable: 'no D-Bus' }),
    onKeychainUnavailable: (r) => reasons.push(r),
    encryptedFactory: () => new EncryptedFileSecretStore({ dir, cipher: aesCipher() }),
  });
  assert.equal(store.kind, 'encrypted-file');
  assert.deepEqual(reasons, ['no D-Bus']);
  await assert.rejects(
    openSecretStore({ allowFileFallback: false, openKeychain: async () => ({ unavailable: 'no D-Bus' }), encryptedFactory: () => undefined }),
    refusedWithout('unavailable', []),
  );
});
