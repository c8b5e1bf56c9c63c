// Retrying provider calls: exponential backoff with full jitter for transient failures, the
// server's Retry-After for rate limits, a small budget for failed verifications, and no retries
// for errors that cannot heal by themselves (auth, conflicts, missing paths, bugs).
// Time is injected (sleep, random) so tests run instantly and can record every delay.
import {
  InvalidResponseError,
  NetworkError,
  RateLimitError,
  ServerError,
  VerificationError,
  isAbortError,
} from '../errors.js';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** Backoff cap before jitter for the first retry; doubles with each further retry. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total attempts when the transferred bytes fail verification (truncated/corrupted bodies). */
  verificationAttempts: number;
  /** Retry InvalidResponseError: right for transfers, where a garbled answer is usually transport damage. */
  retryInvalidResponse: boolean;
  /**
   * The longest Retry-After waited out inside one call. A longer one goes back to the caller,
   * which can say so (the engine shows the wait; a one-time sync gives up) instead of hanging.
   */
  maxRetryAfterMs?: number;
}

export interface RetryDeps {
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export interface RetryOptions {
  signal?: AbortSignal;
  /** Observes each retry before its delay (logging, UI). */
  onRetry?: (err: Error, attempt: number, delayMs: number) => void;
}

/** Default of RetryPolicy.maxRetryAfterMs. */
export const MAX_RETRY_AFTER_MS = 60_000;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  verificationAttempts: 3,
  retryInvalidResponse: false,
  maxRetryAfterMs: MAX_RETRY_AFTER_MS,
};

export const TRANSFER_RETRY_POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, retryInvalidResponse: true };

export const realRetryDeps: RetryDeps = {
  sleep: abortableSleep,
  random: Math.random,
};

/** Decides whether `err` after `attempt` attempts (1-based) deserves another try, and after how long. */
export function retryDelay(
  err: unknown,
  attempt: number,
  verificationFailures: number,
  policy: RetryPolicy,
  random: () => number,
): number | null {
  if (attempt >= policy.maxAttempts) return null;
  if (err instanceof RateLimitError) return err.retryAfterMs > (policy.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS) ? null : Math.max(0, err.retryAfterMs);
  if (err instanceof VerificationError) {
    if (verificationFailures >= policy.verificationAttempts) return null;
  } else if (err instanceof InvalidResponseError) {
    if (!policy.retryInvalidResponse) return null;
  } else if (!(err instanceof NetworkError || err instanceof ServerError)) {
    // AuthError, RemoteConflictError, RemoteNotFoundError, other SyncErrors, CursorResetError
    // and programming errors: repeating the same request cannot help.
    return null;
  }
  // Full jitter: uniform in [0, cap) spreads clients that failed together (AWS architecture blog).
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/** Runs `fn` until it succeeds, fails permanently, exhausts the policy, or `signal` aborts. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  deps: RetryDeps,
  options: RetryOptions = {},
): Promise<T> {
  const { signal } = options;
  let verificationFailures = 0;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      // Our own cancellation is never a failure to retry, whatever shape it surfaced in.
      if (signal?.aborted) throw signal.reason;
      if (isAbortError(err)) throw err;
      if (err instanceof VerificationError) verificationFailures++;
      const delay = retryDelay(err, attempt, verificationFailures, policy, deps.random);
      if (delay === null) throw err;
      options.onRetry?.(err as Error, attempt, delay);
      await deps.sleep(delay, signal);
    }
  }
}

/** setTimeout as a promise that rejects with the signal's reason on abort and never leaks a timer. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
