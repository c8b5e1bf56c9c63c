// The pair manager against other processes and its own state: adding a pair answers before the
// first scan is done and a stop during that scan works; a folder synced by another process cannot
// be added; a pair whose state folder is deleted stops with a clear line and does not recreate it;
// two services cannot share a state folder.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { exists, waitFor } from '../helpers/syncHarness.js';
import { emulatorProvider, managers, usePairManagerWorld, world } from '../helpers/pairManagerWorld.js';
import { PairManager } from '../../src/main/service/pairs/pairManager.js';
import { MemorySettingsStore } from '../../src/main/service/settings/jsonSettingsStore.js';
import { FileSecretStore, MemorySecretStore } from '../../src/main/core/secrets/index.js';
import { createAppService } from '../../src/main/service/appService.js';
import { CallFailure } from '../../src/main/service/types.js';

usePairManagerWorld();

async function manager(opts: { lockCheckMs?: number } = {}) {
  const stateDir = await world.tempDir('state');
  const activeRootsDir = await world.tempDir('active');
  const settings = new MemorySettingsStore();
  const m = new PairManager({ stateDir, settings, providerFor: emulatorProvider, host: 'alpha', activeRootsDir, ...opts });
  managers.push(m);
  return { manager: m, settings, stateDir, activeRootsDir };
}

test('add answers while the first scan runs, shows it, and a stop during that scan stops', { timeout: 10_000 }, async () => {
  const { manager: m } = await manager();
  const dir = await world.tempDir('slow');
  // The engine reads the ignore file first: a FIFO holds its start until someone writes to it.
  const fifo = nodePath.join(dir, '.twinfoldignore');
  execFileSync('mkfifo', [fifo]);
  const view = await m.add({ localPath: dir, remotePath: '/Slow' });
  assert.equal(view.engineState, 'starting');
  assert.equal(view.overall, 'syncing');
  const stopped = m.stopAll();
  // The stop asked the engine to stop before waiting for its start: once the read returns, the
  // start ends there, and the stop completes.
  await writeFile(fifo, '');
  await stopped;
  assert.equal(m.views()[0]?.engineState, 'stopped');
});

/** A child process that registers `root` as a running pair in `registry` until killed. */
async function otherProcessSyncing(t: TestContext, registry: string, root: string) {
  const module = new URL('../../src/main/core/activeRoots.js', import.meta.url).href;
  const script = `const r = await import(${JSON.stringify(module)}); await r.claimActiveRoot(process.argv[1], await r.pairPaths(process.argv[2], process.argv[2] + '/.twinfold')); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, registry, root], { stdio: ['ignore', 'pipe', 'inherit'], cwd: nodePath.dirname(fileURLToPath(import.meta.url)) });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  assert.equal(line, 'held');
  return child;
}

test('a folder synced by another process, or one around it, cannot be added', { timeout: 30_000 }, async (t) => {
  const { manager: m, settings, activeRootsDir } = await manager();
  const top = await realpath(await world.tempDir('other'));
  const synced = nodePath.join(top, 'synced');
  await mkdir(nodePath.join(synced, 'inner'), { recursive: true });
  const other = await otherProcessSyncing(t, activeRootsDir, synced);
  const rows: [string, string][] = [
    [synced, `${synced} is already synced by another Twinfold process (pid ${other.pid}); folder pairs must not overlap.`],
    [nodePath.join(synced, 'inner'), `${nodePath.join(synced, 'inner')} is inside the folder ${synced}, synced by another Twinfold process (pid ${other.pid}); folder pairs must not overlap.`],
    [top, `${top} contains the folder ${synced}, synced by another Twinfold process (pid ${other.pid}); folder pairs must not overlap.`],
  ];
  for (const [localPath, message] of rows) {
    await assert.rejects(m.add({ localPath, remotePath: '/X' }), (err: unknown) => err instanceof CallFailure && err.code === 'conflict' && err.message === message);
  }
  assert.deepEqual(settings.read().pairs, []);
  // Gone (even by kill -9), the folder can be added.
  other.kill('SIGKILL');
  await once(other, 'exit');
  const added = await m.add({ localPath: synced, remotePath: '/X' });
  await m.whenStarted(added.id);
});

test('a pair whose state folder is deleted stops with a clear line and does not recreate it', { timeout: 30_000 }, async () => {
  const { manager: m, stateDir } = await manager({ lockCheckMs: 10 });
  const dir = await world.tempDir('gone');
  const { id } = await m.add({ localPath: dir, remotePath: '/Gone', options: { quietMs: 50 } });
  await m.whenIdle(id);
  const pairState = nodePath.join(stateDir, 'pairs', id);
  await rm(pairState, { recursive: true });
  const line = `The state folder ${pairState} was deleted while syncing; stopped to keep your files safe`;
  // The lock's check never keeps a process alive by itself; this test has to.
  const alive = setInterval(() => {}, 1000);
  await waitFor('the pair to stop', () => m.views()[0]?.line === line).finally(() => clearInterval(alive));
  assert.equal(m.views()[0]?.engineState, 'error');
  assert.equal(await exists(pairState), false, 'never recreated');
});

test('two app services on one state folder: the second does not start', { timeout: 30_000 }, async () => {
  const stateDir = await world.tempDir('shared-state');
  const activeRootsDir = await world.tempDir('active');
  const service = () =>
    createAppService({ host: { kind: 'web' }, settings: new MemorySettingsStore(), secrets: new MemorySecretStore(), stateDir, activeRootsDir, deviceName: 'x', apiUrl: world.emulator.url });
  const first = service();
  await first.start();
  const second = service();
  await assert.rejects(second.start(), { message: `another Twinfold process (pid ${process.pid}) is already syncing with the state folder ${stateDir}` });
  await second.stop();
  await first.stop();
  const third = service();
  await third.start();
  await third.stop();
});

test('the app service reports a damaged secrets file when it starts, with its path and what to do', { timeout: 30_000 }, async () => {
  const stateDir = await world.tempDir('secrets-state');
  const secretsDir = await world.tempDir('secrets');
  const file = nodePath.join(secretsDir, 'secrets.json');
  await writeFile(file, '{ not json', { mode: 0o600 });
  const log: string[] = [];
  const service = createAppService({
    host: { kind: 'web' },
    settings: new MemorySettingsStore(),
    secrets: new FileSecretStore(secretsDir),
    stateDir,
    activeRootsDir: await world.tempDir('active'),
    deviceName: 'x',
    apiUrl: world.emulator.url,
    log: (line) => log.push(line),
  });
  await service.start();
  await service.stop();
  assert.ok(
    log.includes(`the saved sign-ins cannot be read: ${file} is not valid JSON, so the saved tokens cannot be read. Move it aside or delete it, then sign in again.`),
    log.join('\n'),
  );
});
