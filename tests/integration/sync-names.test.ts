// Names one side cannot represent are "unknown", never "deleted": remote names this computer
// cannot hold are reported and left alone, remote twins that differ only by case or Unicode form
// are kept apart (one syncs, the other is reported), and a local item the scanner refuses is
// never deleted on Dropbox, even with a merge base.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { Dropbox } from 'dropbox';
import { SyncWorld, TEST_TOKEN, snapshot, type Device } from '../helpers/syncHarness.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { LocalTree } from '../../src/main/core/engine/localTree.js';
import { IgnoreRules } from '../../src/main/core/local/ignore.js';
import { MemoryHashCache } from '../../src/main/core/local/hashCache.js';
import type { EmulatorOptions } from '../../src/emulator/index.js';

const NFC = 'Caf\u00e9.txt';
const NFD = 'Cafe\u0301.txt';

let world: SyncWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setUp(emulator: EmulatorOptions): Promise<{ world: SyncWorld; dbx: Dropbox }> {
  world = await SyncWorld.create({ emulator });
  const dbx = new Dropbox({ accessToken: TEST_TOKEN, fetch: rewritingFetch(world.emulator.url) });
  await dbx.filesCreateFolderV2({ path: '/Sync' });
  return { world, dbx };
}

async function remoteNames(dbx: Dropbox): Promise<string[]> {
  const { result } = await dbx.filesListFolder({ path: '/Sync' });
  return result.entries.map((e) => e.name).sort();
}

/** Several one-shot syncs in a row: whatever a pass would do wrong has the chance to. */
async function syncPasses(device: Device, passes = 3): Promise<void> {
  for (let i = 0; i < passes; i++) {
    // A one-shot engine looks at Dropbox again only when asked to.
    device.engine.retryNow();
    const { converged } = await device.engine.syncOnce();
    assert.ok(converged, `pass ${i + 1} converged`);
  }
}

const deleteRemoteActivity = (device: Device): string[] => device.index.recentActivity(100).filter((a) => a.action === 'delete_remote').map((a) => a.path);

test('remote names this computer cannot hold are not downloaded, never deleted on Dropbox, and reported', async () => {
  const { world, dbx } = await setUp({ acceptRefusedNames: true });
  await dbx.filesUpload({ path: '/Sync/x ', contents: 'trailing space' });
  await dbx.filesUpload({ path: '/Sync/.dropbox', contents: 'reserved' });
  await dbx.filesUpload({ path: '/Sync/ok.txt', contents: 'fine' });
  const alpha = await world.device('alpha', { live: false });
  await syncPasses(alpha);

  assert.deepEqual(await snapshot(alpha.root), { 'ok.txt': 'fine' });
  assert.deepEqual(await remoteNames(dbx), ['.dropbox', 'ok.txt', 'x ']);
  assert.deepEqual(deleteRemoteActivity(alpha), []);
  const errors = alpha.index.errors();
  assert.deepEqual(errors.map((e) => e.path), ['/.dropbox', '/x ']);
  for (const error of errors) assert.match(error.message, /rename it on Dropbox/);
  assert.match(errors[1]!.message, /ends with a space/);
  const logged = alpha.index.recentActivity(100).filter((a) => a.action === 'error').map((a) => a.path).sort();
  assert.deepEqual(logged, ['/.dropbox', '/x ']);
  assert.equal(alpha.engine.getStatus().errorCount, 2);

  // Renamed on Dropbox to something this computer can hold: it arrives, and the problem is gone.
  await dbx.filesMoveV2({ from_path: '/Sync/x ', to_path: '/Sync/x' });
  await syncPasses(alpha, 1);
  assert.deepEqual(await snapshot(alpha.root), { 'ok.txt': 'fine', x: 'trailing space' });
  assert.deepEqual(alpha.index.errors().map((e) => e.path), ['/.dropbox']);
});

test('remote twins that differ only by Unicode form: one syncs, the other is reported; neither is deleted; after a rename both arrive', async () => {
  const { world, dbx } = await setUp({ unicodeFormsApart: true });
  await dbx.filesUpload({ path: `/Sync/${NFC}`, contents: 'composed' });
  await dbx.filesUpload({ path: `/Sync/${NFD}`, contents: 'decomposed' });
  assert.deepEqual(await remoteNames(dbx), [NFD, NFC].sort(), 'the emulator keeps both spellings');
  const alpha = await world.device('alpha', { live: false });
  await syncPasses(alpha);

  assert.deepEqual(await snapshot(alpha.root), { [NFC]: 'composed' }, 'the first one arrives, not overwritten by its twin');
  assert.deepEqual(await remoteNames(dbx), [NFD, NFC].sort());
  assert.deepEqual(deleteRemoteActivity(alpha), []);
  const errors = alpha.index.errors();
  assert.deepEqual(errors.map((e) => e.path), [`/${NFD}`]);
  assert.match(errors[0]!.message, /another item on Dropbox .* same name apart from case or accents; rename one of them on Dropbox/);

  await dbx.filesMoveV2({ from_path: `/Sync/${NFD}`, to_path: '/Sync/Cafe (2).txt' });
  await syncPasses(alpha, 1);
  assert.deepEqual(await snapshot(alpha.root), { [NFC]: 'composed', 'Cafe (2).txt': 'decomposed' });
  assert.deepEqual(alpha.index.errors(), []);
});

// The mirror lets the twin in (see the index tests), but the executor downloads a file by its
// local spelling (op.path), which names the deleted twin on a server that keeps the forms apart.
test('remote twins: deleting the synced one on Dropbox lets the other one sync', async () => {
  const { world, dbx } = await setUp({ unicodeFormsApart: true });
  await dbx.filesUpload({ path: `/Sync/${NFC}`, contents: 'composed' });
  await dbx.filesUpload({ path: `/Sync/${NFD}`, contents: 'decomposed' });
  const alpha = await world.device('alpha', { live: false });
  await syncPasses(alpha, 1);
  await dbx.filesDeleteV2({ path: `/Sync/${NFC}` });
  await syncPasses(alpha, 2);
  const local = await snapshot(alpha.root);
  assert.deepEqual(Object.values(local), ['decomposed']);
  assert.equal(Object.keys(local)[0]?.normalize('NFC'), NFC);
  assert.deepEqual(await remoteNames(dbx), [NFD]);
  assert.deepEqual(alpha.index.errors(), []);
});

test('a local file the scanner refuses, with a merge base, is not deleted on Dropbox', async () => {
  // The state an older version left behind: it downloaded "x " and recorded it as synced.
  const { world, dbx } = await setUp({ acceptRefusedNames: true });
  const uploaded = (await dbx.filesUpload({ path: '/Sync/x ', contents: 'keep me' })).result;
  const alpha = await world.device('alpha', { live: false });
  await writeFile(nodePath.join(alpha.root, 'x '), 'keep me');
  alpha.index.putSynced({ key: '/x ', path: '/x ', kind: 'file', id: uploaded.id, rev: uploaded.rev, contentHash: uploaded.content_hash!, size: 7 });
  await syncPasses(alpha);
  assert.deepEqual(await remoteNames(dbx), ['x ']);
  assert.deepEqual(deleteRemoteActivity(alpha), []);
  assert.ok(alpha.index.recentActivity(100).every((a) => a.action !== 'delete_local'));
});

test('LocalTree: a name the scanner refuses is unknown, not absent', async () => {
  const root = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-names-'));
  try {
    await writeFile(nodePath.join(root, 'x '), 'refused');
    await writeFile(nodePath.join(root, 'ok'), 'fine');
    const local = new LocalTree(root, () => ({ ignore: new IgnoreRules(), hashCache: new MemoryHashCache() }));
    await local.scanAll();
    assert.deepEqual([...local.tree().keys()], ['/ok']);
    assert.deepEqual(local.unknownKeys(), ['/x ']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
