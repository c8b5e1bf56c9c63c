// withRetry: which errors are retried, how long each wait is, and how aborts end the loop.
// A fake sleep records the delays and returns at once, so nothing here waits on a clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthError,
  CursorResetError,
  InvalidResponseError,
  NetworkError,
  RateLimitError,
  RemoteConflictError,
  RemoteNotFoundError,
  ServerError,
  SyncError,
  VerificationError,
} from '../../src/main/core/errors.js';
import { abortableSleep, withRetry, type RetryDeps, type RetryPolicy } from '../../src/main/core/transfer/retry.js';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, verificationAttempts: 3, retryInvalidResponse: false };

function fakeDeps(randomValue: number): RetryDeps & { delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    random: () => randomValue,
    sleep: (ms, signal) => {
      delays.push(ms);
      return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    },
  };
}

type Step = Error | 'ok';
const network = (): Error => new NetworkError();
const server = (): Error => new ServerError(503);
const verification = (): Error => new VerificationError('/a', 'x', 'y');
const invalid = (): Error => new InvalidResponseError('bad json');

interface Row {
  name: string;
  steps: Step[];
  policy?: Partial<RetryPolicy>;
  random?: number;
  expected: { result: string; attempts: number; delays: number[] };
}

const rows: Row[] = [
  { name: 'success at once', steps: ['ok'], expected: { result: 'ok', attempts: 1, delays: [] } },
  { name: 'network errors back off exponentially with full jitter', steps: [network(), network(), network(), 'ok'], random: 0.5, expected: { result: 'ok', attempts: 4, delays: [50, 100, 200] } },
  { name: 'jitter can be zero', steps: [network(), 'ok'], random: 0, expected: { result: 'ok', attempts: 2, delays: [0] } },
  { name: 'server errors are retried', steps: [server(), 'ok'], random: 0.999, expected: { result: 'ok', attempts: 2, delays: [99] } },
  { name: 'the cap bounds the backoff', steps: [network(), network(), network(), network(), 'ok'], random: 0.999, policy: { maxDelayMs: 300 }, expected: { result: 'ok', attempts: 5, delays: [99, 199, 299, 299] } },
  { name: 'gives up after maxAttempts', steps: [server(), server(), server(), 'ok'], random: 0.5, policy: { maxAttempts: 3 }, expected: { result: 'ServerError', attempts: 3, delays: [50, 100] } },
  { name: 'Retry-After is honoured exactly, without jitter', steps: [new RateLimitError(1234), new RateLimitError(0), 'ok'], random: 0.5, expected: { result: 'ok', attempts: 3, delays: [1234, 0] } },
  { name: 'rate limits count against maxAttempts', steps: [new RateLimitError(10), new RateLimitError(10), 'ok'], policy: { maxAttempts: 2 }, expected: { result: 'RateLimitError', attempts: 2, delays: [10] } },
  { name: 'verification failures get three attempts', steps: [verification(), verification(), verification(), 'ok'], random: 0.5, expected: { result: 'VerificationError', attempts: 3, delays: [50, 100] } },
  { name: 'verification budget is separate from network failures', steps: [network(), verification(), network(), verification(), 'ok'], random: 0.5, expected: { result: 'ok', attempts: 5, delays: [50, 100, 200, 400] } },
  { name: 'invalid responses are not retried by default', steps: [invalid(), 'ok'], expected: { result: 'InvalidResponseError', attempts: 1, delays: [] } },
  { name: 'invalid responses are retried for transfers', steps: [invalid(), 'ok'], random: 0.5, policy: { retryInvalidResponse: true }, expected: { result: 'ok', attempts: 2, delays: [50] } },
  { name: 'auth errors are final', steps: [new AuthError(), 'ok'], expected: { result: 'AuthError', attempts: 1, delays: [] } },
  { name: 'conflicts are final', steps: [new RemoteConflictError('/a', 'file'), 'ok'], expected: { result: 'RemoteConflictError', attempts: 1, delays: [] } },
  { name: 'not found is final', steps: [new RemoteNotFoundError('/a'), 'ok'], expected: { result: 'RemoteNotFoundError', attempts: 1, delays: [] } },
  { name: 'cursor reset goes to the engine', steps: [new CursorResetError(), 'ok'], expected: { result: 'CursorResetError', attempts: 1, delays: [] } },
  { name: 'retryable SyncErrors are left to the engine', steps: [new SyncError({ path: '/a', title: 't', message: 'm', retryable: true }), 'ok'], expected: { result: 'SyncError', attempts: 1, delays: [] } },
  { name: 'unknown errors (bugs) are not retried', steps: [new TypeError('x is undefined'), 'ok'], expected: { result: 'TypeError', attempts: 1, delays: [] } },
];

for (const row of rows) {
  test(`withRetry: ${row.name}`, async () => {
    const deps = fakeDeps(row.random ?? 0.5);
    let attempts = 0;
    const fn = async (attempt: number): Promise<string> => {
      attempts++;
      assert.equal(attempt, attempts);
      const step = row.steps[attempt - 1];
      if (step === undefined) throw new Error('script exhausted');
      if (step !== 'ok') throw step;
      return 'ok';
    };
    const result = await withRetry(fn, { ...policy, ...row.policy }, deps).then(
      (value) => value,
      (err: Error) => err.name,
    );
    assert.deepEqual({ result, attempts, delays: deps.delays }, row.expected);
  });
}

test('withRetry: reports each retry before waiting', async () => {
  const seen: Array<[string, number, number]> = [];
  let calls = 0;
  await withRetry(async () => {
    if (++calls < 3) throw new NetworkError();
    return 1;
  }, policy, fakeDeps(0.5), { onRetry: (err, attempt, delay) => seen.push([err.name, attempt, delay]) });
  assert.deepEqual(seen, [['NetworkError', 1, 50], ['NetworkError', 2, 100]]);
});

test('withRetry: an abort while an attempt runs ends the loop with the abort reason', async () => {
  const controller = new AbortController();
  const deps = fakeDeps(0.5);
  let attempts = 0;
  const run = withRetry(async () => {
    attempts++;
    controller.abort(new Error('stopped by user'));
    throw new NetworkError();
  }, policy, deps, { signal: controller.signal });
  await assert.rejects(run, { message: 'stopped by user' });
  assert.equal(attempts, 1);
});

test('withRetry: an abort during the backoff wait ends it early', async () => {
  const controller = new AbortController();
  let attempts = 0;
  const deps: RetryDeps = { random: () => 0.5, sleep: abortableSleep };
  const run = withRetry(async () => {
    attempts++;
    throw new NetworkError();
  }, { ...policy, baseDelayMs: 600_000, maxDelayMs: 600_000 }, deps, {
    signal: controller.signal,
    // Fires once the 5-minute wait has started; the test finishing at all shows the wait was cut short.
    onRetry: () => setImmediate(() => controller.abort(new Error('stopped by user'))),
  });
  await assert.rejects(run, { message: 'stopped by user' });
  assert.equal(attempts, 1);
});

test('withRetry: a failure caused by our own abort is not retried', async () => {
  const controller = new AbortController();
  const deps = fakeDeps(0.5);
  const run = withRetry(async () => {
    controller.abort();
    throw new DOMException('This operation was aborted', 'AbortError');
  }, policy, deps, { signal: controller.signal });
  await assert.rejects(run, { name: 'AbortError' });
  assert.deepEqual(deps.delays, []);
});

test('withRetry: an already aborted signal runs nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  let attempts = 0;
  await assert.rejects(withRetry(async () => ++attempts, policy, fakeDeps(0.5), { signal: controller.signal }), { name: 'AbortError' });
  assert.equal(attempts, 0);
});

test('abortableSleep: resolves after the delay and rejects at once on abort', async () => {
  await abortableSleep(0);
  const controller = new AbortController();
  const pending = abortableSleep(60_000, controller.signal);
  controller.abort(new Error('cancelled'));
  await assert.rejects(pending, { message: 'cancelled' });
  const aborted = new AbortController();
  aborted.abort(new Error('early'));
  await assert.rejects(abortableSleep(60_000, aborted.signal), { message: 'early' });
});

test('a Retry-After longer than the policy allows goes back to the caller at once, not waited out', async () => {
  const deps = fakeDeps(0.5);
  let calls = 0;
  const long = withRetry(
    () => {
      calls += 1;
      return Promise.reject(new RateLimitError(3_600_000));
    },
    { ...policy, maxRetryAfterMs: 300_000 },
    deps,
  );
  await assert.rejects(long, RateLimitError);
  assert.deepEqual([calls, deps.delays], [1, []]);
});
