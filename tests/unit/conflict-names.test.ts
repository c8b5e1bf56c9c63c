// Conflicted-copy names: where the extension splits, how the marker reads, how taken names are
// numbered and how over-long names are shortened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflictedCopyName, conflictedCopyPath, splitExtension, type NameParts } from '../../src/main/core/engine/conflictNames.js';
import { caseConflictPath } from '../../src/main/core/engine/caseConflictName.js';
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

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');
/** True when `prefix` of `name` ends between two graphemes (a letter keeps its accents, a flag its two halves). */
const endsAtGrapheme = (name: string, prefix: string): boolean =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(name)].some((g) => g.index === prefix.length) || name === prefix;
/** No lone surrogate: a cut through a pair would leave one. */
const wellFormed = (s: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

// Local file systems count a name's UTF-8 bytes (255 at most); code points are not enough.
// [description, name, kind, host, its largest grapheme (the cut is at most that short of 255 bytes), extension]
const byteRows: [string, string, ItemKind, string, string, string][] = [
  ['long ASCII', `${'x'.repeat(300)}.txt`, 'file', 'box', 'x', '.txt'],
  ['two-byte letters within 255 code points', `${'é'.repeat(200)}.txt`, 'file', 'box', 'é', '.txt'],
  ['three-byte CJK', `${'漢'.repeat(120)}.pdf`, 'file', 'box', '漢', '.pdf'],
  ['emoji (surrogate pairs), odd offset', `a${'😀'.repeat(100)}.png`, 'file', 'box', '😀', '.png'],
  ['letters with combining accents (NFD)', `${'e\u0301'.repeat(120)}.doc`, 'file', 'box', 'e\u0301', '.doc'],
  ['flag and skin-tone sequences', `${'🇫🇷👍🏽'.repeat(40)}.jpg`, 'file', 'box', '👍🏽', '.jpg'],
  ['long multi-byte extension kept when it leaves room', `${'a'.repeat(200)}.${'ü'.repeat(60)}`, 'file', 'box', 'a', `.${'ü'.repeat(60)}`],
  ['multi-byte host', `${'é'.repeat(200)}.txt`, 'file', '東京の'.repeat(30), 'é', '.txt'],
  ['multi-byte folder name', 'ö'.repeat(250), 'folder', 'box', 'ö', ''],
];
for (const [description, name, kind, host, unit, ext] of byteRows) {
  test(`conflictedCopyName fits 255 UTF-8 bytes: ${description}`, () => {
    const copies = [0, 1, 2, 10].map((n) => conflictedCopyName(name, kind, host, '2024-05-01', n));
    for (const copy of copies) {
      const stem = copy.slice(0, copy.indexOf(' ('));
      assert.deepEqual(
        [utf8(copy) <= 255, utf8(copy) > 255 - utf8(unit), wellFormed(copy), copy.endsWith(ext), name.startsWith(stem), endsAtGrapheme(name, stem)],
        [true, true, true, true, true, true],
        copy,
      );
    }
    assert.equal(new Set(copies).size, copies.length);
  });
  test(`caseConflictPath fits 255 UTF-8 bytes: ${description}`, () => {
    const taken = new Set<string>();
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const path = caseConflictPath(`/dir/${name}`, kind, (candidate) => taken.has(candidate));
      taken.add(path);
      made.push(path.slice('/dir/'.length));
    }
    for (const made1 of made) assert.deepEqual([utf8(made1) <= 255, wellFormed(made1), made1.endsWith(ext)], [true, true, true], made1);
    assert.match(made[2] ?? '', / \(case conflict 3\)/);
  });
}

test('an extension too long to leave room becomes part of the shortened stem', () => {
  const copy = conflictedCopyName(`a.${'ü'.repeat(120)}`, 'file', 'box', '2024-05-01');
  assert.deepEqual([utf8(copy) <= 255, copy.startsWith('a.üü'), copy.endsWith(")")], [true, true, true]);
});
