// `twinfold demo` as a user runs it: one command starts the emulator, the web UI and a demo pair;
// a file dropped in the demo folder reaches /Demo on the emulated Dropbox; SIGTERM stops it all;
// a second run continues; a non-empty folder it did not create is refused and left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { startCli } from '../emulator/support.js';
import { isolatedEnv, tempDir } from '../e2e/support/serveProcess.js';
import { DEFAULT_DEMO_PORT, parseDemoArgs } from '../../src/main/cli/demoCommand.js';
import { SAMPLE_FILES } from '../../src/main/cli/demoFolder.js';
import { waitFor } from '../helpers/syncHarness.js';

async function uiDir(root: string): Promise<string> {
  const dir = nodePath.join(root, 'ui');
  await mkdir(dir, { recursive: true });
  await writeFile(nodePath.join(dir, 'index.html'), '<!doctype html><title>Twinfold test UI</title>');
  return dir;
}

/** Metadata of a path on the emulated Dropbox through its API, or undefined when it is not there. */
async function remoteEntry(dropboxUrl: string, path: string): Promise<{ name: string } | undefined> {
  const url = new URL(dropboxUrl);
  const res = await fetch(new URL('/2/files/get_metadata', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${url.searchParams.get('token') ?? ''}`, 'content-type': 'application/json' },
    body: JSON.stringify({ path }),
  });
  return res.status === 200 ? ((await res.json()) as { name: string }) : undefined;
}

test('flag parsing (table)', () => {
  const env = { XDG_CONFIG_HOME: '/xdg' };
  const rows: [string[], ReturnType<typeof parseDemoArgs> | RegExp][] = [
    [[], { serve: { stateDir: '/xdg/twinfold-demo', host: '127.0.0.1', port: DEFAULT_DEMO_PORT, allowedHosts: [], newToken: false }, folder: '/home/u/Twinfold Demo', open: true }],
    [['--state', '/s', '--port', '0', '--folder', '/f', '--no-open'], { serve: { stateDir: '/s', host: '127.0.0.1', port: 0, allowedHosts: [], newToken: false }, folder: '/f', open: false }],
    [['--state', '/xdg/twinfold'], /demo: --state must not be the state folder of twinfold serve/],
    [['--port', 'x'], /demo: --port must be a whole number/],
    [['--folder', ''], /demo: --folder must not be empty/],
    [['--help'], 'help'],
  ];
  for (const [argv, expected] of rows) {
    if (expected instanceof RegExp) assert.throws(() => parseDemoArgs(argv, env, '/home/u'), expected, argv.join(' '));
    else assert.deepEqual(parseDemoArgs(argv, env, '/home/u'), expected, argv.join(' '));
  }
});

test('demo: samples and a dropped file reach /Demo, SIGTERM stops it, a second run continues', async (t) => {
  const root = await tempDir(t, 'demo-run');
  const folder = nodePath.join(root, 'Twinfold Demo');
  const env = isolatedEnv(nodePath.join(root, 'home'), { TWINFOLD_UI_DIR: await uiDir(root) });
  const args = ['demo', '--state', nodePath.join(root, 'state'), '--folder', folder, '--port', '0', '--no-open'];

  const first = startCli(t, args, env);
  await first.waitForLine(/^demo folder: /, 60_000);
  const webUi = first.lines.find((l) => l.startsWith('web ui: '))!.slice('web ui: '.length);
  const dropbox = first.lines.find((l) => l.startsWith('dropbox: '))!.slice('dropbox: '.length);
  assert.match(webUi, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  assert.match(dropbox, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+$/);
  assert.deepEqual((await readdir(folder)).filter((n) => n !== '.twinfold').sort(), ['Notes', 'Welcome.txt']);
  assert.equal(await readFile(nodePath.join(folder, 'Welcome.txt'), 'utf8'), SAMPLE_FILES['Welcome.txt']);

  const page = await fetch(dropbox, { redirect: 'manual' });
  assert.equal(page.status, 303, 'the printed dropbox address opens the emulator page');

  await waitFor('the samples reach /Demo', async () => (await remoteEntry(dropbox, '/Demo/Notes/todo.txt')) !== undefined, 30_000);
  await writeFile(nodePath.join(folder, 'dropped.txt'), 'dropped in the demo folder');
  await waitFor('the dropped file reaches /Demo', async () => (await remoteEntry(dropbox, '/Demo/dropped.txt')) !== undefined, 30_000);

  first.child.kill('SIGTERM');
  assert.equal((await first.exited).code, 0, first.stderr());
  assert.doesNotMatch(first.stderr(), /Bearer|refresh/i, 'no token in the log');

  const second = startCli(t, args, env);
  await second.waitForLine(/^demo folder: /, 60_000);
  const webUi2 = second.lines.find((l) => l.startsWith('web ui: '))!.slice('web ui: '.length);
  assert.equal(new URL(webUi2).searchParams.get('token'), new URL(webUi).searchParams.get('token'), 'the same web UI token');
  const dropbox2 = second.lines.find((l) => l.startsWith('dropbox: '))!.slice('dropbox: '.length);
  assert.ok(await remoteEntry(dropbox2, '/Demo/dropped.txt'), 'the emulated Dropbox kept its files');
  assert.equal(await readFile(nodePath.join(folder, 'dropped.txt'), 'utf8'), 'dropped in the demo folder');
  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0, second.stderr());
});

test('demo: a non-empty folder it did not create is refused and left as it was', async (t) => {
  const root = await tempDir(t, 'demo-busy');
  const folder = nodePath.join(root, 'mine');
  await mkdir(folder);
  await writeFile(nodePath.join(folder, 'keep.txt'), 'mine');
  const env = isolatedEnv(nodePath.join(root, 'home'), { TWINFOLD_UI_DIR: await uiDir(root) });
  const run = startCli(t, ['demo', '--state', nodePath.join(root, 'state'), '--folder', folder, '--port', '0', '--no-open'], env);
  assert.equal((await run.exited).code, 1, run.stderr());
  assert.match(run.stderr(), /demo: .*mine already exists and is not empty.*--folder DIR/);
  assert.deepEqual(await readdir(folder), ['keep.txt']);
});
