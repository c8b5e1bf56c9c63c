// `twinfold serve` as a child process: flag refusals change nothing, a taken port is one clear
// line, and a real run prints the address, answers with the session, stores --app-key and stops
// cleanly on SIGTERM. The UI folder is a stand-in (TWINFOLD_UI_DIR) so this runs without a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { defer, startCli } from '../emulator/support.js';
import { isolatedEnv, startServe, tempDir } from '../e2e/support/serveProcess.js';
import { DEFAULT_SERVE_PORT, defaultStaticDir, parseServeArgs } from '../../src/main/cli/serveCommand.js';

async function uiDir(root: string): Promise<string> {
  const dir = nodePath.join(root, 'ui');
  await mkdir(dir);
  await writeFile(nodePath.join(dir, 'index.html'), '<!doctype html><title>Twinfold test UI</title>');
  return dir;
}

test('flag parsing (table)', () => {
  const env = { XDG_CONFIG_HOME: '/xdg' };
  const rows: [string[], ReturnType<typeof parseServeArgs>][] = [
    [[], { stateDir: '/xdg/twinfold', host: '127.0.0.1', port: DEFAULT_SERVE_PORT, allowedHosts: [], apiUrl: undefined, appKey: undefined, newToken: false }],
    [['--port', '0', '--state', '/s', '--allow-host', 'a.example', '--allow-host', 'b.lan:8443', '--app-key', 'k_1-x', '--api-url', 'http://127.0.0.1:9'], { stateDir: '/s', host: '127.0.0.1', port: 0, allowedHosts: ['a.example', 'b.lan:8443'], apiUrl: 'http://127.0.0.1:9', appKey: 'k_1-x', newToken: false }],
    [['--new-token'], { stateDir: '/xdg/twinfold', host: '127.0.0.1', port: DEFAULT_SERVE_PORT, allowedHosts: [], apiUrl: undefined, appKey: undefined, newToken: true }],
    [['--host', '::1'], { stateDir: '/xdg/twinfold', host: '::1', port: DEFAULT_SERVE_PORT, allowedHosts: [], apiUrl: undefined, appKey: undefined, newToken: false }],
    [['--host', '[::1]'], { stateDir: '/xdg/twinfold', host: '::1', port: DEFAULT_SERVE_PORT, allowedHosts: [], apiUrl: undefined, appKey: undefined, newToken: false }],
    [['-h'], 'help'],
  ];
  for (const [argv, expected] of rows) assert.deepEqual(parseServeArgs(argv, env), expected, argv.join(' '));
});

test('the UI folder is dist/renderer, compiled or from the sources', () => {
  const rows: [string, string][] = [
    ['file:///repo/dist/src/main/cli/serveCommand.js', '/repo/dist/renderer'],
    ['file:///repo/src/main/cli/serveCommand.ts', '/repo/dist/renderer'],
  ];
  for (const [moduleUrl, expected] of rows) assert.equal(defaultStaticDir(moduleUrl), expected);
});

test('bad flags: exit 2 with one line, nothing written', async (t) => {
  const root = await tempDir(t, 'serve-flags');
  const state = nodePath.join(root, 'state');
  const env = isolatedEnv(nodePath.join(root, 'home'), { TWINFOLD_UI_DIR: await uiDir(root) });
  const rows: [string[], RegExp][] = [
    [['--port', 'soon'], /serve: --port must be a whole number/],
    [['--port', '70000'], /serve: --port must be between 0 and 65535/],
    [['--app-key', 'not a key'], /serve: --app-key must be/],
    [['--allow-host', 'evil/x'], /serve: --allow-host must be a host name/],
    [['--host', 'two words'], /serve: --host must be/],
    [['--api-url', 'ftp://x'], /serve: --api-url must be http or https/],
    [['--api-url', 'nope'], /serve: --api-url is not a URL/],
    [['--bogus'], /serve: .*--bogus/],
    [['extra'], /serve: .*extra/],
  ];
  for (const [args, message] of rows) {
    const run = startCli(t, ['serve', '--state', state, '--app-key', 'good-key', ...args], env);
    const { code } = await run.exited;
    assert.equal(code, 2, `${args.join(' ')}: ${run.stderr()}`);
    const lines = run.stderr().trim().split('\n');
    assert.equal(lines.length, 1, run.stderr());
    assert.match(lines[0]!, message);
  }
  assert.equal((await readdir(root)).includes('state'), false, 'no state folder was created');
});

test('--help prints the options and exits 0', async (t) => {
  const run = startCli(t, ['serve', '--help']);
  assert.equal((await run.exited).code, 0);
  assert.match(run.lines.join('\n'), /usage: twinfold serve/);
  assert.match(run.lines.join('\n'), /--allow-host NAME/);
});

test('a missing UI build and a taken port are one clear line each, exit 1', async (t) => {
  const root = await tempDir(t, 'serve-setup');
  const home = nodePath.join(root, 'home');
  const noUi = startCli(t, ['serve', '--port', '0', '--state', nodePath.join(root, 'a')], isolatedEnv(home, { TWINFOLD_UI_DIR: nodePath.join(root, 'missing') }));
  assert.equal((await noUi.exited).code, 1, noUi.stderr());
  assert.match(noUi.stderr().trim(), /^twinfold: serve: the web UI is not built .*run npm run build$/);
  assert.equal((await readdir(root)).includes('a'), false);

  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  defer(t, () => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as { port: number }).port;
  const taken = startCli(t, ['serve', '--port', String(port), '--state', nodePath.join(root, 'b')], isolatedEnv(home, { TWINFOLD_UI_DIR: await uiDir(root) }));
  assert.equal((await taken.exited).code, 1, taken.stderr());
  const lines = taken.stderr().trim().split('\n').filter((l) => !l.includes('warning:'));
  assert.equal(lines.length, 1, taken.stderr());
  assert.match(lines[0]!, new RegExp(`^twinfold: serve: port ${port} on 127\\.0\\.0\\.1 is already in use`));
});

test('a real run: prints the address, the token opens a session, --app-key is saved, SIGTERM exits 0', async (t) => {
  const emu = await startEmulator({ accessTokens: [] });
  defer(t, () => emu.close());
  const root = await tempDir(t, 'serve-run');
  const state = nodePath.join(root, 'state');
  const serve = await startServe(t, ['--port', '0', '--state', state, '--api-url', emu.url, '--app-key', 'test-app'], isolatedEnv(nodePath.join(root, 'home'), { TWINFOLD_UI_DIR: await uiDir(root) }));
  assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  assert.equal(serve.cli.lines.filter((l) => l.startsWith('web ui: ')).length, 1);

  const first = await fetch(serve.url, { redirect: 'manual' });
  assert.equal(first.status, 303);
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.equal(cookie, `twinfold_session_${new URL(serve.url).port}=${serve.token}`);
  assert.match(first.headers.get('content-security-policy') ?? '', new RegExp(`form-action 'self' ${emu.url.replace(/[.]/g, '\\.')};`));

  const page = await fetch(new URL('/', serve.url), { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Twinfold test UI/);

  const call = await fetch(new URL('/api/call/getState', serve.url), { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-twinfold-request': '1' }, body: '{}' });
  assert.equal(call.status, 200);
  const { result } = (await call.json()) as { result: { settings: { appKey?: string }; host: { kind: string }; account?: unknown } };
  assert.equal(result.settings.appKey, 'test-app');
  assert.equal(result.host.kind, 'web');
  assert.equal(result.account, undefined);

  const settings = JSON.parse(await readFile(nodePath.join(state, 'settings.json'), 'utf8')) as { appKey?: string };
  assert.equal(settings.appKey, 'test-app');
  assert.equal(await serve.stop(), 0, serve.cli.stderr());
  assert.doesNotMatch(serve.cli.stderr(), new RegExp(serve.token));
});

test('the address survives a restart; --new-token replaces it and the old one stops working', async (t) => {
  const root = await tempDir(t, 'serve-token');
  const state = nodePath.join(root, 'state');
  const env = isolatedEnv(nodePath.join(root, 'home'), { TWINFOLD_UI_DIR: await uiDir(root) });
  const args = ['--port', '0', '--state', state, '--app-key', 'test-app'];

  const first = await startServe(t, args, env);
  assert.equal(await first.stop(), 0, first.cli.stderr());
  const tokenFile = nodePath.join(state, 'web-ui-token');
  assert.equal((await readFile(tokenFile, 'utf8')).trim(), first.token);
  if (process.platform !== 'win32') assert.equal((await stat(tokenFile)).mode & 0o777, 0o600, 'readable by the user only');

  const again = await startServe(t, args, env);
  assert.equal(again.token, first.token, 'a restart keeps the token');
  assert.equal(await again.stop(), 0, again.cli.stderr());

  const rotated = await startServe(t, [...args, '--new-token'], env);
  assert.notEqual(rotated.token, first.token);
  assert.equal((await fetch(new URL(`/?token=${first.token}`, rotated.url), { redirect: 'manual' })).status, 401, 'the old address is refused');
  assert.equal((await fetch(rotated.url, { redirect: 'manual' })).status, 303);
  assert.equal(await rotated.stop(), 0, rotated.cli.stderr());
});
