// Watches the remote side while the engine is live: blocks on longpoll with the stored cursor and
// marks the remote dirty when something changed. Honours the server's backoff (capped) and backs
// off after failures with the scheduler's one policy; the main loop owns the status and retries.
import { withChildSignal } from './childSignal.js';
import type { RemoteFeed } from './remoteFeed.js';
import { backoffDelay, type Scheduler } from './scheduler.js';
import { CursorResetError, RateLimitError } from '../errors.js';

export interface RemoteWatchDeps {
  feed: RemoteFeed;
  scheduler: Scheduler;
  signal: AbortSignal;
  timeoutSec: number;
  /** Resolves once the engine has nothing left to do (or stopped). */
  whenIdle(): Promise<void>;
  /** Resolves at the engine's next status change. */
  whenStatusChanges(): Promise<void>;
  /** Held for a new sign-in: polling would only fail again. */
  needsSignIn(): boolean;
  /** Tells the main loop to read the feed, and resolves once it has (or the engine stopped). */
  remoteChanged(): Promise<void>;
}

export async function watchRemote(deps: RemoteWatchDeps): Promise<void> {
  const { scheduler, signal } = deps;
  let failures = 0;
  let backoffMs = 0;
  while (!signal.aborted) {
    await deps.whenIdle();
    if (signal.aborted) return;
    if (backoffMs > 0) await scheduler.sleep(backoffMs);
    if (deps.needsSignIn()) {
      await deps.whenStatusChanges();
      continue;
    }
    try {
      const result = await withChildSignal(signal, async (child) => deps.feed.waitForChanges(deps.timeoutSec, child));
      failures = 0;
      // No cursor yet (the first listing failed): the main loop lists and retries.
      if (!result) {
        await deps.remoteChanged();
        continue;
      }
      backoffMs = scheduler.serverWait((result.backoffSec ?? 0) * 1000);
      // Poll again only once the loop has consumed the news, with the new cursor.
      if (result.changes) await deps.remoteChanged();
    } catch (err) {
      if (signal.aborted) return;
      if (!(err instanceof CursorResetError)) {
        failures += 1;
        backoffMs = err instanceof RateLimitError ? scheduler.serverWait(err.retryAfterMs) : backoffDelay(scheduler.policy, failures);
      }
      // Let the main loop find out whether Dropbox is reachable (it shows "offline" and retries).
      await deps.remoteChanged();
    }
  }
}
