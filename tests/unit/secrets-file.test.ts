// The bare-server token file: user-only modes, atomic replacement, and refusing files that other
// users could read or own, with errors that say how to fix things and never quote a token.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { defaultSecretsDir, FileSecretStore, SECRETS_FILE_NAME } from '../../src/main/core/secrets/fileStore.js';
import { SecretStoreError, type SecretStoreErrorCode } from '../../src/main/core/secrets/errors.js';
import { tempDirPerFile } from '../helpers/tempDir.js';

const TOKEN = JSON.stringify({ access_token: 'sl.TOPSECRET-abc123' });
const isRoot = process.getuid?.() === 0;
const OTHER_UID = 65534; // "nobody" on Debian; any uid that is not ours will do
const posixOnly = process.platform === 'win32' ? 'file modes and owners are POSIX-only' : false;

const fresh = tempDirPerFile('secrets-file');

/** A fresh, not yet existing folder for one store. */
function freshDir(): string {
  return path.join(fresh('case'), 'twinfold');
}

async function mode(p: string): Promise<number> {
  return (await fs.stat(p)).mode & 0o777;
}

function storeError(code: SecretStoreErrorCode, mustMention: string[], mustNotMention: string[] = ['TOPSECRET']) {
  return (err: unknown) => {
    assert.ok(err instanceof SecretStoreError, `expected a SecretStoreError, got ${String(err)}`);
    assert.equal(err.code, code);
    for (const s of mustMention) assert.ok(err.message.includes(s), `message should mention ${JSON.stringify(s)}: ${err.message}`);
    for (const s of mustNotMention) assert.ok(!err.message.includes(s), `message must not contain ${JSON.stringify(s)}: ${err.message}`);
    return true;
  };
}

async function withUmask<T>(mask: number, run: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await run();
  } finally {
    process.umask(previous);
  }
}

describe('defaultSecretsDir', () => {
  const rows: Array<[NodeJS.ProcessEnv, string]> = [
    [{ XDG_CONFIG_HOME: '/srv/cfg' }, '/srv/cfg/twinfold'],
    [{}, '/home/ann/.config/twinfold'],
    [{ XDG_CONFIG_HOME: '' }, '/home/ann/.config/twinfold'],
    [{ XDG_CONFIG_HOME: 'relative/cfg' }, '/home/ann/.config/twinfold'], // the XDG spec says ignore relative paths
  ];
  for (const [env, expected] of rows) {
    test(`${JSON.stringify(env)} -> ${expected}`, { skip: process.platform === 'win32' }, () => {
      assert.equal(defaultSecretsDir(env, '/home/ann'), expected);
    });
  }
});

describe('FileSecretStore', () => {
  test('kind and the warning the caller must show', () => {
    const dir = freshDir();
    const store = new FileSecretStore(dir);
    assert.equal(store.kind, 'plain-file');
    assert.equal(store.path, path.join(dir, SECRETS_FILE_NAME));
    assert.equal(store.warning, `No OS keychain was found; tokens are stored in ${path.join(dir, 'secrets.json')}, readable only by you.`);
  });

  for (const umask of [0o000, 0o022, 0o077]) {
    test(`creates the folder 0700 and the file 0600 whatever the umask (${umask.toString(8).padStart(3, '0')})`, { skip: posixOnly }, async () => {
      const dir = freshDir();
      await withUmask(umask, () => new FileSecretStore(dir).set('dbid:AAA', TOKEN));
      assert.equal(await mode(dir), 0o700);
      assert.equal(await mode(path.join(dir, SECRETS_FILE_NAME)), 0o600);
    });
  }

  test('tightens an existing folder of ours to 0700', { skip: posixOnly }, async () => {
    const dir = freshDir();
    await fs.mkdir(dir, { recursive: true });
    await fs.chmod(dir, 0o755);
    await new FileSecretStore(dir).set('dbid:AAA', TOKEN);
    assert.equal(await mode(dir), 0o700);
  });

  test('stores a versioned JSON document that a new instance reads back', async () => {
    const dir = freshDir();
    await new FileSecretStore(dir).set('dbid:AAA', TOKEN);
    const onDisk: unknown = JSON.parse(await fs.readFile(path.join(dir, SECRETS_FILE_NAME), 'utf8'));
    assert.deepEqual(onDisk, { version: 1, secrets: { 'dbid:AAA': TOKEN } });
    assert.equal(await new FileSecretStore(dir).get('dbid:AAA'), TOKEN);
  });

  test('replaces the file by rename (new inode) and leaves no temp files behind', { skip: posixOnly }, async () => {
    const dir = freshDir();
    const store = new FileSecretStore(dir);
    await store.set('dbid:AAA', 'one');
    const before = (await fs.stat(store.path)).ino;
    await store.set('dbid:AAA', 'two');
    assert.notEqual((await fs.stat(store.path)).ino, before, 'the file was rewritten in place, not replaced');
    assert.deepEqual(await fs.readdir(dir), [SECRETS_FILE_NAME]);
  });

  test('a temp file left by a crashed write is ignored', async () => {
    const dir = freshDir();
    const store = new FileSecretStore(dir);
    await store.set('dbid:AAA', TOKEN);
    await fs.writeFile(path.join(dir, `.${SECRETS_FILE_NAME}.999.deadbeef.tmp`), '{"version":1,"secr', { mode: 0o600 });
    assert.deepEqual(await store.list(), ['dbid:AAA']);
    assert.equal(await store.get('dbid:AAA'), TOKEN);
  });

  test('concurrent set() calls on one store all land', async () => {
    const store = new FileSecretStore(freshDir());
    const accounts = Array.from({ length: 25 }, (_, i) => `dbid:${String(i).padStart(2, '0')}`);
    await Promise.all(accounts.map((a) => store.set(a, `token-${a}`)));
    assert.deepEqual(await store.list(), accounts);
    for (const a of accounts) assert.equal(await store.get(a), `token-${a}`);
  });

  test('deleting the last account removes the file; deleting an unknown one writes nothing', async () => {
    const dir = freshDir();
    const store = new FileSecretStore(dir);
    assert.equal(await store.delete('dbid:NONE'), false);
    await assert.rejects(fs.stat(dir), { code: 'ENOENT' });
    await store.set('dbid:AAA', TOKEN);
    assert.equal(await store.delete('dbid:AAA'), true);
    await assert.rejects(fs.stat(store.path), { code: 'ENOENT' });
    assert.deepEqual(await store.list(), []);
  });

  for (const bad of [0o644, 0o640, 0o604, 0o660, 0o606]) {
    test(`refuses a file with mode ${bad.toString(8).padStart(4, '0')}, says how to fix it, and does not overwrite it`, { skip: posixOnly }, async () => {
      const dir = freshDir();
      const store = new FileSecretStore(dir);
      await store.set('dbid:AAA', TOKEN);
      await fs.chmod(store.path, bad);
      const expected = storeError('insecure-permissions', [store.path, `chmod 600 '${store.path}'`, bad.toString(8).padStart(4, '0')]);
      await assert.rejects(store.get('dbid:AAA'), expected);
      await assert.rejects(store.list(), expected);
      await assert.rejects(store.set('dbid:BBB', 'other'), expected);
      await assert.rejects(store.delete('dbid:AAA'), expected);
      assert.deepEqual(JSON.parse(await fs.readFile(store.path, 'utf8')), { version: 1, secrets: { 'dbid:AAA': TOKEN } });
      // Following the advice in the message makes it usable again.
      await fs.chmod(store.path, 0o600);
      assert.equal(await store.get('dbid:AAA'), TOKEN);
    });
  }

  test('refuses a symlink in place of the file', { skip: posixOnly }, async () => {
    const dir = freshDir();
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const elsewhere = `${fresh('elsewhere')}.json`;
    await fs.writeFile(elsewhere, JSON.stringify({ version: 1, secrets: { 'dbid:AAA': TOKEN } }), { mode: 0o600 });
    await fs.symlink(elsewhere, path.join(dir, SECRETS_FILE_NAME));
    await assert.rejects(new FileSecretStore(dir).get('dbid:AAA'), storeError('insecure-permissions', ['symbolic link']));
  });

  test('refuses a file owned by another user', { skip: posixOnly || (!isRoot && 'needs root to chown a file to another user') }, async () => {
    const dir = freshDir();
    const store = new FileSecretStore(dir);
    await store.set('dbid:AAA', TOKEN);
    await fs.chown(store.path, OTHER_UID, OTHER_UID);
    await assert.rejects(store.get('dbid:AAA'), storeError('wrong-owner', [store.path, `user id ${OTHER_UID}`]));
  });

  test('refuses to write into a folder owned by another user', { skip: posixOnly || (!isRoot && 'needs root to chown a folder to another user') }, async () => {
    const dir = freshDir();
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chown(dir, OTHER_UID, OTHER_UID);
    await assert.rejects(new FileSecretStore(dir).set('dbid:AAA', TOKEN), storeError('wrong-owner', [dir]));
    assert.deepEqual(await fs.readdir(dir), []);
  });

  const corrupt: Array<[string, string, string]> = [
    ['a bare token (the JSON parser would quote it)', 'sl.TOPSECRET-abc123', 'not valid JSON'],
    ['truncated JSON', `{"version":1,"secrets":{"dbid:AAA":${JSON.stringify(TOKEN)}`, 'not valid JSON'],
    ['an array', `[${JSON.stringify(TOKEN)}]`, 'not a version 1 Twinfold secrets file'],
    ['an unknown version', JSON.stringify({ version: 2, secrets: { 'dbid:AAA': TOKEN } }), 'not a version 1 Twinfold secrets file'],
    ['secrets not an object', JSON.stringify({ version: 1, secrets: [TOKEN] }), 'no "secrets" object'],
    ['a secret that is not a string', JSON.stringify({ version: 1, secrets: { 'dbid:AAA': { t: 'sl.TOPSECRET' } } }), 'not a string'],
  ];
  for (const [what, content, why] of corrupt) {
    test(`a file holding ${what} is a clear "corrupt" error that quotes none of it`, async () => {
      const dir = freshDir();
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, SECRETS_FILE_NAME);
      await fs.writeFile(file, content, { mode: 0o600 });
      await assert.rejects(new FileSecretStore(dir).list(), storeError('corrupt', [file, why, 'sign in again'], ['TOPSECRET', 'abc123']));
    });
  }

  test('a folder in place of the file is reported, not crashed on', async () => {
    const dir = freshDir();
    await fs.mkdir(path.join(dir, SECRETS_FILE_NAME), { recursive: true });
    await fs.chmod(path.join(dir, SECRETS_FILE_NAME), 0o700);
    await assert.rejects(new FileSecretStore(dir).get('dbid:AAA'), storeError('corrupt', ['not a regular file']));
  });
});
