// Start-up rules of the desktop app: when the window opens, the environment overrides, and the
// quit sequence that waits for the engines (without ever making quitting impossible).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppEnvError, QuitSequence, readAppEnv, shouldOpenWindowAtStart, type StartFacts } from '../../src/main/app/startup.js';

test('window at start', () => {
  const cases: Array<[StartFacts, boolean]> = [
    [{ argv: ['/opt/twinfold'], wasOpenedAtLogin: false, hasAccount: false }, true],
    [{ argv: ['/opt/twinfold'], wasOpenedAtLogin: false, hasAccount: true }, false],
    [{ argv: ['/opt/twinfold', '--hidden'], wasOpenedAtLogin: false, hasAccount: false }, false],
    [{ argv: ['/opt/twinfold'], wasOpenedAtLogin: true, hasAccount: false }, false],
  ];
  for (const [facts, expected] of cases) assert.equal(shouldOpenWindowAtStart(facts), expected, JSON.stringify(facts));
});

test('environment overrides', () => {
  const cases: Array<[NodeJS.ProcessEnv, ReturnType<typeof readAppEnv>]> = [
    [{}, {}],
    [{ TWINFOLD_API_URL: ' http://127.0.0.1:4567/ ' }, { apiUrl: 'http://127.0.0.1:4567' }],
    [{ TWINFOLD_DROPBOX_APP_KEY: 'abc_DEF-1' }, { envAppKey: 'abc_DEF-1' }],
    [{ TWINFOLD_API_URL: '', TWINFOLD_DROPBOX_APP_KEY: '' }, {}],
  ];
  for (const [env, expected] of cases) assert.deepEqual(readAppEnv(env), expected);
  for (const env of [{ TWINFOLD_API_URL: 'localhost:1' }, { TWINFOLD_API_URL: 'not a url' }, { TWINFOLD_API_URL: 'file:///x' }, { TWINFOLD_DROPBOX_APP_KEY: 'a b' }]) {
    assert.throws(() => readAppEnv(env), AppEnvError, JSON.stringify(env));
  }
});

function quitRig(stop: () => Promise<void>) {
  const exits: number[] = [];
  const logs: string[] = [];
  const timers: Array<() => void> = [];
  const q = new QuitSequence({ stop, exit: (c) => exits.push(c), log: (l) => logs.push(l), schedule: (fn) => timers.push(fn) });
  let prevented = 0;
  const quit = () => q.onBeforeQuit({ preventDefault: () => prevented++ });
  return { q, quit, exits, logs, timers, prevented: () => prevented };
}

test('quit waits for stop, once, then exits 0', async () => {
  let stops = 0;
  let finish!: () => void;
  const stopped = new Promise<void>((r) => (finish = r));
  const r = quitRig(() => {
    stops++;
    return stopped;
  });
  assert.equal(r.q.quitting, false);
  r.quit();
  r.quit();
  assert.equal(r.q.quitting, true);
  assert.equal(r.prevented(), 2);
  assert.equal(stops, 1);
  assert.deepEqual(r.exits, []);
  finish();
  await stopped;
  await Promise.resolve();
  assert.deepEqual(r.exits, [0]);
  r.timers[0]?.(); // the timeout firing later changes nothing
  assert.deepEqual(r.exits, [0]);
});

test('a failing stop is logged and still exits', async () => {
  const failure = Promise.reject(new Error('disk gone'));
  const r = quitRig(() => failure);
  r.quit();
  await failure.catch(() => undefined);
  await Promise.resolve();
  assert.deepEqual(r.exits, [0]);
  assert.match(r.logs[0] ?? '', /stopping failed: disk gone/);
});

test('a stop that never ends exits at the timeout', () => {
  const r = quitRig(() => new Promise<void>(() => undefined));
  r.quit();
  assert.deepEqual(r.exits, []);
  r.timers[0]?.();
  assert.deepEqual(r.exits, [0]);
  assert.match(r.logs[0] ?? '', /did not stop/);
});
