// createLimiter: never more than `limit` jobs in flight, FIFO start order, slots freed on failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLimiter } from '../../src/main/core/local/limiter.js';

/** A job that finishes only when the test says so, recording when it started. */
function gate(started: number[], id: number): { job: () => Promise<number>; open: () => void; fail: () => void } {
  let open!: () => void;
  let fail!: () => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = () => reject(new Error(`job ${id} failed`));
  });
  return { job: async () => { started.push(id); await done; return id; }, open, fail };
}

// [limit, jobs] -> at most `limit` run at once and they start in submission order
const rows: [number, number][] = [[1, 5], [3, 10], [64, 20], [2, 3000]];

for (const [limit, count] of rows) {
  test(`limiter(${limit}) with ${count} jobs keeps at most ${limit} in flight, in FIFO order`, async () => {
    const run = createLimiter(limit);
    const started: number[] = [];
    const gates = Array.from({ length: count }, (_, i) => gate(started, i));
    const results = gates.map((g) => run(g.job));
    let peak = 0;
    for (let finished = 0; finished < count; finished++) {
      // Let every job that can start do so before measuring.
      await new Promise((resolve) => setImmediate(resolve));
      peak = Math.max(peak, started.length - finished);
      gates[finished]?.open();
      await results[finished];
    }
    const ids = Array.from({ length: count }, (_, i) => i);
    assert.deepEqual([peak, started, await Promise.all(results)], [Math.min(limit, count), ids, ids]);
  });
}

test('a failing job frees its slot and its error reaches the caller', async () => {
  const run = createLimiter(1);
  const started: number[] = [];
  const first = gate(started, 0);
  const second = gate(started, 1);
  const a = run(first.job);
  const b = run(second.job);
  first.fail();
  await assert.rejects(a, /job 0 failed/);
  second.open();
  assert.deepEqual([await b, started], [1, [0, 1]]);
});

test('limits must be positive integers', () => {
  assert.deepEqual([0, -1, 1.5, Number.NaN].map((n) => { try { createLimiter(n); return 'ok'; } catch (e) { return (e as Error).name; } }), ['RangeError', 'RangeError', 'RangeError', 'RangeError']);
});
