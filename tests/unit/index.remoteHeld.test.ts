// The remote mirror holds back what the planner must not see: twins of a kept entry (same key
// apart from case or Unicode form), names this computer cannot hold, entries the provider refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PathKey, RemoteItem } from '../../src/main/core/engine/model.js';
import { StateIndex, type RemoteChange } from '../../src/main/core/index/index.js';

const NFC = 'Caf\u00e9';
const NFD = 'Cafe\u0301';
const KEY = '/caf\u00e9';
const file = (path: string, id: string): RemoteItem => ({ key: path.normalize('NFC').toLowerCase(), path, kind: 'file', id, rev: '0123456789', size: 1 });
const folder = (path: string, id: string): RemoteItem => ({ key: path.normalize('NFC').toLowerCase(), path, kind: 'folder', id });
/** An upsert as the Dropbox provider gives it: Dropbox's own path_lower when it is not the key. */
const up = (item: RemoteItem): RemoteChange => {
  const own = item.path.toLowerCase();
  return own === item.key ? { kind: 'upsert', item } : { kind: 'upsert', item, providerKey: own };
};
const del = (path: string): RemoteChange => {
  const key = path.normalize('NFC').toLowerCase();
  const own = path.toLowerCase();
  return own === key ? { kind: 'delete', key } : { kind: 'delete', key, providerKey: own };
};

function withIndex(fn: (index: StateIndex) => void): void {
  const index = StateIndex.open(':memory:');
  try {
    fn(index);
  } finally {
    index.close();
  }
}

const ids = (index: StateIndex): Record<PathKey, string> => Object.fromEntries([...index.allRemote().values()].map((i) => [i.key, i.id]));
const held = (index: StateIndex): string[] => index.heldRemote().map((h) => `${h.reason} ${h.path}`);

const rows: Array<[string, RemoteChange[], Record<PathKey, string>, string[]]> = [
  ['NFC then NFD twin: the first stays, the other is held', [up(file(`/${NFC}`, 'id:c')), up(file(`/${NFD}`, 'id:d'))], { [KEY]: 'id:c' }, [`collision /${NFD}`]],
  ['NFD then NFC twin: the first stays', [up(file(`/${NFD}`, 'id:d')), up(file(`/${NFC}`, 'id:c'))], { [KEY]: 'id:d' }, [`collision /${NFC}`]],
  ['twins that differ in case (a lying server)', [up(file('/Readme', 'id:1')), { kind: 'upsert', item: file('/README', 'id:2'), providerKey: '/README' }], { '/readme': 'id:1' }, ['collision /README']],
  ['an edit of the kept entry replaces it', [up(file(`/${NFC}`, 'id:c')), up(file(`/${NFD}`, 'id:d')), up({ ...file(`/${NFC}`, 'id:c'), rev: 'abcdef0123' })], { [KEY]: 'id:c' }, [`collision /${NFD}`]],
  ['a new file at the same path (new id, same path_lower) replaces it', [up(file('/a', 'id:1')), up(file('/a', 'id:2'))], { '/a': 'id:2' }, []],
  ['deleting the held twin leaves the kept one', [up(file(`/${NFC}`, 'id:c')), up(file(`/${NFD}`, 'id:d')), del(`/${NFD}`)], { [KEY]: 'id:c' }, []],
  ['deleting the kept one lets the twin in', [up(file(`/${NFC}`, 'id:c')), up(file(`/${NFD}`, 'id:d')), del(`/${NFC}`)], { [KEY]: 'id:d' }, []],
  [
    'children of a held twin folder are held with it, and come in with it',
    [up(folder(`/${NFC}`, 'id:c')), up(file(`/${NFC}/a`, 'id:ca')), up(folder(`/${NFD}`, 'id:d')), up(file(`/${NFD}/b`, 'id:db'))],
    { [KEY]: 'id:c', [`${KEY}/a`]: 'id:ca' },
    [`collision /${NFD}`],
  ],
  [
    'the kept folder deleted: the twin folder and its children come in',
    [up(folder(`/${NFC}`, 'id:c')), up(file(`/${NFC}/a`, 'id:ca')), up(folder(`/${NFD}`, 'id:d')), up(file(`/${NFD}/b`, 'id:db')), del(`/${NFC}`)],
    { [KEY]: 'id:d', [`${KEY}/b`]: 'id:db' },
    [],
  ],
  ['a name ending in a space is held', [up(file('/x ', 'id:x'))], {}, ['name /x ']],
  ['.dropbox is held', [up(file('/a.txt', 'id:a')), up(file('/.dropbox', 'id:d'))], { '/a.txt': 'id:a' }, ['name /.dropbox']],
  ['a folder with a bad name: only the folder is reported', [up(folder('/d ', 'id:d')), up(file('/d /x', 'id:x'))], {}, ['name /d ']],
  ['a held name renamed on Dropbox comes in', [up(file('/x ', 'id:x')), del('/x '), up(file('/x', 'id:x'))], { '/x': 'id:x' }, []],
  ['a refused entry is held', [{ kind: 'refused', key: '/s', path: '/S', reason: 'odd' }], {}, ['refused /S']],
];

for (const [name, changes, expectedIds, expectedHeld] of rows) {
  test(`remote mirror: ${name}`, () => {
    withIndex((index) => {
      index.applyRemoteChanges(changes, 'c1');
      assert.deepEqual(ids(index), expectedIds);
      assert.deepEqual(held(index), expectedHeld);
    });
  });
}

test('held entries are listed as errors (clearError cannot hide them) and logged once as activity', () => {
  withIndex((index) => {
    assert.equal(index.applyRemoteChanges([up(file(`/${NFC}`, 'id:c')), up(file(`/${NFD}`, 'id:d')), up(file('/x ', 'id:x'))], 'c1'), 2, 'two activity entries added');
    assert.equal(index.applyRemoteChanges([up({ ...file(`/${NFD}`, 'id:d'), rev: 'abcdef0123' })], 'c2'), 0, 'still held for the same reason: not logged again');
    for (const error of index.errors()) index.clearError(error.key);
    const errors = index.errors();
    assert.deepEqual(errors.map((e) => e.path), [`/${NFD}`, '/x ']);
    assert.match(errors[0]!.message, /another item on Dropbox .* has the same name apart from case or accents; rename one of them on Dropbox/);
    assert.match(errors[1]!.message, /ends with a space.*rename it on Dropbox/);
    assert.deepEqual(index.recentActivity(10).map((a) => `${a.action} ${a.path}`).sort(), [`error /${NFD}`, 'error /x ']);
  });
});

test('remoteUnknownKeys: names and refused entries, not collisions (the kept twin syncs)', () => {
  withIndex((index) => {
    index.applyRemoteChanges([up(file(`/${NFC}`, 'id:c')), up(file(`/${NFD}`, 'id:d')), up(file('/x ', 'id:x')), { kind: 'refused', key: '/s', path: '/S', reason: 'odd' }], 'c1');
    assert.deepEqual(index.remoteUnknownKeys().sort(), ['/s', '/x ']);
  });
});

test('a refused update of a known entry keeps the stale entry, and its key is unknown', () => {
  withIndex((index) => {
    index.applyRemoteChanges([up(file('/s', 'id:s'))], 'c1');
    index.applyRemoteChanges([{ kind: 'refused', key: '/s', path: '/s', reason: 'odd' }], 'c2');
    assert.deepEqual(ids(index), { '/s': 'id:s' });
    assert.deepEqual(index.remoteUnknownKeys(), ['/s']);
  });
});

test('resetRemote forgets held entries with the tree', () => {
  withIndex((index) => {
    index.applyRemoteChanges([up(file('/x ', 'id:x'))], 'c1');
    index.resetRemote();
    assert.deepEqual(index.heldRemote(), []);
    assert.deepEqual(index.errors(), []);
  });
});

test('a twin arriving in a later page is still caught, whichever spelling came first', () => {
  for (const [first, second] of [[NFC, NFD], [NFD, NFC]] as const) {
    withIndex((index) => {
      index.applyRemoteChanges([up(file(`/${first}`, 'id:1')), up(file('/other', 'id:o'))], 'c1');
      index.applyRemoteChanges([up(file(`/${second}`, 'id:2'))], 'c2');
      assert.deepEqual(ids(index), { [KEY]: 'id:1', '/other': 'id:o' });
      assert.deepEqual(held(index), [`collision /${second}`]);
    });
  }
});
