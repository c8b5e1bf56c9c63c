// The engine end to end on what it must never sync or lose: OS trash folders and other pairs'
// state folders stay out both ways, and a save that lands while the engine trashes an item
// deleted on Dropbox wins over the delete (the safe-trash seams run the save mid-trash).
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { safeTrashSeams } from '../../src/main/core/local/safeTrash.js';
import { SyncWorld, converged, exists, remoteSnapshot, snapshot } from '../helpers/syncHarness.js';

let world: SyncWorld;

beforeEach(async () => {
  world = await SyncWorld.create();
});

afterEach(async () => {
  delete safeTrashSeams.beforePrivateRename;
  delete safeTrashSeams.afterPrivateRename;
  await world.close();
});

async function put(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(nodePath.dirname(nodePath.join(root, rel)), { recursive: true });
    await writeFile(nodePath.join(root, rel), content);
  }
}

test('OS trash folders and nested state folders are never uploaded, downloaded or deleted', async () => {
  const a = await world.device('alpha', { live: false });
  await put(a.root, {
    'normal.txt': 'n',
    'sub/keep.txt': 'k',
    // A mount-root trash with the deleted file and its bookkeeping (which names a local path).
    '.Trash-1000/files/old.txt': 'deleted',
    '.Trash-1000/info/old.txt.trashinfo': `[Trash Info]\nPath=${a.root}/old.txt\n`,
    '.Trash/1000/files/b.txt': 'b',
    '.Trashes/501/c.txt': 'c',
    '$RECYCLE.BIN/S-1-5/$R1.txt': 'r',
    // Another pair's state folder nested inside this one.
    'sub/.twinfold/index.sqlite': 'not a real index',
  });
  // Another client put items with those names on Dropbox.
  const scratch = await world.tempDir('scratch');
  await writeFile(nodePath.join(scratch, 'x'), 'remote junk');
  const provider = world.provider();
  for (const path of ['/.Trash-1000/files/remote.txt', '/deep/.twinfold/state.db', '/deep/.Trashes/x']) await provider.upload(nodePath.join(scratch, 'x'), path, {});

  await a.engine.syncOnce();

  const remote = Object.keys(await remoteSnapshot(world)).sort();
  assert.deepEqual(remote, [
    '.trash-1000', '.trash-1000/files', '.trash-1000/files/remote.txt',
    'deep', 'deep/.trashes', 'deep/.trashes/x', 'deep/.twinfold', 'deep/.twinfold/state.db',
    'normal.txt', 'sub', 'sub/keep.txt',
  ]);
  assert.deepEqual(
    [await exists(nodePath.join(a.root, '.Trash-1000/files/remote.txt')), await exists(nodePath.join(a.root, 'deep/.twinfold')), await exists(nodePath.join(a.root, 'deep/.Trashes'))],
    [false, false, false],
  );
  assert.equal(await readFile(nodePath.join(a.root, 'sub/.twinfold/index.sqlite'), 'utf8'), 'not a real index');
});

/** Alpha (live) and beta (one pass at a time) both hold `files`; then alpha deletes `deleted`. */
async function deletedOnDropbox(files: Record<string, string>, deleted: string) {
  const a = await world.device('alpha');
  const b = await world.device('beta', { live: false });
  await a.engine.start();
  await put(a.root, files);
  await converged(world);
  await b.engine.syncOnce();
  await rm(nodePath.join(a.root, deleted), { recursive: true });
  await converged(world);
  // A one-pass device looks at Dropbox again only when asked to.
  b.engine.retryNow();
  return { a, b };
}

test('an edit that lands while the engine trashes a file deleted on Dropbox is kept and uploaded', async () => {
  const { b } = await deletedOnDropbox({ 'f.txt': 'v1' }, 'f.txt');
  // The user's editor writes through a handle it opened before the engine moved the file.
  safeTrashSeams.afterPrivateRename = (priv) => appendFile(priv, ' edited');
  await b.engine.syncOnce();
  delete safeTrashSeams.afterPrivateRename;
  assert.equal(await readFile(nodePath.join(b.root, 'f.txt'), 'utf8'), 'v1 edited');
  assert.deepEqual(await converged(world), { 'f.txt': 'v1 edited' });
});

test('a new file saved into a folder as the engine trashes it (deleted on Dropbox) is kept and uploaded', async () => {
  const { b } = await deletedOnDropbox({ 'album/1.jpg': 'one' }, 'album');
  safeTrashSeams.beforePrivateRename = async (abs) => {
    if (nodePath.basename(abs) === 'album') await writeFile(nodePath.join(abs, 'new.jpg'), 'new');
  };
  await b.engine.syncOnce();
  delete safeTrashSeams.beforePrivateRename;
  assert.equal(await readFile(nodePath.join(b.root, 'album/new.jpg'), 'utf8'), 'new');
  const final = await converged(world);
  assert.equal(final['album/new.jpg'], 'new');
  assert.deepEqual(Object.keys(await snapshot(b.root)).filter((p) => p.startsWith('album/new')), ['album/new.jpg']);
});
