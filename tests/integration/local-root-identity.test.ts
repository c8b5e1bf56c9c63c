// An unmounted disk leaves an empty folder at the same path. After a restart the engine must see
// that this is not the folder its synced tree describes, and refuse, instead of mirroring the
// emptiness to Dropbox as deletions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SyncWorld, converged, remoteSnapshot } from '../helpers/syncHarness.js';
import { LocalRootGoneError } from '../../src/main/core/engine/syncEngine.js';

test('a replaced local folder (empty mount point) is refused after a restart; Dropbox keeps everything', async (t) => {
  const world = await SyncWorld.create();
  t.after(() => world.close());
  const a = await world.device('alpha');
  await a.engine.start();
  await writeFile(nodePath.join(a.root, 'one.txt'), '1');
  await writeFile(nodePath.join(a.root, 'two.txt'), '2');
  await converged(world);
  await world.stopDevice(a);

  // The disk goes away: an empty directory now sits at the path, but the state (kept elsewhere by
  // the app) still describes the old folder. Here the state folder is carried over to the new one.
  const unplugged = `${a.root}-unplugged`;
  await rename(a.root, unplugged);
  await mkdir(a.root);
  await rename(nodePath.join(unplugged, '.twinfold'), nodePath.join(a.root, '.twinfold'));

  const again = await world.device('alpha', { root: a.root });
  await assert.rejects(again.engine.start(), LocalRootGoneError);
  assert.deepEqual(Object.keys(await remoteSnapshot(world)).sort(), ['one.txt', 'two.txt'], 'nothing deleted on Dropbox');
});

test('a folder with nothing synced yet may be replaced freely', async (t) => {
  const world = await SyncWorld.create();
  t.after(() => world.close());
  const a = await world.device('alpha');
  await a.engine.start(); // records the folder's identity, syncs nothing
  await world.stopDevice(a);
  const moved = `${a.root}-old`;
  await rename(a.root, moved);
  await mkdir(a.root);
  await rename(nodePath.join(moved, '.twinfold'), nodePath.join(a.root, '.twinfold'));
  await writeFile(nodePath.join(a.root, 'fresh.txt'), 'f');
  const again = await world.device('alpha', { root: a.root });
  await again.engine.start();
  assert.deepEqual(await converged(world), { 'fresh.txt': 'f' });
});
