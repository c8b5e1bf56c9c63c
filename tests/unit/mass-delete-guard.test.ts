// The mass-delete guard: table of passes that go through and passes that are held back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMassDelete } from '../../src/main/core/engine/massDeleteGuard.js';
import type { Op, SyncedItem, Tree } from '../../src/main/core/engine/model.js';

function synced(count: number, folder = '/d'): Tree<SyncedItem> {
  const tree: Tree<SyncedItem> = new Map([[folder, { key: folder, path: folder, kind: 'folder' }]]);
  for (let i = 0; i < count; i++) tree.set(`${folder}/f${i}`, { key: `${folder}/f${i}`, path: `${folder}/f${i}`, kind: 'file', rev: '123456789', contentHash: 'h' });
  return tree;
}
const trash = (key: string): Op => ({ type: 'trashLocal', key, localPath: key, kind: 'file' });
const del = (key: string): Op => ({ type: 'deleteRemote', key, remotePath: key, kind: 'folder' });

test('mass-delete guard', () => {
  const rows: [string, Op[], Tree<SyncedItem>, ReturnType<typeof checkMassDelete>][] = [
    ['no deletes', [], synced(100), { blocked: false }],
    ['a few deletes', [trash('/d/f1'), trash('/d/f2')], synced(4), { blocked: false }],
    ['half exactly', Array.from({ length: 50 }, (_, i) => trash(`/d/f${i}`)), synced(100), { blocked: false }],
    ['most files, locally', Array.from({ length: 60 }, (_, i) => trash(`/d/f${i}`)), synced(100), { blocked: true, deleting: 60, total: 100, side: 'local' }],
    ['a whole folder remotely', [del('/d')], synced(30), { blocked: true, deleting: 30, total: 30, side: 'remote' }],
    ['under the floor', [del('/d')], synced(10), { blocked: false }],
  ];
  for (const [name, ops, tree, expected] of rows) assert.deepEqual(checkMassDelete(ops, tree), expected, name);
});
