// The pair manager end to end: real temp folders, the emulator, and two "devices" (two managers
// with their own state folders) syncing the same Dropbox folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { TEST_TOKEN, exists, remoteSnapshot, snapshot, waitFor } from '../helpers/syncHarness.js';
import { emulatorProvider, managers, usePairManagerWorld, world } from '../helpers/pairManagerWorld.js';
import { PairManager, type PairManagerOptions } from '../../src/main/service/pairs/pairManager.js';
import { MemorySettingsStore } from '../../src/main/service/settings/jsonSettingsStore.js';
import { CallFailure, type SettingsStore } from '../../src/main/service/types.js';
import { PairView } from '../../src/common/contract.js';

usePairManagerWorld();
const providerFor = emulatorProvider;

interface Device {
  manager: PairManager;
  settings: SettingsStore;
  stateDir: string;
  log: string[];
}

async function device(name: string, opts: Partial<PairManagerOptions> & { stateDir?: string; settings?: SettingsStore } = {}): Promise<Device> {
  const stateDir = opts.stateDir ?? (await world.tempDir(`${name}-state`));
  const settings = opts.settings ?? new MemorySettingsStore();
  const log: string[] = [];
  const manager = new PairManager({ stateDir, settings, providerFor, host: name, log: (line) => log.push(line), ...opts });
  managers.push(manager);
  return { manager, settings, stateDir, log };
}

async function stop(d: Device): Promise<void> {
  await d.manager.stopAll();
  managers.splice(managers.indexOf(d.manager), 1);
}

const FAST = { quietMs: 50 };

async function rejectsWith(promise: Promise<unknown>, code: CallFailure['code'], message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof CallFailure, `expected a CallFailure, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

function viewOf(d: Device, id: string): PairView {
  const view = d.manager.views().find((v) => v.id === id);
  assert.ok(view, `no view for ${id}`);
  return PairView.parse(view);
}

test('two devices add pairs on the same Dropbox folder and converge', async () => {
  const a = await device('alpha');
  const b = await device('beta');
  const dirA = await world.tempDir('alpha');
  const dirB = await world.tempDir('beta');
  await writeFile(nodePath.join(dirA, 'from-a.txt'), 'a');

  const viewA = await a.manager.add({ localPath: dirA, remotePath: '/Shared/', options: FAST });
  assert.match(viewA.id, /^[a-z0-9]{12}$/);
  assert.equal(viewA.remotePath, '/Shared');
  PairView.parse(viewA);
  await a.manager.whenIdle(viewA.id);
  const viewB = await b.manager.add({ localPath: dirB, remotePath: '/shared', options: FAST });
  await waitFor('from-a.txt on beta', () => exists(nodePath.join(dirB, 'from-a.txt')));

  await mkdir(nodePath.join(dirB, 'sub'));
  await writeFile(nodePath.join(dirB, 'sub/from-b.txt'), 'b');
  await waitFor('sub/from-b.txt on alpha', async () => (await readFile(nodePath.join(dirA, 'sub/from-b.txt'), 'utf8').catch(() => '')) === 'b');
  await a.manager.whenIdle(viewA.id);
  await b.manager.whenIdle(viewB.id);
  assert.deepEqual(await snapshot(dirA), await snapshot(dirB));
  for (const [d, id] of [[a, viewA.id], [b, viewB.id]] as const) {
    const view = viewOf(d, id);
    assert.equal(view.engineState, 'idle');
    assert.equal(view.overall, 'up_to_date');
    assert.equal(view.line, 'Up to date');
  }
  // Each pair's state lives in the app's state folder, under its id.
  assert.ok(await exists(nodePath.join(a.stateDir, 'pairs', viewA.id, 'index.sqlite')));
  const { activity } = a.manager.activity(10);
  assert.ok(activity.some((e) => e.action === 'upload' && e.path === '/from-a.txt' && e.id.startsWith(`${viewA.id}:`)));
  assert.ok(activity.some((e) => e.action === 'download' && e.path === '/sub/from-b.txt'));
  assert.deepEqual(activity.map((e) => e.time), [...activity.map((e) => e.time)].sort((x, y) => y - x), 'newest first');
});

test('a pair that fails validation changes nothing', async () => {
  const a = await device('alpha');
  const parent = await world.tempDir('parent');
  const dir = nodePath.join(parent, 'pair');
  await mkdir(dir);
  const view = await a.manager.add({ localPath: dir, remotePath: '/Taken', options: FAST });
  const inside = nodePath.join(dir, 'inside');
  await mkdir(inside);
  const fresh = await world.tempDir('fresh');
  const aFile = nodePath.join(fresh, 'file.txt');
  await writeFile(aFile, 'x');
  await mkdir(nodePath.join(a.stateDir, 'nested'), { recursive: true });
  const before = a.settings.read();

  const cases: [string, Parameters<PairManager['add']>[0], CallFailure['code'], RegExp][] = [
    ['relative path', { localPath: 'relative/dir', remotePath: '/Never' }, 'bad_request', /absolute/],
    ['missing folder', { localPath: nodePath.join(fresh, 'nope'), remotePath: '/Never' }, 'bad_request', /does not exist/],
    ['a file', { localPath: aFile, remotePath: '/Never' }, 'bad_request', /not a folder/],
    ['the state folder', { localPath: a.stateDir, remotePath: '/Never' }, 'bad_request', /state/],
    ['inside the state folder', { localPath: nodePath.join(a.stateDir, 'nested'), remotePath: '/Never' }, 'bad_request', /state/],
    ['the same local folder', { localPath: dir, remotePath: '/Never' }, 'conflict', /already synced/],
    ['inside another pair', { localPath: inside, remotePath: '/Never' }, 'conflict', /inside the synced folder/],
    ['containing another pair', { localPath: parent, remotePath: '/Never' }, 'conflict', /contains the synced folder/],
    ['the same Dropbox folder, other case', { localPath: fresh, remotePath: '/taken' }, 'conflict', /overlaps/],
    ['inside the other Dropbox folder', { localPath: fresh, remotePath: '/Taken/sub' }, 'conflict', /overlaps/],
    ['the whole Dropbox around it', { localPath: fresh, remotePath: '/' }, 'conflict', /overlaps/],
    ['a malformed Dropbox path', { localPath: fresh, remotePath: '/a//b' }, 'bad_request', /empty name/],
    ['a Dropbox path without /', { localPath: fresh, remotePath: 'Never' }, 'bad_request', /start with \//],
    ['a bad excluded folder', { localPath: fresh, remotePath: '/Never', options: { excluded: ['/ok', '/bad/../x'] } }, 'bad_request', /excluded/],
    ['excluding everything', { localPath: fresh, remotePath: '/Never', options: { excluded: ['/'] } }, 'bad_request', /excluded/],
  ];
  for (const [name, args, code, message] of cases) {
    await rejectsWith(a.manager.add(args), code, message).catch((err: Error) => {
      throw new Error(`${name}: ${err.message}`);
    });
  }
  assert.deepEqual(a.settings.read(), before, 'settings unchanged');
  assert.deepEqual(await readdir(nodePath.join(a.stateDir, 'pairs')), [view.id], 'no state folder was made');
  assert.equal(await exists(nodePath.join(fresh, '.twinfold')), false, 'nothing was written into the folder');
  assert.equal((await remoteSnapshot(world))['never'], undefined, 'no Dropbox folder was created');

  // A file where the Dropbox folder should be is refused too, after the local checks.
  await providerFor('').upload(aFile, '/AFile.txt', {});
  await rejectsWith(a.manager.add({ localPath: fresh, remotePath: '/AFile.txt' }), 'conflict', /is a file/);
  assert.deepEqual(a.settings.read(), before);
  await rejectsWith(a.manager.remove('nosuchpair1'), 'not_found');
  assert.throws(() => a.manager.setPaused('nosuchpair1', true), (err: unknown) => err instanceof CallFailure && err.code === 'not_found');
});

test('pause and resume one pair; paused pairs start paused after a restart from settings', async () => {
  const stateDir = await world.tempDir('alpha-state');
  const settings = new MemorySettingsStore();
  let a = await device('alpha', { stateDir, settings });
  const dir = await world.tempDir('alpha');
  const { id } = await a.manager.add({ localPath: dir, remotePath: '/P', options: FAST });
  await a.manager.whenIdle(id);

  a.manager.setPaused(id, true);
  assert.equal(settings.read().pairs[0]?.paused, true);
  assert.equal(viewOf(a, id).engineState, 'paused');
  assert.equal(viewOf(a, id).paused, true);
  await stop(a);

  await writeFile(nodePath.join(dir, 'while-stopped.txt'), 'w');
  a = await device('alpha', { stateDir, settings });
  await a.manager.startAll();
  await waitFor('the pair to start paused', () => viewOf(a, id).engineState === 'paused');
  assert.equal((await remoteSnapshot(world))['p/while-stopped.txt'], undefined, 'a paused pair does not sync');

  a.manager.setPaused(id, false);
  await waitFor('the upload after resuming', async () => (await remoteSnapshot(world))['p/while-stopped.txt'] !== undefined);
  await a.manager.whenIdle(id);
  assert.equal(viewOf(a, id).engineState, 'idle');
  assert.equal(settings.read().pairs[0]?.paused, false);
});

test('a timed pause of all pairs resumes on time, also after a restart', async () => {
  const timers: { fn: () => void; ms: number }[] = [];
  const settings = new MemorySettingsStore();
  const stateDir = await world.tempDir('alpha-state');
  let a = await device('alpha', { settings, stateDir, setTimer: (fn, ms) => (timers.push({ fn, ms }), () => timers.splice(timers.findIndex((t) => t.fn === fn), 1)) });
  const dir = await world.tempDir('alpha');
  const { id } = await a.manager.add({ localPath: dir, remotePath: '/T', options: FAST });
  await a.manager.whenIdle(id);

  a.manager.setAllPaused(true, 5);
  const until = settings.read().pausedUntil;
  assert.ok(until !== undefined && until > Date.now() + 4 * 60_000);
  assert.equal(timers.length, 1);
  assert.ok(timers[0]!.ms > 4 * 60_000 && timers[0]!.ms <= 5 * 60_000);
  assert.equal(viewOf(a, id).paused, true);
  assert.equal(viewOf(a, id).pausedUntil, until);
  assert.equal(viewOf(a, id).engineState, 'paused');
  assert.equal(settings.read().pairs[0]?.paused, false, 'a timed pause leaves the pair’s own setting alone');

  timers[0]!.fn();
  assert.equal(settings.read().pausedUntil, undefined);
  assert.equal(viewOf(a, id).paused, false);
  await a.manager.whenIdle(id);
  assert.equal(viewOf(a, id).engineState, 'idle');

  // A pause "until resumed" pauses every pair; resuming all clears it.
  a.manager.setAllPaused(true);
  assert.equal(settings.read().pairs[0]?.paused, true);
  a.manager.setAllPaused(false);
  assert.equal(settings.read().pairs[0]?.paused, false);
  await stop(a);

  // After a restart with the timed pause still ahead, real timers end it.
  settings.write({ ...settings.read(), pausedUntil: Date.now() + 300 });
  a = await device('alpha', { settings, stateDir });
  await a.manager.startAll();
  assert.equal(viewOf(a, id).paused, true);
  await new Promise<void>((resolve) => {
    const check = () => {
      if (!viewOf(a, id).paused && settings.read().pausedUntil === undefined) {
        a.manager.off('changed', check);
        resolve();
      }
    };
    a.manager.on('changed', check);
    check();
  });
  await a.manager.whenIdle(id);
  assert.equal(viewOf(a, id).engineState, 'idle');
});

test('removing a pair keeps every file, on both sides, and the local trash', async () => {
  const a = await device('alpha');
  const dir = await world.tempDir('alpha');
  await mkdir(nodePath.join(dir, 'docs'));
  await writeFile(nodePath.join(dir, 'docs/keep.txt'), 'keep');
  const { id } = await a.manager.add({ localPath: dir, remotePath: '/R', options: FAST });
  await a.manager.whenIdle(id);
  await mkdir(nodePath.join(dir, '.twinfold/trash/2024-01-01/1'), { recursive: true });
  await writeFile(nodePath.join(dir, '.twinfold/trash/2024-01-01/1/old.txt'), 'deleted earlier');
  const local = await snapshot(dir);
  const remote = await remoteSnapshot(world);

  await a.manager.remove(id);
  assert.deepEqual(a.settings.read().pairs, []);
  assert.deepEqual(a.manager.views(), []);
  assert.equal(await exists(nodePath.join(a.stateDir, 'pairs', id)), false, 'our state is gone');
  assert.deepEqual(await snapshot(dir), local, 'every local file stays');
  assert.deepEqual(await remoteSnapshot(world), remote, 'every Dropbox file stays');
  assert.deepEqual(await readdir(nodePath.join(dir, '.twinfold')), ['trash'], 'only the trash is left in .twinfold');
  assert.equal(await readFile(nodePath.join(dir, '.twinfold/trash/2024-01-01/1/old.txt'), 'utf8'), 'deleted earlier');

  // The folder can be added again (its lock is free).
  const again = await a.manager.add({ localPath: dir, remotePath: '/R', options: FAST });
  await a.manager.whenIdle(again.id);
  assert.equal(viewOf(a, again.id).engineState, 'idle');
});

test('excluding a subfolder with updateOptions: unchanged copies go to the trash, changed ones stay, Dropbox keeps all', async () => {
  const a = await device('alpha');
  const b = await device('beta');
  const dirA = await world.tempDir('alpha');
  const dirB = await world.tempDir('beta');
  await mkdir(nodePath.join(dirA, 'Big'));
  await writeFile(nodePath.join(dirA, 'Big/one.bin'), 'one');
  await writeFile(nodePath.join(dirA, 'Big/two.bin'), 'two');
  const pa = await a.manager.add({ localPath: dirA, remotePath: '/E', options: FAST });
  await a.manager.whenIdle(pa.id);
  const pb = await b.manager.add({ localPath: dirB, remotePath: '/E', options: FAST });
  await b.manager.whenIdle(pb.id);
  assert.equal(await readFile(nodePath.join(dirB, 'Big/two.bin'), 'utf8'), 'two');
  const remote = await remoteSnapshot(world);

  b.manager.setPaused(pb.id, true);
  await writeFile(nodePath.join(dirB, 'Big/two.bin'), 'two, changed here');
  await rejectsWith(b.manager.updateOptions(pb.id, { excluded: ['Big'] }), 'bad_request');
  const view = await b.manager.updateOptions(pb.id, { excluded: ['/big/', '/big'] });
  assert.deepEqual(view.options.excluded, ['/big']);
  assert.deepEqual(b.settings.read().pairs[0]?.options.excluded, ['/big']);
  b.manager.setPaused(pb.id, false);
  await b.manager.whenIdle(pb.id);

  assert.deepEqual(await snapshot(dirB), { Big: '<dir>', 'Big/two.bin': 'two, changed here' });
  assert.deepEqual(await remoteSnapshot(world), remote);
  const { activity } = b.manager.activity(20);
  assert.ok(activity.some((e) => e.action === 'delete_local' && e.path === '/Big/one.bin' && /stays on Dropbox/.test(e.detail ?? '')));
  assert.ok(activity.some((e) => e.action === 'notice' && /^\/big$/i.test(e.path) && e.detail === '1 file stays on this device, not synced because excluded: two.bin'), JSON.stringify(activity));
});

test('ignore rules edited through the manager apply at once', async () => {
  const a = await device('alpha');
  const dir = await world.tempDir('alpha');
  const { id } = await a.manager.add({ localPath: dir, remotePath: '/I', options: FAST });
  await a.manager.whenIdle(id);
  assert.deepEqual(await a.manager.getIgnoreRules(id), { text: '' });

  await a.manager.setIgnoreRules(id, '# build output\n*.log\n');
  assert.deepEqual(await a.manager.getIgnoreRules(id), { text: '# build output\n*.log\n' });
  await rejectsWith(a.manager.setIgnoreRules(id, 'x'.repeat(256 * 1024 + 1)), 'bad_request');
  assert.equal((await a.manager.getIgnoreRules(id)).text, '# build output\n*.log\n', 'a refused edit changes nothing');

  await writeFile(nodePath.join(dir, 'debug.log'), 'noise');
  await writeFile(nodePath.join(dir, 'notes.txt'), 'notes');
  await waitFor('notes.txt on Dropbox', async () => (await remoteSnapshot(world))['i/notes.txt'] !== undefined).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(viewOf(a, id))}\n${a.log.join('\n')}`);
  });
  await a.manager.whenIdle(id);
  const remote = await remoteSnapshot(world);
  assert.equal(remote['i/debug.log'], undefined, 'the ignored file is not uploaded');
  assert.notEqual(remote['i/.twinfoldignore'], undefined, 'the rules themselves are synced');
});

test('a pair whose folder is missing shows why, deletes nothing, and starts when the folder is back', async () => {
  const seed = await device('seed');
  const present = await world.tempDir('present');
  const goneParent = await world.tempDir('unplugged');
  const gone = nodePath.join(goneParent, 'disk');
  await mkdir(gone);
  await writeFile(nodePath.join(gone, 'on-disk.txt'), 'precious');
  const { id: goneId } = await seed.manager.add({ localPath: gone, remotePath: '/Disk', options: FAST });
  await seed.manager.whenIdle(goneId);
  await stop(seed);
  const remote = await remoteSnapshot(world);

  // Another device config: the same pair, but the disk is not plugged in now.
  const { rename } = await import('node:fs/promises');
  await rename(gone, `${gone}-away`);
  const settings = seed.settings;
  const a = await device('alpha', { settings, stateDir: seed.stateDir, folderRetryMs: 50 });
  await a.manager.startAll();
  const other = await a.manager.add({ localPath: present, remotePath: '/Other', options: FAST });
  await a.manager.whenIdle(other.id);
  const view = viewOf(a, goneId);
  assert.equal(view.engineState, 'error');
  assert.equal(view.overall, 'error');
  assert.match(view.line, /missing/);
  assert.equal(viewOf(a, other.id).engineState, 'idle', 'the other pair is not affected');
  assert.deepEqual(Object.fromEntries(Object.entries(await remoteSnapshot(world)).filter(([k]) => k.startsWith('disk'))), remote);

  await rename(`${gone}-away`, gone);
  await waitFor('the pair to start once its folder is back', () => viewOf(a, goneId).engineState === 'idle');
  assert.deepEqual(Object.fromEntries(Object.entries(await remoteSnapshot(world)).filter(([k]) => k.startsWith('disk'))), remote);
  assert.equal(await readFile(nodePath.join(gone, 'on-disk.txt'), 'utf8'), 'precious');
});

test('without a sign-in pairs wait with a clear line; after sign-in restartAll syncs them', async () => {
  let signedIn = false;
  const seed = await device('seed');
  const dir = await world.tempDir('alpha');
  const { id } = await seed.manager.add({ localPath: dir, remotePath: '/S', options: FAST });
  await seed.manager.whenIdle(id);
  await stop(seed);

  const a = await device('alpha', { settings: seed.settings, stateDir: seed.stateDir, providerFor: (root) => (signedIn ? providerFor(root) : undefined) });
  await a.manager.startAll();
  assert.equal(viewOf(a, id).engineState, 'needs_signin');
  assert.equal(viewOf(a, id).overall, 'signin_needed');
  assert.equal(viewOf(a, id).line, 'Sign in to Dropbox to sync');
  await rejectsWith(a.manager.add({ localPath: await world.tempDir('x'), remotePath: '/X' }), 'auth');

  await writeFile(nodePath.join(dir, 'later.txt'), 'later');
  signedIn = true;
  await a.manager.restartAll();
  await waitFor('later.txt on Dropbox', async () => (await remoteSnapshot(world))['s/later.txt'] !== undefined);
  await a.manager.whenIdle(id);
  assert.equal(viewOf(a, id).engineState, 'idle');
});

test('an engine that loses its sign-in reports authFailed', async () => {
  const a = await device('alpha');
  const dir = await world.tempDir('alpha');
  const { id } = await a.manager.add({ localPath: dir, remotePath: '/Auth', options: FAST });
  await a.manager.whenIdle(id);
  const failed = new Promise<void>((resolve) => a.manager.once('authFailed', resolve));
  world.emulator.tokens.revokeAccessToken(TEST_TOKEN);
  await writeFile(nodePath.join(dir, 'x.txt'), 'x');
  await failed;
  assert.equal(viewOf(a, id).engineState, 'needs_signin');
});

test('localPathOf resolves strictly inside the pair', async () => {
  const a = await device('alpha');
  const dir = await world.tempDir('alpha');
  const { id } = await a.manager.add({ localPath: dir, remotePath: '/L', options: FAST });
  const real = a.settings.read().pairs[0]!.localPath;
  assert.equal(a.manager.localPathOf(id, ''), real);
  assert.equal(a.manager.localPathOf(id, '/a/b.txt'), nodePath.join(real, 'a', 'b.txt'));
  assert.throws(() => a.manager.localPathOf(id, '/../etc/passwd'), (err: unknown) => err instanceof CallFailure && err.code === 'bad_request');
  assert.throws(() => a.manager.localPathOf('nosuchpair1', '/a'), (err: unknown) => err instanceof CallFailure && err.code === 'not_found');
});
