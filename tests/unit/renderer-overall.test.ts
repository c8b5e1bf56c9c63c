// The headline of the window and of each pair: words, icon and tone per state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OverallState, PairView } from '../../src/common/contract.js';
import { allPaused, filesLeft, headline, overallLook, resumesIn, type StateLook } from '../../src/renderer/logic/overall.js';

function pair(p: Partial<PairView>): PairView {
  return {
    id: 'abcdef', localPath: '/x', remotePath: '/x', options: { quietMs: 0, deletionPolicy: 'propagate', excluded: [] }, paused: false, engineState: 'idle', overall: 'up_to_date', line: '', massDeleteHeld: false, done: 0, total: 0, bytesPerSec: 0, transfers: [], errorCount: 0,
    ...p,
  };
}

const account = { accountId: 'dbid:1', displayName: 'A', email: 'a@example.com' };

test('overallLook gives every state a label, icon and tone', () => {
  const rows: [OverallState, StateLook][] = [
    ['up_to_date', { label: 'Up to date', icon: 'check', tone: 'ok' }],
    ['syncing', { label: 'Syncing', icon: 'sync', tone: 'busy' }],
    ['paused', { label: 'Paused', icon: 'pause', tone: 'neutral' }],
    ['offline', { label: 'Offline', icon: 'offline', tone: 'warn' }],
    ['error', { label: 'Needs attention', icon: 'alert', tone: 'error' }],
    ['signin_needed', { label: 'Sign-in needed', icon: 'signin', tone: 'error' }],
    ['no_pairs', { label: 'No folders yet', icon: 'folder', tone: 'neutral' }],
  ];
  for (const [state, expected] of rows) assert.deepEqual(overallLook(state), expected, state);
});

test('headline', () => {
  const now = Date.UTC(2025, 0, 1, 10, 0);
  const syncing = [pair({ overall: 'syncing', done: 4, total: 12 }), pair({ overall: 'syncing', done: 1, total: 40 }), pair({ overall: 'paused', done: 0, total: 9 })];
  const rows: [Parameters<typeof headline>[0], string][] = [
    [{ overall: 'syncing', pairs: syncing, bytesPerSec: 8_500_000, account }, 'Syncing 47 files, 8.5 MB/s'],
    [{ overall: 'syncing', pairs: syncing, bytesPerSec: 0, account }, 'Syncing 47 files'],
    [{ overall: 'syncing', pairs: [pair({ overall: 'syncing', done: 1, total: 2 })], bytesPerSec: 0, account }, 'Syncing 1 file'],
    [{ overall: 'syncing', pairs: [], bytesPerSec: 2000, account }, 'Syncing, 2.0 kB/s'],
    [{ overall: 'paused', pairs: [], bytesPerSec: 0, pausedUntil: now + 30 * 60_000, account }, 'Paused until 10:30'],
    [{ overall: 'paused', pairs: [], bytesPerSec: 0, pausedUntil: now - 1, account }, 'Paused'],
    [{ overall: 'up_to_date', pairs: [], bytesPerSec: 0, account }, 'Up to date'],
    [{ overall: 'no_pairs', pairs: [], bytesPerSec: 0, account }, 'No folders yet'],
    [{ overall: 'no_pairs', pairs: [], bytesPerSec: 0, account: undefined }, 'Not signed in'],
    [{ overall: 'signin_needed', pairs: [], bytesPerSec: 0, account }, 'Sign-in needed'],
  ];
  for (const [state, expected] of rows) assert.equal(headline(state, now, { timeZone: 'UTC' }), expected);
});

test('filesLeft counts only pairs that are syncing', () => {
  assert.equal(filesLeft([pair({ overall: 'syncing', done: 3, total: 5 }), pair({ overall: 'up_to_date', done: 0, total: 7 }), pair({ overall: 'syncing', done: 9, total: 5 })]), 2);
});

test('resumesIn only for a timed pause still running', () => {
  const rows: [number | undefined, string | undefined][] = [
    [undefined, undefined],
    [1000, undefined],
    [1000 + 42 * 60_000, 'Resumes in 42 minutes'],
  ];
  for (const [until, expected] of rows) assert.equal(resumesIn(until, 1000), expected);
});

test('allPaused needs at least one pair and every pair paused by the user', () => {
  const rows: [PairView[], boolean][] = [
    [[], false],
    [[pair({ paused: true })], true],
    [[pair({ paused: true }), pair({ paused: false, overall: 'paused' })], false],
  ];
  for (const [pairs, expected] of rows) assert.equal(allPaused(pairs), expected);
});
