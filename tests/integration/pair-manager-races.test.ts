// Races between the pair manager's calls: a removed pair must never sync on as an orphan engine,
// a second start must not leave two engines on one folder, an add must not write back settings it
// read before the network, and the app service runs no request before its start has settled.
// No sleeps: every step waits on the promise (or the hook) it depends on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { exists } from '../helpers/syncHarness.js';
import { emulatorProvider, managers, usePairManagerWorld, world } from '../helpers/pairManagerWorld.js';
import { lockOwner } from '../../src/main/core/stateLock.js';
import { PairManager } from '../../src/main/service/pairs/pairManager.js';
import { MemorySettingsStore } from '../../src/main/service/settings/jsonSettingsStore.js';
import { CallFailure, type SettingsStore } from '../../src/main/service/types.js';
import type { Settings } from '../../src/main/service/settings/settingsSchema.js';
import { startEmulator } from '../../src/emulator/index.js';
import { createAppService } from '../../src/main/service/appService.js';
import { MemorySecretStore } from '../../src/main/core/secrets/index.js';
import type { AppServiceApi } from '../../src/main/service/types.js';
import type { AppState, PairView } from '../../src/common/contract.js';

usePairManagerWorld();

/** A settings store that lets a test act at the moment of a write, before it lands. */
class HookedSettings implements SettingsStore {
  private readonly inner = new MemorySettingsStore();
  beforeWrite: ((next: Settings) => void) | undefined;
  read(): Settings {
    return this.inner.read();
  }
  write(next: Settings): void {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    hook?.(next);
    this.inner.write(next);
  }
}

interface Rig {
  manager: PairManager;
  settings: HookedSettings;
  stateDir: string;
  /** Every provider handed out, by remote root: one per engine started. */
  providers: string[];
  /** While false, providerFor answers "not signed in". */
  signedIn: boolean;
  /** Called whenever a provider is asked for (add asks for one between its checks and the network). */
  onProvider?: () => void;
}

async function rig(): Promise<Rig> {
  const stateDir = await world.tempDir('state');
  const settings = new HookedSettings();
  const r: Rig = { manager: undefined as unknown as PairManager, settings, stateDir, providers: [], signedIn: true };
  r.manager = new PairManager({
    stateDir,
    settings,
    host: 'alpha',
    providerFor: (remoteRoot) => {
      r.onProvider?.();
      if (!r.signedIn) return undefined;
      r.providers.push(remoteRoot);
      return emulatorProvider(remoteRoot);
    },
  });
  managers.push(r.manager);
  return r;
}

/** Calls `fn` now; a synchronous throw becomes a rejection (so it can be awaited like the rest). */
function attempt(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof CallFailure && err.code === 'not_found';
}

const FAST = { quietMs: 50 };

type Racer = (m: PairManager, id: string) => Promise<unknown>;

/**
 * Removes the pair and, at the worst moment (remove has stopped the engine and is writing the
 * settings, the runner still listed), fires `racer`; afterwards no engine may run for the pair.
 */
async function removeWhile(racer: Racer, opts: { startSignedOut?: boolean } = {}): Promise<void> {
  const r = await rig();
  const dir = await world.tempDir('alpha');
  const { id, remotePath } = await r.manager.add({ localPath: dir, remotePath: '/Race', options: FAST });
  await r.manager.whenIdle(id);
  if (opts.startSignedOut) {
    // An engine-less pair (waiting for a sign-in): retryErrors restarts it.
    r.signedIn = false;
    await r.manager.restartAll();
    r.signedIn = true;
  }
  const before = r.providers.length;

  let raced: Promise<unknown> | undefined;
  r.settings.beforeWrite = (next) => {
    assert.equal(next.pairs.length, 0, 'the hook sees the write of remove');
    // Settled into a value at once: a "not found" is no unhandled rejection while remove goes on.
    raced = attempt(() => racer(r.manager, id)).then(
      () => undefined,
      (err: unknown) => err,
    );
  };
  await r.manager.remove(id);
  assert.ok(raced, 'the racer ran');
  // The racer settles once its (re)start would have finished.
  const failure = await raced;
  assert.ok(failure === undefined || isNotFound(failure), `only "not found" may fail it: ${String(failure)}`);

  assert.deepEqual(
    r.providers.slice(before).filter((root) => root === remotePath),
    [],
    'no engine was started for the removed pair',
  );
  assert.deepEqual(r.manager.views(), []);
  assert.equal(await lockOwner(nodePath.join(dir, '.twinfold')), undefined, 'nobody holds the folder');
  assert.equal(await exists(nodePath.join(r.stateDir, 'pairs', id)), false, 'the state folder stays gone');
}

test('remove racing setIgnoreRules leaves no engine behind', async () => {
  await removeWhile((m, id) => m.setIgnoreRules(id, '*.log\n'));
});

test('remove racing restartAll leaves no engine behind', async () => {
  await removeWhile((m) => m.restartAll());
});

test('remove racing startAll leaves no engine behind', async () => {
  await removeWhile((m) => m.startAll());
});

test('remove racing retryErrors of an engine-less pair leaves no engine behind', async () => {
  await removeWhile((m, id) => m.retryErrors(id), { startSignedOut: true });
});

test('calls made while a remove waits for the engine to stop cannot resurrect the pair', async () => {
  const r = await rig();
  const dir = await world.tempDir('alpha');
  const { id } = await r.manager.add({ localPath: dir, remotePath: '/Wait', options: FAST });
  await r.manager.whenIdle(id);
  const before = r.providers.length;
  const removing = r.manager.remove(id);
  const racers = [
    attempt(() => r.manager.setIgnoreRules(id, '*.tmp\n')),
    attempt(() => r.manager.restartAll()),
    attempt(() => r.manager.retryErrors(id)),
    attempt(() => r.manager.updateOptions(id, { quietMs: 60 })),
  ];
  await removing;
  for (const result of await Promise.allSettled(racers)) {
    if (result.status === 'rejected') assert.ok(isNotFound(result.reason), String(result.reason));
  }
  assert.deepEqual(r.providers.slice(before), [], 'no engine was started after the remove');
  assert.deepEqual(r.manager.views(), []);
  assert.equal(await lockOwner(nodePath.join(dir, '.twinfold')), undefined);
  assert.equal(await exists(nodePath.join(r.stateDir, 'pairs', id)), false);
});

test('a second start does not start a second engine on the same folder', async () => {
  const r = await rig();
  const dir = await world.tempDir('alpha');
  const { id } = await r.manager.add({ localPath: dir, remotePath: '/Twice', options: FAST });
  await r.manager.whenIdle(id);
  // add asks for one provider to create the Dropbox folder, the engine for its own.
  const engines = r.providers.length;

  await r.manager.startAll();
  await r.manager.whenIdle(id);
  assert.equal(r.providers.length, engines, 'startAll left the running engine alone');
  assert.equal(r.manager.views()[0]?.engineState, 'idle');

  // A restart is still a stop and a start: one engine again.
  await r.manager.restartAll();
  assert.equal(r.providers.length, engines + 1);

  await r.manager.stopAll();
  assert.equal(r.manager.views()[0]?.engineState, 'stopped');
  assert.equal(await lockOwner(nodePath.join(dir, '.twinfold')), undefined);
});

test('add keeps settings written while it waited for the network', async () => {
  const r = await rig();
  const first = await world.tempDir('first');
  await r.manager.add({ localPath: first, remotePath: '/First', options: FAST });

  const dir = await world.tempDir('alpha');
  const until = Date.now() + 3_600_000;
  // add() reads the settings, checks the folder, asks for a provider and creates the Dropbox folder;
  // meanwhile a timed pause and a sign-in land.
  r.onProvider = () => {
    r.onProvider = undefined;
    r.settings.write({ ...r.settings.read(), pausedUntil: until, accountId: 'dbid:someone' });
  };
  const view = await r.manager.add({ localPath: dir, remotePath: '/Second', options: FAST });
  const settings = r.settings.read();
  assert.equal(settings.pausedUntil, until, 'the timed pause is kept');
  assert.equal(settings.accountId, 'dbid:someone', 'the sign-in is kept');
  assert.deepEqual(
    settings.pairs.map((p) => p.remotePath),
    ['/First', '/Second'],
  );
  assert.equal(view.pausedUntil, until);
});

// ---- the app service ----

async function signIn(service: AppServiceApi): Promise<void> {
  const start = (await service.call('signInStart', {})) as AppState['signIn'];
  assert.ok(start.authorizeUrl);
  const page = await (await fetch(start.authorizeUrl)).text();
  const code = /id="authorization-code">([^<]+)</.exec(page)?.[1];
  assert.ok(code, 'the emulator shows a code');
  await service.call('signInFinish', { code });
}

test('app service: calls wait until start() has settled, also calls made before it', async (t) => {
  const emulator = await startEmulator({ autoApprove: true });
  t.after(() => emulator.close());
  const root = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-races-'));
  const stateDir = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-races-state-'));
  t.after(() => Promise.all([root, stateDir].map((dir) => rm(dir, { recursive: true, force: true }))).then(() => {}));
  const secrets = new MemorySecretStore();
  const settings = new MemorySettingsStore();
  const make = (): AppServiceApi =>
    createAppService({ host: { kind: 'web' }, settings, secrets, stateDir, apiUrl: emulator.url, envAppKey: 'test-app', deviceName: 'alpha', stateIntervalMs: 20 });

  const seed = make();
  await seed.start();
  await signIn(seed);
  const pair = (await seed.call('addPair', { localPath: root, remotePath: '/App', options: { quietMs: 50 } })) as PairView;
  await seed.stop();

  const service = make();
  t.after(() => service.stop());
  // A host may take requests before it starts the service.
  const early = service.call('getState', {}) as Promise<AppState>;
  const retried = service.call('retryErrors', { pairId: pair.id });
  const starting = service.start();
  const again = service.start();
  const during = service.call('getState', {}) as Promise<AppState>;
  await starting;
  for (const state of [await early, await during]) {
    assert.equal(state.account?.accountId, emulator.accountId, 'the sign-in was restored before the call ran');
    assert.equal(state.pairs.length, 1);
    assert.notEqual(state.pairs[0]?.engineState, 'needs_signin');
  }
  await retried;
  assert.equal(again, starting, 'a second start() is the same start');
});
