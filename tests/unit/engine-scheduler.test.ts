// The scheduler's one backoff policy, driven by a fake clock: no test here waits on real time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, Scheduler, type BackoffPolicy } from '../../src/main/core/engine/scheduler.js';
import type { Clock } from '../../src/main/core/engine/clock.js';

/** A clock whose time moves only when the test says so; due timers fire in order. */
class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; fn: () => void }[] = [];

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    this.time += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.time).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
}

const policy: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, maxPermanentMs: 300_000, maxServerWaitMs: 300_000 };

test('backoff doubles from the base up to the cap', () => {
  const rows: [number, boolean, number][] = [
    [1, false, 1_000],
    [2, false, 2_000],
    [5, false, 16_000],
    [7, false, 60_000],
    [50, false, 60_000],
    [9, true, 256_000],
    [10, true, 300_000],
    [50, true, 300_000],
  ];
  for (const [failures, permanent, expected] of rows) assert.equal(backoffDelay(policy, failures, permanent), expected, `after ${failures} failures (permanent: ${permanent})`);
});

test('a failed path waits its backoff, then the scheduler says it is due', () => {
  const clock = new FakeClock();
  let due = 0;
  const scheduler = new Scheduler(clock, policy, () => (due += 1));
  scheduler.recordPathFailure(['/a'], { path: '/a', message: 'x', transient: true });
  assert.equal(scheduler.isWaiting('/a'), true);
  clock.advance(999);
  assert.deepEqual([scheduler.isWaiting('/a'), due], [true, 0]);
  clock.advance(1);
  assert.deepEqual([scheduler.isWaiting('/a'), due], [false, 1]);
  scheduler.recordPathFailure(['/a'], { path: '/a', message: 'x', transient: true });
  assert.equal(scheduler.failed().get('/a')?.retryAt, 1_000 + 2_000);
});

test('after server trouble, a success wakes transient failures only, once', () => {
  const clock = new FakeClock();
  const scheduler = new Scheduler(clock, policy, () => {});
  scheduler.recordPathFailure(['/transient'], { path: '/transient', message: 'cut short', transient: true });
  scheduler.recordPathFailure(['/bad name'], { path: '/bad name', message: 'name', transient: false });
  scheduler.serverRecovered();
  assert.equal(scheduler.isWaiting('/transient'), true, 'no trouble recorded: nothing to recover from');
  scheduler.serverTrouble();
  scheduler.serverRecovered();
  assert.deepEqual([scheduler.isWaiting('/transient'), scheduler.isWaiting('/bad name')], [false, true]);
});

test('a path that failed in this run waits for the next run, unless something makes it due now', () => {
  // [what happens, then: is /a waiting, is /b waiting] for an op on /a and /b that failed.
  const rows: [string, (scheduler: Scheduler, clock: FakeClock) => void, [boolean, boolean]][] = [
    ['nothing', () => {}, [true, true]],
    ['its backoff passed (timer)', (_s, clock) => clock.advance(1_000), [false, false]],
    ['retryNow for it', (s) => s.retryNow('/a'), [false, false]],
    ['retryNow for all', (s) => s.retryNow(), [false, false]],
    ['a fresh change at it', (s) => s.forget(['/a']), [false, false]],
    ['a fresh change at the other key of its op', (s) => s.forget(['/b']), [true, true]],
    ['the server back after trouble', (s) => {
      s.serverTrouble();
      s.serverRecovered();
    }, [false, false]],
    ['a new run: the backoff still holds', (s) => s.startRun(), [true, false]],
  ];
  for (const [what, event, waiting] of rows) {
    const clock = new FakeClock();
    const scheduler = new Scheduler(clock, policy, () => {});
    scheduler.startRun();
    scheduler.recordPathFailure(['/a', '/b'], { path: '/a', message: 'x', transient: true });
    event(scheduler, clock);
    assert.deepEqual([scheduler.isWaiting('/a'), scheduler.isWaiting('/b')], waiting, what);
  }
});

test('sleep ends at its time, or early on retryNow and stop', async () => {
  const clock = new FakeClock();
  const scheduler = new Scheduler(clock, policy, () => {});
  let ended = 0;
  void scheduler.sleep(5_000).then(() => (ended += 1));
  clock.advance(5_000);
  await Promise.resolve();
  assert.equal(ended, 1);
  void scheduler.sleep(60_000).then(() => (ended += 1));
  scheduler.retryNow();
  await Promise.resolve();
  assert.equal(ended, 2);
  scheduler.stop();
  await scheduler.sleep(60_000);
});

test('a server cannot make us wait longer than the cap', () => {
  const scheduler = new Scheduler(new FakeClock(), policy, () => {});
  assert.deepEqual([scheduler.serverWait(3_600_000), scheduler.serverWait(2_000), scheduler.serverWait(-5)], [300_000, 2_000, 0]);
});
