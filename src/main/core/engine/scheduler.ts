// When the engine tries again: one backoff policy for failed paths, failed runs and the longpoll,
// a cap on how long a server may make us wait, and the timers that wake the loop. Time comes from
// an injected clock, so tests drive it without sleeping.
import type { PathKey } from './model.js';
import type { Clock } from './clock.js';

export interface BackoffPolicy {
  /** Delay after the first failure; doubles with each further one. */
  baseMs: number;
  /** Cap for what may heal by itself (network, server, a busy file): we look again at least this often. */
  maxMs: number;
  /** Cap for a path whose failure will not heal by itself (a refused name): no point asking every minute. */
  maxPermanentMs: number;
  /** The longest wait a server may ask for (Retry-After, longpoll backoff) before we look again. */
  maxServerWaitMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, maxPermanentMs: 300_000, maxServerWaitMs: 300_000 };

/** Delay before attempt `failures + 1`, after `failures` failures in a row (1-based). */
export function backoffDelay(policy: BackoffPolicy, failures: number, permanent = false): number {
  return Math.min(permanent ? policy.maxPermanentMs : policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
}

export interface PathFailure {
  path: string;
  message: string;
  attempts: number;
  retryAt: number;
  /** May heal by itself (server or network trouble, a busy file); false for a bad name and the like. */
  transient: boolean;
}

export class Scheduler {
  private readonly failures = new Map<PathKey, PathFailure>();
  /**
   * Keys of ops that failed in the current run, to the key their failure is recorded under: not
   * tried again before the run ends unless something makes that failure due (its timer, a
   * retryNow, a fresh change, the server back), so one run cannot spin on one bad path.
   */
  private readonly failedThisRun = new Map<PathKey, PathKey>();
  private runFailures = 0;
  private cancelRetryTimer: (() => void) | undefined;
  private readonly sleepers = new Set<() => void>();
  private stopped = false;
  /** The server or the network failed us since the last success. */
  private troubled = false;

  constructor(
    readonly clock: Clock,
    readonly policy: BackoffPolicy,
    /** Called when failed paths are due again: the engine looks at both sides. */
    private readonly onDue: () => void,
  ) {}

  // ---- failed paths ----

  /** A run starts: what failed in the previous one may be tried once its backoff has passed. */
  startRun(): void {
    this.failedThisRun.clear();
  }

  /** The op on `keys` failed; its failure is recorded under the first. */
  recordPathFailure(keys: readonly PathKey[], failure: { path: string; message: string; transient: boolean }): PathFailure {
    const key = keys[0]!;
    for (const k of keys) this.failedThisRun.set(k, key);
    const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
    const entry = { ...failure, attempts, retryAt: this.clock.now() + backoffDelay(this.policy, attempts, !failure.transient) };
    this.failures.set(key, entry);
    this.armRetryTimer();
    return entry;
  }

  pathSucceeded(key: PathKey): void {
    this.failures.delete(key);
  }

  /** A path still waiting out its backoff, or that failed in this run, must not be tried now. */
  isWaiting(key: PathKey): boolean {
    if (this.failedThisRun.has(key)) return true;
    const failure = this.failures.get(key);
    return failure !== undefined && failure.retryAt > this.clock.now();
  }

  isFailed(key: PathKey): boolean {
    return this.failures.has(key);
  }

  failed(): ReadonlyMap<PathKey, PathFailure> {
    return this.failures;
  }

  /** Something really changed at these keys (a local edit, a new remote rev): a fresh try, no backoff. */
  forget(keys: Iterable<PathKey>): void {
    for (const key of keys) {
      this.failures.delete(key);
      this.dueThisRun(key);
    }
  }

  /**
   * A call to the server succeeded: whatever failed because the server or the network was in
   * trouble may succeed now too, so transient failures are due at once. Permanent ones keep waiting.
   */
  serverRecovered(): void {
    if (!this.troubled) return;
    this.troubled = false;
    const now = this.clock.now();
    let woke = false;
    for (const [key, failure] of this.failures) {
      if (!failure.transient) continue;
      this.dueThisRun(key);
      if (failure.retryAt > now) {
        failure.retryAt = now;
        woke = true;
      }
    }
    if (woke) this.armRetryTimer();
  }

  /** A failure caused by the server or the network: the next success means it is fine again. */
  serverTrouble(): void {
    this.troubled = true;
  }

  /** retryNow(): every path (or one) is due now, and every backoff sleep ends. */
  retryNow(key?: PathKey): void {
    if (key === undefined) {
      this.failures.clear();
      this.failedThisRun.clear();
    } else {
      this.failures.delete(key);
      this.dueThisRun(key);
    }
    this.runFailures = 0;
    for (const wake of [...this.sleepers]) wake();
  }

  // ---- failed runs ----

  /** The delay before the next run after a failed one (network, server, a bug): backs off. */
  nextRunDelay(): number {
    this.runFailures += 1;
    return backoffDelay(this.policy, this.runFailures);
  }

  /** A server's request to wait, capped: a misbehaving server cannot park us for hours. */
  serverWait(askedMs: number): number {
    return Math.min(Math.max(0, askedMs), this.policy.maxServerWaitMs);
  }

  runSucceeded(): void {
    this.runFailures = 0;
  }

  // ---- timers ----

  /** Waits `ms`, or less when retryNow() or stop() cuts it short. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        cancel();
        this.sleepers.delete(done);
        resolve();
      };
      const cancel = this.clock.setTimer(done, ms);
      this.sleepers.add(done);
    });
  }

  stop(): void {
    this.stopped = true;
    this.cancelRetryTimer?.();
    for (const wake of [...this.sleepers]) wake();
  }

  /** The failure recorded under `key` may be tried again in the current run. */
  private dueThisRun(key: PathKey): void {
    for (const [k, recordedUnder] of this.failedThisRun) if (recordedUnder === key) this.failedThisRun.delete(k);
  }

  private armRetryTimer(): void {
    if (this.stopped) return;
    this.cancelRetryTimer?.();
    this.cancelRetryTimer = undefined;
    const next = Math.min(...[...this.failures.values()].map((f) => f.retryAt));
    if (!Number.isFinite(next)) return;
    this.cancelRetryTimer = this.clock.setTimer(() => {
      this.cancelRetryTimer = undefined;
      for (const [key, failure] of this.failures) if (failure.retryAt <= this.clock.now()) this.dueThisRun(key);
      this.onDue();
    }, Math.max(0, next - this.clock.now()));
  }
}
