// Selective sync in the engine (excluded Dropbox subfolders) and retryNow, end to end: real temp
// folders, the real watcher, the emulator, two devices.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SyncWorld, converged, contentHashOf, exists, remoteSnapshot, snapshot, waitFor, type Device } from '../helpers/syncHarness.js';
import { SyncError } from '../../src/main/core/errors.js';
import type { RemoteProvider, UploadOptions } from '../../src/main/core/remote/provider.js';

let world: SyncWorld;

beforeEach(async () => {
  world = await SyncWorld.create();
});

afterEach(async () => {
  await world.close();
});

async function write(device: Device, rel: string, content: string): Promise<void> {
  await mkdir(nodePath.dirname(nodePath.join(device.root, rel)), { recursive: true });
  await writeFile(nodePath.join(device.root, rel), content);
}

/** Stops a device and starts it again on the same folder and index with other options. */
async function restart(device: Device, excluded: string[]): Promise<Device> {
  await world.stopDevice(device);
  const again = await world.device(device.name, { root: device.root, excluded });
  await again.engine.start();
  return again;
}

test('excluding a folder trashes unchanged local copies, keeps changed and new ones, and touches nothing on Dropbox', async () => {
  const a = await world.device('alpha');
  let b = await world.device('beta');
  await a.engine.start();
  await b.engine.start();
  await write(a, 'Photos/one.jpg', 'one');
  await write(a, 'Photos/two.jpg', 'two');
  await write(a, 'Photos/deep/three.jpg', 'three');
  await write(a, 'docs/x.txt', 'x');
  await converged(world);
  const remoteBefore = await remoteSnapshot(world);

  // Stopped, b edits one photo and adds a file; then the folder is excluded (spelled in another case).
  await world.stopDevice(b);
  await writeFile(nodePath.join(b.root, 'Photos/two.jpg'), 'two, edited on beta');
  await writeFile(nodePath.join(b.root, 'Photos/new.txt'), 'new on beta');
  b = await world.device('beta', { root: b.root, excluded: ['/photos'] });
  await b.engine.start();
  await b.engine.whenIdle();

  assert.deepEqual(await snapshot(b.root), {
    Photos: '<dir>',
    'Photos/two.jpg': 'two, edited on beta',
    'Photos/new.txt': 'new on beta',
    docs: '<dir>',
    'docs/x.txt': 'x',
  });
  assert.deepEqual(await remoteSnapshot(world), remoteBefore, 'Dropbox keeps the excluded folder as it was');
  assert.equal([...b.index.allSynced().keys()].filter((k) => k.startsWith('/photos')).length, 0, 'the excluded folder is no longer synced');
  const activity = b.index.recentActivity(50);
  // Files go to the trash one by one; the folder they left empty is removed, not trashed.
  const trashed = activity.filter((e) => e.action === 'delete_local').map((e) => e.path).sort();
  assert.deepEqual(trashed, ['Photos/deep', 'Photos/deep/three.jpg', 'Photos/one.jpg'].map((p) => `/${p}`));
  assert.ok(activity.filter((e) => e.action === 'delete_local').every((e) => /excluded from sync.*stays on Dropbox/.test(e.detail ?? '')));
  const notices = activity.filter((e) => e.action === 'notice').map((e) => [e.path, e.detail]);
  assert.deepEqual(notices, [['/Photos', '2 files stay on this device, not synced because excluded: new.txt, two.jpg']], 'one note for the excluded folder, not one per file');

  // Changes on Dropbox below the excluded folder do not come down; the rest does.
  await write(a, 'Photos/four.jpg', 'four');
  await write(a, 'docs/x.txt', 'x2');
  await waitFor('docs/x.txt to reach beta', async () => (await readFile(nodePath.join(b.root, 'docs/x.txt'), 'utf8').catch(() => '')) === 'x2');
  await b.engine.whenIdle();
  assert.equal(await exists(nodePath.join(b.root, 'Photos/four.jpg')), false);

  // Deleting a kept file locally deletes nothing on Dropbox.
  await rm(nodePath.join(b.root, 'Photos/two.jpg'));
  await write(b, 'docs/poke.txt', 'poke');
  await waitFor('beta to upload docs/poke.txt', async () => (await remoteSnapshot(world))['docs/poke.txt'] !== undefined);
  await b.engine.whenIdle();
  assert.equal((await remoteSnapshot(world))['photos/two.jpg'], contentHashOf(Buffer.from('two')));

  // Including it again: everything comes down, and the file made meanwhile goes up.
  b = await restart(b, []);
  const tree = await converged(world);
  assert.deepEqual(tree, {
    Photos: '<dir>',
    'Photos/deep': '<dir>',
    'Photos/deep/three.jpg': 'three',
    'Photos/four.jpg': 'four',
    'Photos/new.txt': 'new on beta',
    'Photos/one.jpg': 'one',
    'Photos/two.jpg': 'two',
    docs: '<dir>',
    'docs/poke.txt': 'poke',
    'docs/x.txt': 'x2',
  });
});

test('deleting the folder above an excluded one never deletes the excluded folder on Dropbox', async () => {
  const a = await world.device('alpha');
  await a.engine.start();
  await write(a, 'a/b/secret.txt', 'secret');
  await write(a, 'a/c.txt', 'c');
  await converged(world);

  const b = await world.device('beta', { excluded: ['/a/b'] });
  await b.engine.start();
  await b.engine.whenIdle();
  assert.deepEqual(await snapshot(b.root), { a: '<dir>', 'a/c.txt': 'c' });

  await rm(nodePath.join(b.root, 'a'), { recursive: true });
  await waitFor('a/c.txt to be deleted on Dropbox', async () => (await remoteSnapshot(world))['a/c.txt'] === undefined);
  await b.engine.whenIdle();
  const remote = await remoteSnapshot(world);
  assert.equal(remote['a/b/secret.txt'], contentHashOf(Buffer.from('secret')), 'the excluded file survives on Dropbox');
  assert.deepEqual(await snapshot(b.root), { a: '<dir>' }, 'the folder above comes back, empty, as the excluded folder still lives in it');
});

test('retryNow retries a failed path at once instead of after its backoff', async () => {
  let failing = true;
  const real = world.provider();
  const flaky: RemoteProvider = Object.assign(Object.create(real) as RemoteProvider, {
    upload(localAbsPath: string, relPath: string, opts: UploadOptions) {
      if (failing && relPath === '/stuck.txt') {
        return Promise.reject(new SyncError({ path: relPath, title: 'Refused', message: 'refused for the test', retryable: false }));
      }
      return real.upload(localAbsPath, relPath, opts);
    },
  });
  // The next retry is a minute away, far beyond the wait below.
  const a = await world.device('alpha', { provider: flaky, offlineRetryMs: 60_000 });
  await a.engine.start();
  await a.engine.whenIdle();
  await write(a, 'stuck.txt', 'stuck');
  await waitFor('a failed attempt', () => (a.index.errors()[0]?.attempts ?? 0) >= 1, 10_000);
  failing = false;
  a.engine.retryNow('/STUCK.txt');
  await waitFor('the upload after retryNow', async () => (await remoteSnapshot(world))['stuck.txt'] !== undefined, 5_000);
  await a.engine.whenIdle();
  assert.deepEqual(a.index.errors(), []);
});

test('excluding a folder never trashes what the scan leaves out: ignored files, OS junk and ignored subfolders stay with their folder', async () => {
  const a = await world.device('alpha');
  let b = await world.device('beta');
  await a.engine.start();
  await b.engine.start();
  await write(a, '.twinfoldignore', '*.log\nbuild/\n');
  await write(a, 'Proj/src.txt', 'src');
  await write(a, 'Proj/lib/util.txt', 'util');
  await converged(world);
  const remoteBefore = await remoteSnapshot(world);

  // Stopped, b gets local-only files the engine never syncs, then the folder is excluded.
  await world.stopDevice(b);
  await write(b, 'Proj/notes.log', 'my notes');
  await write(b, 'Proj/build/out.bin', 'built here');
  await write(b, 'Proj/.DS_Store', 'finder');
  await write(b, 'Proj/lib/debug.log', 'debug');
  b = await world.device('beta', { root: b.root, excluded: ['/proj'] });
  await b.engine.start();
  await b.engine.whenIdle();

  assert.deepEqual(await snapshot(b.root), {
    '.twinfoldignore': '*.log\nbuild/\n',
    Proj: '<dir>',
    'Proj/.DS_Store': 'finder',
    'Proj/build': '<dir>',
    'Proj/build/out.bin': 'built here',
    'Proj/lib': '<dir>',
    'Proj/lib/debug.log': 'debug',
    'Proj/notes.log': 'my notes',
  });
  assert.deepEqual(await remoteSnapshot(world), remoteBefore, 'Dropbox keeps the excluded folder as it was');
  assert.equal([...b.index.allSynced().keys()].filter((k) => k.startsWith('/proj')).length, 0, 'the excluded folder is no longer synced');
  const deleted = b.index.recentActivity(50).filter((e) => e.action === 'delete_local');
  assert.deepEqual(deleted.map((e) => e.path).sort(), ['/Proj/lib/util.txt', '/Proj/src.txt'], 'only the synced copies, file by file; no folder');
  assert.ok(deleted.every((e) => /^excluded from sync: an unchanged copy moved to .*trash.*; it stays on Dropbox$/.test(e.detail ?? '')));
});

test('excluding a folder removes the folders its trashed copies left empty', async () => {
  const a = await world.device('alpha');
  let b = await world.device('beta');
  await a.engine.start();
  await b.engine.start();
  await write(a, 'Data/a.txt', 'a');
  await write(a, 'Data/deep/b.txt', 'b');
  await mkdir(nodePath.join(a.root, 'Data/empty'));
  await write(a, 'keep.txt', 'keep');
  await converged(world);
  assert.equal(await exists(nodePath.join(b.root, 'Data/empty')), true);
  const remoteBefore = await remoteSnapshot(world);

  await world.stopDevice(b);
  b = await world.device('beta', { root: b.root, excluded: ['/data'] });
  await b.engine.start();
  await b.engine.whenIdle();

  assert.deepEqual(await snapshot(b.root), { 'keep.txt': 'keep' });
  assert.deepEqual(await remoteSnapshot(world), remoteBefore);
  const activity = b.index.recentActivity(50);
  const deleted = activity.filter((e) => e.action === 'delete_local');
  assert.deepEqual(deleted.map((e) => e.path).sort(), ['/Data', '/Data/a.txt', '/Data/deep', '/Data/deep/b.txt', '/Data/empty']);
  const byPath = new Map(deleted.map((e) => [e.path, e.detail ?? '']));
  for (const file of ['/Data/a.txt', '/Data/deep/b.txt']) assert.match(byPath.get(file)!, /^excluded from sync: an unchanged copy moved to .*trash/);
  for (const folder of ['/Data', '/Data/deep', '/Data/empty']) assert.equal(byPath.get(folder), 'excluded from sync: removed here as it was empty; it stays on Dropbox');
  assert.equal(activity.filter((e) => e.action === 'notice').length, 0, 'nothing was kept');
});
