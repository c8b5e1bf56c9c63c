// Desktop notifications: which changes notify, and that bursts become one summary per window.
// Driven by a fake clock and a fake timer, so each scenario is exact and instant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivityItem, AppState, PairView } from '../../src/common/contract.js';
import { NotificationCoalescer, summarize, type DesktopNotice } from '../../src/main/service/notifications/notificationCoalescer.js';

function pair(over: Partial<PairView> = {}): PairView {
  return {
    id: 'pair0001', localPath: '/home/ann/Work', remotePath: '/Work', options: { quietMs: 1000, deletionPolicy: 'propagate', excluded: [] },
    paused: false, engineState: 'idle', overall: 'up_to_date', line: 'Up to date', massDeleteHeld: false, done: 0, total: 0,
    bytesPerSec: 0, transfers: [], errorCount: 0, ...over,
  };
}

function state(over: Partial<AppState> = {}, pairs: PairView[] = [pair()]): AppState {
  return {
    overall: 'up_to_date', line: 'Up to date', bytesPerSec: 0, account: { accountId: 'dbid:1', displayName: 'Ann', email: 'a@b.c' },
    signInNeeded: false, signIn: { pending: false }, pairs, settings: { notifications: true },
    host: { kind: 'electron', nativeFolderPicker: true, canReveal: true, canAutostart: true }, ...over,
  };
}

let seq = 0;
function conflict(path: string, detail?: string): ActivityItem {
  return { id: `pair0001:${++seq}`, pairId: 'pair0001', time: 0, action: 'conflict', path, ...(detail ? { detail } : {}) };
}
function failed(path: string): ActivityItem {
  return { id: `pair0001:${++seq}`, pairId: 'pair0001', time: 0, action: 'error', path };
}

/** A coalescer on a fake clock; `advance` fires due timers in order. */
function rig(windowMs = 10_000) {
  let now = 1_000_000;
  const shown: DesktopNotice[] = [];
  let timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const c = new NotificationCoalescer({
    notify: (n) => shown.push(n),
    now: () => now,
    windowMs,
    schedule: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return () => {
        t.live = false;
      };
    },
  });
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      due.live = false;
      due.fn();
    }
    timers = timers.filter((t) => t.live);
    now = end;
  };
  return { c, shown, advance, pendingTimers: () => timers.filter((t) => t.live).length };
}

test('summaries read like a sentence', () => {
  const cases: Array<[Record<'conflict' | 'error' | 'signin', number>, string]> = [
    [{ conflict: 3, error: 2, signin: 0 }, '3 conflicts and 2 errors'],
    [{ conflict: 1, error: 0, signin: 0 }, '1 conflict'],
    [{ conflict: 0, error: 1, signin: 1 }, '1 error and Dropbox sign-in needed'],
    [{ conflict: 2, error: 1, signin: 1 }, '2 conflicts, 1 error and Dropbox sign-in needed'],
  ];
  for (const [counts, expected] of cases) assert.equal(summarize(counts), expected);
});

test('one conflict notifies at once with the file name', () => {
  const { c, shown } = rig();
  c.observe(state(), []);
  c.observe(state(), [conflict('/docs/report.docx', "/docs/report (ann's conflicted copy 2025-03-10).docx")]);
  assert.deepEqual(shown, [{ title: 'Conflict: kept both versions of report.docx', body: "The other version was saved as report (ann's conflicted copy 2025-03-10).docx." }]);
});

test('a burst becomes the first notice plus one summary at the end of the window', () => {
  const { c, shown, advance, pendingTimers } = rig();
  c.observe(state(), []);
  c.observe(state(), [conflict('/a.txt')]);
  advance(1000);
  c.observe(state({}, [pair({ errorCount: 2 })]), [conflict('/b.txt'), conflict('/c.txt'), failed('/d.txt'), failed('/e.txt')]);
  advance(1000);
  c.observe(state({}, [pair({ errorCount: 2 })]), [conflict('/f.txt')]);
  assert.equal(shown.length, 1, 'only the first is shown inside the window');
  assert.equal(pendingTimers(), 1, 'one timer for the whole burst');
  advance(8000);
  assert.deepEqual(shown.map((n) => n.body), ['Both versions are in the folder.', '3 conflicts and 2 errors']);
  advance(60_000);
  assert.equal(shown.length, 2, 'nothing more without news');
});

test('a single held notice is shown as itself, not as a summary', () => {
  const { c, shown, advance } = rig();
  c.observe(state(), [conflict('/a.txt')]);
  c.observe(state(), [conflict('/b.txt')]);
  advance(10_000);
  assert.deepEqual(shown.map((n) => n.title), ['Conflict: kept both versions of a.txt', 'Conflict: kept both versions of b.txt']);
});

test('after a quiet window the next notice goes out at once again', () => {
  const { c, shown, advance } = rig();
  c.observe(state(), [conflict('/a.txt')]);
  advance(10_001);
  c.observe(state(), [conflict('/b.txt')]);
  assert.equal(shown.length, 2);
});

test('errors: counted from activity items, from count rises without items, never twice', () => {
  const { c, shown, advance } = rig(0); // window 0: every notice shown as it comes
  c.observe(state({}, [pair({ errorCount: 4 })]), []); // errors from a previous run are not news
  assert.equal(shown.length, 0);
  c.observe(state({}, [pair({ errorCount: 5 })]), [failed('/x/y.bin')]);
  assert.deepEqual(shown.at(-1), { title: 'Could not sync y.bin', body: 'Open Twinfold to see why and retry.' });
  c.observe(state({}, [pair({ errorCount: 6 })]), []);
  assert.deepEqual(shown.at(-1), { title: 'Could not sync a file in Work', body: 'Open Twinfold to see why and retry.' });
  c.observe(state({}, [pair({ errorCount: 2 })]), []); // retries fixed some: no notice
  advance(1);
  assert.equal(shown.length, 2);
});

test('engine error state notifies on entering it, once', () => {
  const { c, shown } = rig(0);
  const broken = [pair({ engineState: 'error', line: 'The index is damaged' })];
  c.observe(state(), []);
  c.observe(state({ overall: 'error' }, broken), []);
  c.observe(state({ overall: 'error' }, broken), []);
  assert.deepEqual(shown, [{ title: 'Syncing stopped for Work', body: 'The index is damaged' }]);
  c.observe(state(), []);
  c.observe(state({ overall: 'error' }, broken), []);
  assert.equal(shown.length, 2, 'a new episode notifies again');
});

test('an engine already in error at startup is news', () => {
  const { c, shown } = rig(0);
  c.observe(state({ overall: 'error' }, [pair({ engineState: 'error', line: 'Disk full' })]), []);
  assert.equal(shown.length, 1);
});

test('sign-in needed: once per episode', () => {
  const { c, shown } = rig(0);
  c.observe(state({ signInNeeded: true }), []);
  c.observe(state({ signInNeeded: true }), []);
  c.observe(state({ signInNeeded: true }), []);
  assert.deepEqual(shown, [{ title: 'Sign in to Dropbox again', body: 'Twinfold has stopped syncing until you sign in.' }]);
  c.observe(state(), []);
  c.observe(state({ signInNeeded: true }), []);
  assert.equal(shown.length, 2);
});

test('notifications off: nothing, held notices dropped, and no replay when turned on', () => {
  const { c, shown, advance } = rig();
  c.observe(state(), [conflict('/a.txt')]);
  c.observe(state(), [conflict('/b.txt')]); // held
  c.observe(state({ settings: { notifications: false }, signInNeeded: true }), [conflict('/c.txt')]);
  advance(20_000);
  assert.equal(shown.length, 1);
  c.observe(state({ signInNeeded: true }), []); // same sign-in episode: not news after turning on
  advance(20_000);
  assert.equal(shown.length, 1);
  c.observe(state(), [conflict('/d.txt')]);
  assert.equal(shown.length, 2);
});

test('dispose cancels the pending summary', () => {
  const { c, shown, advance, pendingTimers } = rig();
  c.observe(state(), [conflict('/a.txt'), conflict('/b.txt')]);
  assert.equal(pendingTimers(), 1);
  c.dispose();
  advance(20_000);
  assert.equal(shown.length, 1);
});
