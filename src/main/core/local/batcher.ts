// Holds back a stream of items until it goes quiet, then hands them over in one batch: the
// watcher uses it so a burst of file events becomes one re-stat pass. A stream that never goes
// quiet (a log file written every 100 ms) is still flushed after `maxDelayMs`, so it cannot
// starve the changes that came with it.

export interface BatcherOptions {
  /** Flush once no item has arrived for this long. */
  quietMs: number;
  /** Flush at the latest this long after the first item of a batch. */
  maxDelayMs: number;
}

export class EventBatcher<T> {
  private items: T[] = [];
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private maxTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: BatcherOptions, private readonly onFlush: (items: T[]) => void) {
    if (!(opts.quietMs > 0) || !(opts.maxDelayMs >= opts.quietMs)) {
      throw new RangeError(`need 0 < quietMs <= maxDelayMs, got ${opts.quietMs} and ${opts.maxDelayMs}`);
    }
  }

  get pending(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.maxTimer === undefined) this.maxTimer = setTimeout(() => this.flush(), this.opts.maxDelayMs);
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.opts.quietMs);
  }

  /** Hands over what is pending now (nothing happens when nothing is pending). */
  flush(): void {
    this.clearTimers();
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.onFlush(items);
  }

  /** Drops what is pending and stops the timers. */
  dispose(): void {
    this.clearTimers();
    this.items = [];
  }

  private clearTimers(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.quietTimer = undefined;
    this.maxTimer = undefined;
  }
}
