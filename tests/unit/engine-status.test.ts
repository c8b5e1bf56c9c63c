// The status is a pure function of the engine's state: table of states and what is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveStatus, statusLine, type EngineFacts } from '../../src/main/core/engine/status.js';

const base: EngineFacts = { lifecycle: 'running', busy: false, done: 0, total: 0, transfers: new Map(), errorCount: 0 };
const at = new Date(2026, 0, 1, 14, 5).getTime();

test('status and status line derive from the engine state', () => {
  const rows: [string, Partial<EngineFacts>, string][] = [
    ['idle', {}, 'Up to date'],
    ['converged while paused stays paused', { paused: { reason: 'user' }, lastSyncedAt: 5 }, 'Paused: paused by you'],
    ['paused beats a failure', { paused: { reason: 'user' }, problem: { kind: 'offline', message: 'down' } }, 'Paused: paused by you'],
    ['sign-in beats a pause', { paused: { reason: 'user' }, problem: { kind: 'needs_signin', message: 'x' } }, 'Sign in again: Dropbox no longer accepts the saved credentials'],
    ['offline', { problem: { kind: 'offline', message: 'no route' } }, 'Offline: no route'],
    ['scanning', { busy: true, scanned: 1200 }, 'Scanning… 1200 files'],
    ['syncing', { busy: true, done: 2, total: 10 }, 'Syncing 3 of 10'],
    ['waiting for the server', { serverWaitUntil: at }, 'Syncing; Dropbox asked us to wait until 14:05'],
    ['stopped', { lifecycle: 'stopped', paused: { reason: 'user' } }, 'Stopped'],
  ];
  for (const [name, patch, line] of rows) assert.equal(statusLine(deriveStatus({ ...base, ...patch })), line, name);
});
