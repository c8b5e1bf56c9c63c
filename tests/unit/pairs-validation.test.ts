// Folder pair checks and views that need no disk, table style: Dropbox paths, overlaps, excluded
// folders, pair ids, and the per-pair headline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localPathsOverlap, normalizeExcluded, normalizeRemotePath, remotePathsOverlap } from '../../src/main/service/pairs/pairValidation.js';
import { newPairId } from '../../src/main/service/pairs/pairManager.js';
import { overallOfPair, pairViewOf } from '../../src/main/service/pairs/pairView.js';
import { CallFailure } from '../../src/main/service/types.js';
import { initialStatus, type EngineState } from '../../src/main/core/engine/status.js';
import { PairId } from '../../src/common/contract.js';

const remoteRows: [string, string | 'bad_request'][] = [
  ['', ''],
  ['/', ''],
  ['/Photos', '/Photos'],
  ['/Photos/', '/Photos'],
  ['/A/b c', '/A/b c'],
  ['Photos', 'bad_request'],
  ['/a//b', 'bad_request'],
  ['/a/../b', 'bad_request'],
  ['/a/b ', 'bad_request'],
  ['/a/desktop.ini', 'bad_request'],
  ['/a\\b', 'bad_request'],
];

for (const [input, expected] of remoteRows) {
  test(`normalizeRemotePath(${JSON.stringify(input)})`, () => {
    if (expected === 'bad_request') assert.throws(() => normalizeRemotePath(input), (err: unknown) => err instanceof CallFailure && err.code === 'bad_request');
    else assert.equal(normalizeRemotePath(input), expected);
  });
}

const overlapRows: [string, string, boolean][] = [
  ['/a', '/a', true],
  ['/A', '/a', true],
  ['/a', '/a/b', true],
  ['/a/b', '/a', true],
  ['/a', '/ab', false],
  ['', '/x', true],
  ['/x', '/y', false],
];

for (const [a, b, expected] of overlapRows) {
  test(`remotePathsOverlap(${a}, ${b})`, () => assert.equal(remotePathsOverlap(a, b), expected));
}

const localRows: [string, string, boolean, boolean][] = [
  ['/home/u/Sync', '/home/u/Sync', false, true],
  ['/home/u/Sync', '/home/u/Sync/sub', false, true],
  ['/home/u/Sync/sub', '/home/u/Sync', false, true],
  ['/home/u/Sync', '/home/u/Sync2', false, false],
  ['/home/u/Sync', '/home/u/sync', false, false],
  ['/home/u/Sync', '/home/u/sync', true, true],
  ['/home/u/Sync/', '/home/u/Sync', false, true],
];

for (const [a, b, foldCase, expected] of localRows) {
  test(`localPathsOverlap(${a}, ${b}, foldCase=${foldCase})`, () => assert.equal(localPathsOverlap(a, b, foldCase), expected));
}

const excludedRows: [string[], string[] | 'bad_request'][] = [
  [[], []],
  [['/a', '/b/'], ['/a', '/b']],
  [['/A', '/a'], ['/A']],
  [['/a/b', '/a'], ['/a']],
  [['/a', '/a/b', '/ab'], ['/a', '/ab']],
  [['a'], 'bad_request'],
  [['/'], 'bad_request'],
  [['/a//b'], 'bad_request'],
];

for (const [input, expected] of excludedRows) {
  test(`normalizeExcluded(${JSON.stringify(input)})`, () => {
    if (expected === 'bad_request') assert.throws(() => normalizeExcluded(input), (err: unknown) => err instanceof CallFailure && err.code === 'bad_request');
    else assert.deepEqual(normalizeExcluded(input), expected);
  });
}

test('pair ids are 12 characters of [a-z0-9] and valid for the contract', () => {
  const ids = new Set(Array.from({ length: 200 }, newPairId));
  assert.equal(ids.size, 200);
  for (const id of ids) {
    assert.match(id, /^[a-z0-9]{12}$/);
    PairId.parse(id);
  }
});

const overallRows: [EngineState, string][] = [
  ['starting', 'syncing'],
  ['idle', 'up_to_date'],
  ['syncing', 'syncing'],
  ['paused', 'paused'],
  ['offline', 'offline'],
  ['error', 'error'],
  ['needs_signin', 'signin_needed'],
  ['stopped', 'paused'],
];

for (const [state, expected] of overallRows) {
  test(`overall of a pair in ${state}`, () => assert.equal(overallOfPair({ ...initialStatus(), state }), expected));
}

const config = { id: 'abcdefabcdef', localPath: '/l', remotePath: '/R', options: { quietMs: 1000, deletionPolicy: 'propagate' as const, excluded: [] }, paused: false };

test('a pair view: speed in the line while syncing, transfers carry the pair id, mass delete held', () => {
  const status = { ...initialStatus(), state: 'syncing' as const, done: 2, total: 12, transfers: [{ path: '/a', direction: 'up' as const, bytes: 5, total: 10 }] };
  const view = pairViewOf({ config, status, bytesPerSec: 2_100_000 });
  assert.equal(view.line, 'Syncing 3 of 12, 2.1 MB/s');
  assert.equal(view.bytesPerSec, 2_100_000);
  assert.deepEqual(view.transfers, [{ pairId: config.id, path: '/a', direction: 'up', bytes: 5, total: 10 }]);
  assert.equal(view.massDeleteHeld, false);

  const held = pairViewOf({ config, status: { ...initialStatus(), state: 'paused', pauseReason: 'mass_delete', message: 'this would delete 20 of 30' }, bytesPerSec: 0 });
  assert.equal(held.massDeleteHeld, true);
  assert.equal(held.overall, 'paused');

  const waiting = pairViewOf({ config, status: { ...initialStatus(), state: 'needs_signin' }, line: 'Sign in to Dropbox to sync', bytesPerSec: 0, pausedUntil: 99 });
  assert.equal(waiting.line, 'Sign in to Dropbox to sync');
  assert.equal(waiting.paused, true);
  assert.equal(waiting.pausedUntil, 99);
});
