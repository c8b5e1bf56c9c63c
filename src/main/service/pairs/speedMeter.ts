// Transfer speed of one folder pair for people: bytes per second over a sliding window, computed
// from the progress of the running transfers as the engine reports it. Pure (time is passed in).
// A transfer that starts over (bytes go down) counts its new bytes from zero; a finished one simply
// leaves the list; with nothing running the speed is 0 at once.

export interface TransferSample {
  /** Identifies one transfer across samples, e.g. direction + path. */
  id: string;
  /** Bytes done so far. */
  bytes: number;
}

export interface SpeedMeterOptions {
  /** How far back bytes count (ms). */
  windowMs?: number;
  /** The shortest span a rate is computed over, so the first sample after a start is no spike. */
  minSpanMs?: number;
}

export class SpeedMeter {
  private readonly windowMs: number;
  private readonly minSpanMs: number;
  private lastBytes = new Map<string, number>();
  private moved: { time: number; bytes: number }[] = [];
  /** Start of the current busy period (transfers running without a break). */
  private busySince: number | undefined;

  constructor(opts: SpeedMeterOptions = {}) {
    this.windowMs = opts.windowMs ?? 3000;
    this.minSpanMs = Math.min(opts.minSpanMs ?? 1000, this.windowMs);
  }

  /** Records the progress of every transfer running at `now`. */
  observe(now: number, transfers: readonly TransferSample[]): void {
    if (transfers.length === 0) {
      this.lastBytes.clear();
      this.moved = [];
      this.busySince = undefined;
      return;
    }
    this.busySince ??= now;
    const next = new Map<string, number>();
    let bytes = 0;
    for (const t of transfers) {
      const before = this.lastBytes.get(t.id) ?? 0;
      bytes += t.bytes >= before ? t.bytes - before : t.bytes;
      next.set(t.id, t.bytes);
    }
    this.lastBytes = next;
    if (bytes > 0) this.moved.push({ time: now, bytes });
    this.forgetBefore(now - this.windowMs);
  }

  /** Bytes per second over the window ending at `now`; 0 when nothing is running. */
  bytesPerSec(now: number): number {
    if (this.busySince === undefined) return 0;
    this.forgetBefore(now - this.windowMs);
    let sum = 0;
    for (const m of this.moved) sum += m.bytes;
    const span = Math.min(this.windowMs, Math.max(this.minSpanMs, now - this.busySince));
    return Math.round((sum * 1000) / span);
  }

  private forgetBefore(cutoff: number): void {
    let drop = 0;
    while (drop < this.moved.length && this.moved[drop]!.time <= cutoff) drop += 1;
    if (drop > 0) this.moved.splice(0, drop);
  }
}
