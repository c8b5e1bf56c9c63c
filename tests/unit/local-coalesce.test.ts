// Table tests for coalesceEvents: which paths a burst of watcher events asks to re-stat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesceEvents, type WatchEvent, type WatchEventType } from '../../src/main/core/local/coalesce.js';

const ev = (type: WatchEventType, path: string): WatchEvent => ({ type, path });

// [description, events, expected paths]
const rows: [string, WatchEvent[], string[]][] = [
  ['nothing happened', [], []],
  ['one new file', [ev('add', '/a.txt')], ['/a.txt']],
  ['repeated changes to one file', [ev('change', '/a.txt'), ev('change', '/a.txt'), ev('change', '/a.txt')], ['/a.txt']],
  ['unlink then add of the same path (atomic save)', [ev('unlink', '/doc.txt'), ev('add', '/doc.txt')], ['/doc.txt']],
  ['add then unlink (a temp file that came and went)', [ev('add', '/~tmp'), ev('unlink', '/~tmp')], ['/~tmp']],
  ['a new folder covers what was created inside it', [ev('addDir', '/new'), ev('add', '/new/a.txt'), ev('addDir', '/new/sub'), ev('add', '/new/sub/b.txt')], ['/new']],
  ['a deleted folder covers its deleted children', [ev('unlink', '/old/a.txt'), ev('unlink', '/old/sub/b.txt'), ev('unlinkDir', '/old/sub'), ev('unlinkDir', '/old')], ['/old']],
  ['an ancestor deeper than one level still covers', [ev('add', '/a/b/c/d.txt'), ev('addDir', '/a')], ['/a']],
  ['a folder rename: both names, each covering its subtree', [ev('unlinkDir', '/from'), ev('unlink', '/from/x'), ev('addDir', '/to'), ev('add', '/to/x')], ['/from', '/to']],
  ['siblings stay separate', [ev('change', '/b.txt'), ev('add', '/a.txt'), ev('unlink', '/c.txt')], ['/a.txt', '/b.txt', '/c.txt']],
  ['a name that merely starts like a folder is not below it', [ev('addDir', '/a'), ev('add', '/a b/x'), ev('add', '/ab'), ev('add', '/a/x')], ['/a', '/a b/x', '/ab']],
  ['a name sorting between a folder and its children is not mistaken for a cover', [ev('addDir', '/a'), ev('addDir', '/a b'), ev('add', '/a/z')], ['/a', '/a b']],
  ['a case-only rename needs one re-stat, by the smaller spelling', [ev('unlink', '/readme.md'), ev('add', '/README.md')], ['/README.md']],
  ['NFC and NFD spellings are one key', [ev('add', '/caf\u00e9'), ev('change', '/cafe\u0301')], ['/cafe\u0301']],
  ['a folder in another case still covers', [ev('addDir', '/Photos'), ev('add', '/photos/1.jpg')], ['/Photos']],
  ['the root covers everything', [ev('add', '/a'), ev('unlinkDir', '/')], ['']],
  ['trailing slashes and a missing leading slash are normalised', [ev('addDir', 'dir/'), ev('add', '/dir/x')], ['/dir']],
];

for (const [description, events, expected] of rows) {
  test(`coalesce: ${description}`, () => {
    assert.deepEqual(coalesceEvents(events), { paths: expected });
  });
}

test('coalesce: the result does not depend on event order', () => {
  const events = [
    ev('add', '/x/1'), ev('addDir', '/x'), ev('unlink', '/Y.txt'), ev('add', '/y.txt'),
    ev('change', '/z/deep/file'), ev('addDir', '/z/deep'), ev('add', '/z/other'),
  ];
  const expected = coalesceEvents(events);
  assert.deepEqual(expected, { paths: ['/Y.txt', '/x', '/z/deep', '/z/other'] });
  // Every rotation and the reversal give the same answer.
  const orders = [...events.map((_, i) => [...events.slice(i), ...events.slice(0, i)]), [...events].reverse()];
  assert.deepEqual(orders.map((order) => coalesceEvents(order)), orders.map(() => expected));
});
