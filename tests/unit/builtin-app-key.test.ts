// The app key a build carries: read from package.json's twinfold.dropboxAppKey, absent in the
// source tree (the window and serve then ask for one), overridden by TWINFOLD_DROPBOX_APP_KEY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { builtinAppKey, defaultAppKey, packageJsonPath } from '../../src/main/service/account/builtinAppKey.js';
import { DROPBOX_LOOPBACK_PORT } from '../../src/main/service/account/loopbackRedirect.js';
import { DESKTOP_LOOPBACK_PORT, redirectUrisToRegister } from '../../src/renderer/logic/appKeySetup.js';

test('the package.json is found from the sources and from dist/', () => {
  const rows: [string, string][] = [
    ['file:///repo/src/main/service/account/builtinAppKey.ts', '/repo/package.json'],
    ['file:///repo/dist/src/main/service/account/builtinAppKey.js', '/repo/package.json'],
  ];
  for (const [moduleUrl, expected] of rows) assert.equal(packageJsonPath(moduleUrl), expected);
});

test('the checkout carries no built-in key, so the default build behaves as before', () => {
  assert.equal(builtinAppKey(), undefined);
  assert.equal(defaultAppKey({}), undefined);
});

test('built-in key and environment (table)', async (t) => {
  const dir = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-appkey-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rows: [string, unknown, NodeJS.ProcessEnv, string | undefined | RegExp][] = [
    ['none', { name: 'twinfold' }, {}, undefined],
    ['empty', { twinfold: { dropboxAppKey: '' } }, {}, undefined],
    ['set', { twinfold: { dropboxAppKey: 'abc_123-x' } }, {}, 'abc_123-x'],
    ['env wins', { twinfold: { dropboxAppKey: 'abc' } }, { TWINFOLD_DROPBOX_APP_KEY: ' mine ' }, 'mine'],
    ['blank env falls back', { twinfold: { dropboxAppKey: 'abc' } }, { TWINFOLD_DROPBOX_APP_KEY: '  ' }, 'abc'],
    ['malformed', { twinfold: { dropboxAppKey: 'not a key' } }, {}, /twinfold\.dropboxAppKey must be a Dropbox app key/],
    ['not a string', { twinfold: { dropboxAppKey: 42 } }, {}, /twinfold\.dropboxAppKey must be/],
  ];
  for (const [name, pkg, env, expected] of rows) {
    const file = nodePath.join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(pkg));
    if (expected instanceof RegExp) assert.throws(() => defaultAppKey(env, file), expected, name);
    else assert.equal(defaultAppKey(env, file), expected, name);
  }
  assert.equal(builtinAppKey(nodePath.join(dir, 'missing.json')), undefined, 'no package.json: no key');
});

test('without a built-in key the window names the exact redirect URIs to register (table)', () => {
  const rows: [Parameters<typeof redirectUrisToRegister>, string[]][] = [
    [['electron', ''], ['http://127.0.0.1:53682/']],
    [['web', '53690'], ['http://127.0.0.1:53690/oauth/callback', 'http://localhost:53690/oauth/callback']],
    [['web', ''], ['http://127.0.0.1:80/oauth/callback', 'http://localhost:80/oauth/callback']],
  ];
  for (const [args, expected] of rows) assert.deepEqual(redirectUrisToRegister(...args), expected, args.join(' '));
  assert.equal(DESKTOP_LOOPBACK_PORT, DROPBOX_LOOPBACK_PORT, 'the window and the loopback listener agree');
});
