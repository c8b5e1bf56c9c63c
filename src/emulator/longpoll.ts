// Holds a list_folder/longpoll until its cursor has news, the cursor is reset, the timeout passes
// or the request goes away. Woken by the namespace's change notifications, not by polling.
// Also counts held longpolls, so callers can wait until a client is idle-polling.
import type { Namespace } from './namespace.js';

export type PollStatus = 'changes' | 'reset' | 'none';

export function waitForNews(ns: Namespace, status: () => PollStatus, timeoutMs: number, signal: AbortSignal): Promise<'changes' | 'reset' | 'timeout'> {
  const first = status();
  if (first !== 'none') return Promise.resolve(first);
  return new Promise((resolve) => {
    const finish = (outcome: 'changes' | 'reset' | 'timeout'): void => {
      unsubscribe();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => finish('timeout');
    const unsubscribe = ns.subscribe(() => {
      const now = status();
      if (now !== 'none') finish(now);
    });
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    if (signal.aborted) finish('timeout');
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Counts longpolls being held, so tests (and clients of the emulator) can wait until one is. */
export class HeldLongpolls {
  private held = 0;
  private readonly waiters = new Set<{ count: number; resolve: () => void }>();

  /** Runs `wait` as one held longpoll. */
  async hold<T>(wait: () => Promise<T>): Promise<T> {
    this.held += 1;
    for (const w of [...this.waiters]) {
      if (this.held >= w.count) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
    try {
      return await wait();
    } finally {
      this.held -= 1;
    }
  }

  /** Resolves once at least `count` longpolls are held at the same time. */
  whenHeld(count: number): Promise<void> {
    if (this.held >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add({ count, resolve }));
  }
}
