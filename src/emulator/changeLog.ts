// The namespace's change journal: one event per path change, in commit order, numbered by a
// sequence that cursors point into. Old events are dropped past a cap; cursors older than the
// oldest kept event can then only be answered with `reset`, as expired cursors are on Dropbox.

export type ChangeKind = 'file' | 'folder' | 'deleted';

export interface ChangeEvent {
  seq: number;
  /** path_lower of the changed item. */
  path: string;
  kind: ChangeKind;
  /** path_display at the time of deletion (the item is gone, so it cannot be looked up later). */
  display?: string;
}

export interface ChangeLogSnapshot { floor: number; events: ChangeEvent[] }

export class ChangeLog {
  private events: ChangeEvent[] = [];
  /** Cursors at a position below this can no longer be served. */
  private floorSeq = 0;

  constructor(private readonly maxEvents = 200_000) {}

  get floor(): number {
    return this.floorSeq;
  }

  append(event: ChangeEvent): void {
    this.events.push(event);
    if (this.events.length > this.maxEvents) {
      // Drop the oldest quarter at once so compaction does not run on every append.
      const drop = Math.floor(this.maxEvents / 4);
      this.floorSeq = this.events[drop - 1]!.seq;
      this.events = this.events.slice(drop);
    }
  }

  /** Events with seq > `after`, oldest first. */
  since(after: number): ChangeEvent[] {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo);
  }

  snapshot(): ChangeLogSnapshot {
    return { floor: this.floorSeq, events: this.events };
  }

  restore(snap: ChangeLogSnapshot): void {
    this.floorSeq = snap.floor;
    this.events = [...snap.events];
  }
}
