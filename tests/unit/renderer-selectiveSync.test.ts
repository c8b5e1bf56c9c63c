// Selective sync exclusions: relative to the pair, case-insensitive like Dropbox, nested sensibly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isExcluded, isExcludedByParent, relativeToPair, sameExclusions, setIncluded } from '../../src/renderer/logic/selectiveSync.js';

test('relativeToPair', () => {
  const rows: [string, string, string | undefined][] = [
    ['/Work', '/Work/Photos', '/Photos'],
    ['/Work', '/work/Photos/2019', '/Photos/2019'],
    ['/Work', '/Work', ''],
    ['/Work', '/Workshop/x', undefined],
    ['/Work', '/Other', undefined],
    ['', '/Photos', '/Photos'],
  ];
  for (const [root, path, expected] of rows) assert.equal(relativeToPair(root, path), expected, `${root} ${path}`);
});

test('isExcluded and isExcludedByParent', () => {
  const excluded = ['/Raw', '/Archive/2019'];
  const rows: [string, boolean, boolean][] = [
    ['/Raw', true, false],
    ['/raw/big', true, true],
    ['/Rawhide', false, false],
    ['/Archive', false, false],
    ['/Archive/2019', true, false],
    ['/Archive/2019/Jan', true, true],
  ];
  for (const [rel, excl, byParent] of rows) {
    assert.equal(isExcluded(excluded, rel), excl, `isExcluded ${rel}`);
    assert.equal(isExcludedByParent(excluded, rel), byParent, `isExcludedByParent ${rel}`);
  }
});

test('setIncluded', () => {
  const rows: [string[], string, boolean, string[]][] = [
    [[], '/Raw', false, ['/Raw']],
    [['/Raw'], '/Raw', true, []],
    [['/Raw'], '/raw', true, []],
    [['/A/x', '/A/y', '/B'], '/A', false, ['/A', '/B']],
    [['/B', '/A'], '/C', false, ['/A', '/B', '/C']],
    [['/A'], '/Z', true, ['/A']],
  ];
  for (const [excluded, rel, include, expected] of rows) assert.deepEqual(setIncluded(excluded, rel, include), expected, `${JSON.stringify(excluded)} ${rel} ${include}`);
});

test('sameExclusions ignores order and case', () => {
  const rows: [string[], string[], boolean][] = [
    [[], [], true],
    [['/A', '/B'], ['/b', '/A'], true],
    [['/A'], ['/A', '/B'], false],
    [['/A'], ['/C'], false],
  ];
  for (const [a, b, expected] of rows) assert.equal(sameExclusions(a, b), expected);
});
