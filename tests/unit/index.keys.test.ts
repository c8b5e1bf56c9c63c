// Key arithmetic behind the state index: subtree bounds, ancestry, and re-rooting paths on moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertItemKey, belowBounds, isSameOrBelow, keyDepth, rebasePath } from '../../src/main/core/index/keys.js';
import { IndexError } from '../../src/main/core/index/errors.js';

/** Byte-wise comparison of UTF-8, which is what SQLite's BINARY collation does. */
function utf8Between(key: string, [lower, upper]: [string, string]): boolean {
  const k = Buffer.from(key);
  return Buffer.compare(k, Buffer.from(lower)) > 0 && Buffer.compare(k, Buffer.from(upper)) < 0;
}

test('belowBounds selects exactly the keys below, in UTF-8 byte order', () => {
  const keys = ['/a', '/a b', '/a-b', '/a.b', '/a/b', '/a/b/c', '/a/\u00fc', '/a/\u{1F600}', '/a0', '/ab', '/a\u00e9', '/\u00e4', '/\u00e4/x', '/\u00e4x', '/\u{1F600}', '/\u{1F600}/x', '/\u{1F600}x', '/\uFFFD', '/\uFFFD/y'];
  const rows: [string, string[]][] = [
    ['/a', ['/a/b', '/a/b/c', '/a/\u00fc', '/a/\u{1F600}']],
    ['/a/b', ['/a/b/c']],
    ['/\u00e4', ['/\u00e4/x']],
    ['/\u{1F600}', ['/\u{1F600}/x']],
    ['/\uFFFD', ['/\uFFFD/y']],
    ['/ab', []],
  ];
  for (const [key, expected] of rows) {
    assert.deepEqual(keys.filter((k) => utf8Between(k, belowBounds(key))), expected, key);
  }
});

test('isSameOrBelow', () => {
  const rows: [string, string, boolean][] = [
    ['/a', '/a', true],
    ['/a/b', '/a', true],
    ['/a/b/c', '/a', true],
    ['/ab', '/a', false],
    ['/a b', '/a', false],
    ['/a', '/a/b', false],
  ];
  for (const [key, ancestor, expected] of rows) assert.equal(isSameOrBelow(key, ancestor), expected, `${key} in ${ancestor}`);
});

test('keyDepth counts components', () => {
  const rows: [string, number][] = [['', 0], ['/a', 1], ['/a/b', 2], ['/a b/c d/e', 3]];
  for (const [key, expected] of rows) assert.equal(keyDepth(key), expected, key);
});

test('rebasePath replaces the leading components and keeps the rest as spelled', () => {
  const rows: [[string, number, string], string][] = [
    [['/Old', 1, '/New'], '/New'],
    [['/Old/Child.TXT', 1, '/New'], '/New/Child.TXT'],
    [['/Old/Sub/deep/x', 2, '/N/M/O'], '/N/M/O/deep/x'],
    // Display paths whose length differs from their key (decomposed é, dotted İ): counted by component.
    [['/Cafe\u0301/Re\u0301sume\u0301.pdf', 1, '/Caf\u00e9s'], '/Caf\u00e9s/Re\u0301sume\u0301.pdf'],
    [['/\u0130stanbul/a/b', 2, '/x'], '/x/b'],
  ];
  for (const [[path, depth, toPath], expected] of rows) assert.equal(rebasePath(path, depth, toPath), expected, path);
});

test('assertItemKey refuses the root and malformed keys', () => {
  for (const key of ['/a', '/a/b', '/\u00e4 b']) assert.doesNotThrow(() => assertItemKey(key), key);
  for (const key of ['', '/', 'a', 'a/b', '/a/']) assert.throws(() => assertItemKey(key), IndexError, JSON.stringify(key));
});
