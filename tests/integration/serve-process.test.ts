// `twinfold serve` and its state folder: one process per --state for the life of the process (a
// second one exits naming the first, having written nothing), and a damaged secrets file reported
// at start with its path and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { defer, startCli } from '../emulator/support.js';
import { isolatedEnv, startServe, tempDir } from '../e2e/support/serveProcess.js';

async function uiDir(root: string): Promise<string> {
  const dir = nodePath.join(root, 'ui');
  await mkdir(dir);
  await writeFile(nodePath.join(dir, 'index.html'), '<!doctype html><title>Twinfold test UI</title>');
  return dir;
}

test('a second serve on the same --state exits at once, names the first, and writes nothing', { timeout: 30_000 }, async (t) => {
  const emu = await startEmulator({ accessTokens: [] });
  defer(t, () => emu.close());
  const root = await tempDir(t, 'serve-twice');
  const state = nodePath.join(root, 'state');
  const env = isolatedEnv(nodePath.join(root, 'home'), { TWINFOLD_UI_DIR: await uiDir(root) });
  const first = await startServe(t, ['--port', '0', '--state', state, '--api-url', emu.url, '--app-key', 'first-key'], env);
  const settingsBefore = await readFile(nodePath.join(state, 'settings.json'), 'utf8');

  const second = startCli(t, ['serve', '--port', '0', '--state', state, '--api-url', emu.url, '--app-key', 'second-key'], env);
  assert.equal((await second.exited).code, 1, second.stderr());
  assert.equal(second.stderr().trim(), `twinfold: serve: another Twinfold process (pid ${first.cli.child.pid}) is already syncing with the state folder ${state}`);
  assert.equal(await readFile(nodePath.join(state, 'settings.json'), 'utf8'), settingsBefore, 'the settings are untouched');
  assert.equal(await first.stop(), 0, first.cli.stderr());

  // Stopped, the folder is free again.
  const again = await startServe(t, ['--port', '0', '--state', state, '--api-url', emu.url], env);
  assert.equal(await again.stop(), 0, again.cli.stderr());
});

test('a damaged secrets file is reported when serve starts, with its path and what to do', { timeout: 30_000 }, async (t) => {
  const root = await tempDir(t, 'serve-secrets');
  const state = nodePath.join(root, 'state');
  await mkdir(state, { mode: 0o700 });
  const secrets = nodePath.join(state, 'secrets.json');
  await writeFile(secrets, '{ not json', { mode: 0o600 });
  const run = startCli(t, ['serve', '--port', '0', '--state', state], isolatedEnv(nodePath.join(root, 'home'), { TWINFOLD_UI_DIR: await uiDir(root) }));
  assert.equal((await run.exited).code, 1, run.stderr());
  const lines = run.stderr().trim().split('\n').filter((l) => !l.includes('warning:'));
  assert.deepEqual(lines, [`twinfold: serve: ${secrets} is not valid JSON, so the saved tokens cannot be read. Move it aside or delete it, then sign in again.`]);
});
