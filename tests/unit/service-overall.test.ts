import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveOverall, type OverallInput } from '../../src/main/service/overallState.js';

type PairIn = OverallInput['pairs'][number];
const pair = (over: Partial<PairIn>): PairIn => ({ overall: 'up_to_date', done: 0, total: 0, bytesPerSec: 0, line: 'Up to date', errorCount: 0, lastSyncedAt: 1000, ...over });
const signedIn = (pairs: PairIn[]): OverallInput => ({ signedIn: true, signInNeeded: false, pairs });

const rows: [string, OverallInput, { overall: string; line: string }][] = [
  ['signed out', { signedIn: false, signInNeeded: false, pairs: [] }, { overall: 'signin_needed', line: 'Sign in to Dropbox to start syncing' }],
  ['sign-in needed beats everything', { signedIn: true, signInNeeded: true, pairs: [pair({ overall: 'error' })] }, { overall: 'signin_needed', line: 'Sign in again: Dropbox no longer accepts the saved sign-in' }],
  ['no pairs', signedIn([]), { overall: 'no_pairs', line: 'Choose a folder to sync' }],
  ['one error pair uses its line', signedIn([pair({ overall: 'error', line: 'Error: disk gone' })]), { overall: 'error', line: 'Error: disk gone' }],
  ['error among several', signedIn([pair({ overall: 'error' }), pair({ overall: 'syncing' })]), { overall: 'error', line: '1 of 2 folder pairs need attention' }],
  ['offline beats syncing', signedIn([pair({ overall: 'offline' }), pair({ overall: 'syncing' })]), { overall: 'offline', line: 'Offline, waiting for the network' }],
  ['syncing counts files left and speed', signedIn([pair({ overall: 'syncing', done: 2, total: 5, bytesPerSec: 2_100_000 }), pair({ overall: 'syncing', done: 0, total: 1 })]), { overall: 'syncing', line: 'Syncing 4 files, 2.1 MB/s' }],
  ['syncing one file', signedIn([pair({ overall: 'syncing', done: 0, total: 1 })]), { overall: 'syncing', line: 'Syncing 1 file' }],
  ['all paused', signedIn([pair({ overall: 'paused' }), pair({ overall: 'paused' })]), { overall: 'paused', line: 'Paused' }],
  ['some paused', signedIn([pair({ overall: 'paused' }), pair({})]), { overall: 'up_to_date', line: 'Up to date (1 paused)' }],
  ['up to date with errors', signedIn([pair({ errorCount: 2 })]), { overall: 'up_to_date', line: 'Up to date (2 items could not be synced)' }],
  ['up to date', signedIn([pair({})]), { overall: 'up_to_date', line: 'Up to date' }],
];

for (const [name, input, expected] of rows) {
  test(`overall: ${name}`, () => {
    const { overall, line } = deriveOverall(input);
    assert.deepEqual({ overall, line }, expected);
  });
}

test('overall: last synced is the oldest pair, and only when every pair has synced', () => {
  assert.equal(deriveOverall(signedIn([pair({ lastSyncedAt: 5 }), pair({ lastSyncedAt: 3 })])).lastSyncedAt, 3);
  assert.equal(deriveOverall(signedIn([pair({ lastSyncedAt: 5 }), pair({ lastSyncedAt: undefined })])).lastSyncedAt, undefined);
});
