// Conflicted-copy names: where the extension splits, how the marker reads, how taken names are
// numbered and how over-long names are shortened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflictedCopyName, conflictedCopyPath, splitExtension, type NameParts } from '../../src/main/core/engine/conflictNames.js';
import type { ItemKind } from '../../src/main/core/engine/model.js';

const splits: [string, ItemKind, NameParts][] = [
  ['a.txt', 'file', { stem: 'a', ext: '.txt' }],
  ['archive.tar.gz', 'file', { stem: 'archive.tar', ext: '.gz' }],
  ['.bashrc', 'file', { stem: '.bashrc', ext: '' }],
  ['.config.json', 'file', { stem: '.config', ext: '.json' }],
  ['README', 'file', { stem: 'README', ext: '' }],
  ['notes.', 'file', { stem: 'notes.', ext: '' }],
  ['v1.2', 'folder', { stem: 'v1.2', ext: '' }],
];
for (const [name, kind, expected] of splits) {
  test(`splitExtension(${JSON.stringify(name)}, ${kind})`, () => assert.deepEqual(splitExtension(name, kind), expected));
}

const long = 'x'.repeat(300);
const names: [string, [string, ItemKind, string, number], string][] = [
  ['plain file', ['a.txt', 'file', 'box', 0], "a (box's conflicted copy 2024-05-01).txt"],
  ['numbered inside the parenthesis', ['a.txt', 'file', 'box', 2], "a (box's conflicted copy 2024-05-01 2).txt"],
  ['dotfile keeps its whole name', ['.bashrc', 'file', 'box', 0], ".bashrc (box's conflicted copy 2024-05-01)"],
  ['folder has no extension', ['v1.2', 'folder', 'box', 0], "v1.2 (box's conflicted copy 2024-05-01)"],
  ['host with a slash and a control character', ['a.txt', 'file', 'my/box\u0001', 0], "a (my-box-'s conflicted copy 2024-05-01).txt"],
  ['empty host', ['a.txt', 'file', ' ', 0], "a (unknown host's conflicted copy 2024-05-01).txt"],
  ['over-long stem is cut, marker and extension stay', [`${long}.txt`, 'file', 'box', 0], `${'x'.repeat(255 - 35 - 4)} (box's conflicted copy 2024-05-01).txt`],
  ['over-long extension counts as part of the stem', [`a.${long}`, 'file', 'box', 0], `a.${'x'.repeat(255 - 35 - 2)} (box's conflicted copy 2024-05-01)`],
];
for (const [name, [file, kind, host, n], expected] of names) {
  test(`conflictedCopyName: ${name}`, () => assert.deepEqual(conflictedCopyName(file, kind, host, '2024-05-01', n), expected));
}

test('over-long names end up exactly at the limit', () => {
  assert.deepEqual([...conflictedCopyName(`${long}.txt`, 'file', 'box', '2024-05-01')].length, 255);
});

const paths: [string, [string, string[]], string][] = [
  ['free name', ['/docs/a.txt', []], "/docs/a (box's conflicted copy 2024-05-01).txt"],
  ['taken once', ['/docs/a.txt', ["/docs/a (box's conflicted copy 2024-05-01).txt"]], "/docs/a (box's conflicted copy 2024-05-01 1).txt"],
  [
    'taken twice',
    ['/a.txt', ["/a (box's conflicted copy 2024-05-01).txt", "/a (box's conflicted copy 2024-05-01 1).txt"]],
    "/a (box's conflicted copy 2024-05-01 2).txt",
  ],
  ['taken keys compare case-folded', ['/Docs/A.txt', ["/docs/a (box's conflicted copy 2024-05-01).txt"]], "/Docs/A (box's conflicted copy 2024-05-01 1).txt"],
  ['a taken name elsewhere does not count', ['/a.txt', ["/other/a (box's conflicted copy 2024-05-01).txt"]], "/a (box's conflicted copy 2024-05-01).txt"],
];
for (const [name, [path, taken], expected] of paths) {
  test(`conflictedCopyPath: ${name}`, () => {
    const keys = new Set(taken);
    assert.deepEqual(conflictedCopyPath(path, 'file', 'box', '2024-05-01', (key) => keys.has(key)), expected);
  });
}
