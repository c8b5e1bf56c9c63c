// Selective sync's pure parts, table style: which keys are excluded, how trees are split, which
// local pieces may go to the trash when a folder becomes excluded, and how the planner keeps the
// folders above an excluded one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Exclusions, exclusionKey } from '../../src/main/core/engine/exclusions.js';
import { largestIdenticalParts } from '../../src/main/core/engine/leaveExcluded.js';
import { plan } from '../../src/main/core/engine/planner.js';
import type { LocalItem, Op, SyncedItem } from '../../src/main/core/engine/model.js';
import { file, folder, input, ld, lf, sd, sf, type Trees } from '../helpers/planSimulation.js';

const keyRows: [string, string[], string, string | undefined][] = [
  ['nothing excluded', [], '/a/b', undefined],
  ['the excluded folder itself', ['/A'], '/a', '/a'],
  ['below it, any case and a trailing slash', ['/Photos/'], '/photos/x/y.jpg', '/photos'],
  ['a sibling with the same prefix is not below', ['/a'], '/ab/c', undefined],
  ['a parent of the excluded folder is not excluded', ['/a/b'], '/a', undefined],
  ['the nearest of nested exclusions', ['/a', '/a/b'], '/a/b/c', '/a/b'],
  ['NFD spelling matches NFC', ['/Cafe\u0301'], '/caf\u00e9/menu', '/caf\u00e9'],
  ['the root cannot be excluded', ['/'], '/a', undefined],
];

for (const [name, paths, key, expected] of keyRows) {
  test(`exclusions: ${name}`, () => {
    assert.equal(new Exclusions(paths).rootOf(key), expected);
  });
}

test('exclusionKey folds case and drops a trailing slash', () => {
  assert.deepEqual(['/A/B/', '/a', '/'].map(exclusionKey), ['/a/b', '/a', '/']);
});

test('split: included, excluded and the excluded roots that hold something', () => {
  const tree = new Map(['/a', '/a/x', '/b', '/b/c', '/b/c/d', '/bc'].map((k) => [k, { key: k }]));
  const { included, excluded, presentRoots } = new Exclusions(['/b/c', '/z']).split(tree);
  assert.deepEqual([...included.keys()], ['/a', '/a/x', '/b', '/bc']);
  assert.deepEqual([...excluded.keys()], ['/b/c', '/b/c/d']);
  assert.deepEqual([...presentRoots], ['/b/c']);
});

test('split with nothing excluded returns the tree itself (no copy of a big tree)', () => {
  const tree = new Map([['/a', { key: '/a' }]]);
  assert.equal(new Exclusions([]).split(tree).included, tree);
});

// ---- largestIdenticalParts ----

const synced = (...items: SyncedItem[]) => new Map(items.map((i) => [i.key, i]));
const S = synced(sd('/p', 'i1', 1), sf('/p/a', 'ha', 'i2', 2), sd('/p/d', 'i3', 3), sf('/p/d/x', 'hx', 'i4', 4), sf('/p/b', 'hb', 'i5', 5));

const partRows: [string, LocalItem[], string[], string[]][] = [
  ['all identical: the folder goes whole', [ld('/p', 1), lf('/p/a', 'ha', 2), ld('/p/d', 3), lf('/p/d/x', 'hx', 4)], [], ['/p']],
  ['one file changed: the rest goes, the folder stays', [ld('/p', 1), lf('/p/a', 'CHANGED', 2), ld('/p/d', 3), lf('/p/d/x', 'hx', 4), lf('/p/b', 'hb', 5)], [], ['/p/b', '/p/d']],
  ['a new file deep down keeps its folders; its identical neighbours go', [ld('/p', 1), lf('/p/a', 'ha', 2), ld('/p/d', 3), lf('/p/d/x', 'hx', 4), lf('/p/d/new', 'hn', 9)], [], ['/p/a', '/p/d/x']],
  ['an unhashed file is not known to be identical', [ld('/p', 1), { ...lf('/p/a', 'ha', 2), contentHash: undefined }], [], []],
  ['a problem (e.g. a symlink) below keeps its folder', [ld('/p', 1), lf('/p/a', 'ha', 2), ld('/p/d', 3), lf('/p/d/x', 'hx', 4)], ['/p/d/link'], ['/p/a', '/p/d/x']],
  ['a folder where a file was synced is not identical', [ld('/p', 1), ld('/p/a', 2)], [], []],
];

for (const [name, local, problems, expected] of partRows) {
  test(`leaving an excluded folder: ${name}`, () => {
    assert.deepEqual(largestIdenticalParts('/p', local, problems, S).map((i) => i.key), expected);
  });
}

// ---- the planner keeps what holds an excluded folder ----

const A = folder('/a', 1);
const AC = file('/a/c.txt', 'hc', 2);

const planRows: [string, Trees, { local: string[]; remote: string[] }, Op[]][] = [
  [
    'deleted locally while Dropbox has an excluded folder in it: recreated, only the rest is deleted',
    { local: [], remote: [A.r, AC.r], synced: [A.s, AC.s] },
    { local: [], remote: ['/a/b'] },
    [{ type: 'createLocalFolder', key: '/a', localPath: '/a', remote: A.r }, { type: 'deleteRemote', key: '/a/c.txt', remotePath: '/a/c.txt', kind: 'file', rev: 'r-hc' }],
  ],
  [
    'without the excluded folder the deletion goes as one',
    { local: [], remote: [A.r, AC.r], synced: [A.s, AC.s] },
    { local: [], remote: [] },
    [{ type: 'deleteRemote', key: '/a', remotePath: '/a', kind: 'folder' }],
  ],
  [
    'deleted on Dropbox while kept files sit in an excluded folder here: the folder is not trashed',
    { local: [A.l, AC.l], remote: [], synced: [A.s, AC.s] },
    { local: ['/a/b'], remote: [] },
    [{ type: 'createRemoteFolder', key: '/a', remotePath: '/a' }, { type: 'trashLocal', key: '/a/c.txt', localPath: '/a/c.txt', kind: 'file' }],
  ],
];

for (const [name, trees, excludedPresent, expected] of planRows) {
  test(`planner with exclusions: ${name}`, () => {
    assert.deepEqual(plan({ ...input(trees), excludedPresent }), expected);
  });
}
