// The executor replaces or trashes a local file only when it is the merge base's version: an
// observation newer than the plan (refreshed by an earlier op of the same pass) that holds a
// local edit makes the op a local change, re-planned, never a lost edit. Real temp folder; a fake
// provider that only serves downloads.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { Executor, LocalChangedError } from '../../src/main/core/engine/executor.js';
import { LocalTree } from '../../src/main/core/engine/localTree.js';
import type { Op, RemoteItem } from '../../src/main/core/engine/model.js';
import { contentHashOf } from '../../src/main/core/contentHash.js';
import { StateIndex } from '../../src/main/core/index/index.js';
import { IgnoreRules, STATE_DIR_NAME } from '../../src/main/core/local/ignore.js';
import type { RemoteProvider } from '../../src/main/core/remote/provider.js';

let root: string;
let index: StateIndex;

beforeEach(async () => {
  root = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-mergebase-'));
  index = StateIndex.open(nodePath.join(root, STATE_DIR_NAME, 'index.sqlite'));
});

afterEach(async () => {
  index.close();
  await rm(root, { recursive: true, force: true });
});

const theirs = 'their version';
const remote: RemoteItem = { key: '/a.txt', path: '/a.txt', kind: 'file', id: 'id:a', rev: 'r2', size: theirs.length, contentHash: contentHashOf(Buffer.from(theirs)) };

/** /a.txt synced as 'base', scanned, then saved again by the user and seen by a refresh. */
async function editedAfterPlanning(): Promise<Executor> {
  await writeFile(nodePath.join(root, 'a.txt'), 'base');
  const ignore = await IgnoreRules.load(root);
  const local = new LocalTree(root, () => ({ ignore, hashCache: index.asHashCache() }));
  await local.scanAll();
  const seen = local.get('/a.txt')!;
  index.putSynced({ key: '/a.txt', path: '/a.txt', kind: 'file', id: 'id:a', rev: 'r1', contentHash: seen.contentHash, size: seen.size, inode: seen.inode, mtimeMs: seen.mtimeMs });
  // An atomic save, then a refresh of that path by another op of the pass.
  await writeFile(nodePath.join(root, '.a.txt.tmp'), 'my edit');
  await rename(nodePath.join(root, '.a.txt.tmp'), nodePath.join(root, 'a.txt'));
  await local.refresh(['/a.txt']);
  const provider = {
    download: async (_rel: string, dest: string) => {
      await writeFile(dest, theirs);
      return remote;
    },
  } as unknown as RemoteProvider;
  return new Executor({ localRoot: root, stateDir: nodePath.join(root, STATE_DIR_NAME), provider, index, local, onProgress: () => {}, signal: new AbortController().signal, now: () => 0 });
}

const ops: [string, Op][] = [
  ['a download planned over the merge base', { type: 'download', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', remote }],
  ['a trash planned for the merge base', { type: 'trashLocal', key: '/a.txt', localPath: '/a.txt', kind: 'file' }],
];

for (const [what, op] of ops) {
  test(`${what} leaves a local edit seen after planning alone`, async () => {
    const executor = await editedAfterPlanning();
    await assert.rejects(executor.run(op), LocalChangedError);
    assert.equal(await readFile(nodePath.join(root, 'a.txt'), 'utf8'), 'my edit');
  });
}
