// The remote side as the engine sees it: the index's mirror of the provider's listing, kept
// current from the change feed (list, continue with the stored cursor, relist on reset), with a
// bound on what a server can make us do, and the writes we committed recorded at once so a
// lagging feed cannot read as "deleted remotely" or roll them back.
import type { PathKey, RemoteItem } from './model.js';
import type { StateIndex } from '../index/index.js';
import type { ChangePage, RemoteChange, RemoteProvider } from '../remote/provider.js';
import { CursorResetError, RemoteNotFoundError } from '../errors.js';
import { isSameOrBelow } from '../paths.js';

/** The feed misbehaves in a way retrying the same call cannot fix (endless pages, a stuck cursor). */
export class RemoteFeedFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteFeedFault';
  }
}

export const MAX_PAGES_PER_REFRESH = 10_000;
/** Refreshes a committed write may wait for the feed to show it before the feed is believed again. */
const MAX_REFRESHES_UNCONFIRMED = 20;

/** What we wrote at a key and the feed has not shown yet: present with this rev/id, or gone. */
type Committed =
  | { expect: 'present'; item: RemoteItem; refreshes: number; held?: RemoteChange }
  | { expect: 'absent'; refreshes: number; held?: RemoteChange };

export interface RemoteFeedOptions {
  provider: RemoteProvider;
  index: StateIndex;
  log: (line: string) => void;
  /** Entries were held out of the mirror and reported in the activity log (names, twins). */
  reported: () => void;
  maxPagesPerRefresh?: number;
}

export class RemoteFeed {
  private readonly committed = new Map<PathKey, Committed>();

  constructor(private readonly opts: RemoteFeedOptions) {}

  /**
   * Brings the mirror up to date. Returns the keys whose item really changed (new rev, new hash,
   * created, deleted): only those deserve a fresh try after a failure.
   */
  async refresh(): Promise<Set<PathKey>> {
    const changed = new Set<PathKey>();
    try {
      await this.readFeed(changed);
    } catch (err) {
      if (!(err instanceof CursorResetError)) throw err;
      this.opts.log('remote cursor was reset: listing the whole folder again');
      this.opts.index.resetRemote();
      await this.readFeed(changed);
    }
    this.ageCommitted(changed);
    return changed;
  }

  /** A write the server acknowledged: mirrored now, and protected until the feed shows it. */
  recordCommitted(item: RemoteItem): void {
    this.committed.set(item.key, { expect: 'present', item, refreshes: 0 });
    this.writeMirror([{ kind: 'upsert', item }]);
  }

  /** A move the server acknowledged: the mirror's subtree moves with it at once. */
  recordMoved(fromKey: PathKey, fromPath: string, moved: RemoteItem): void {
    const changes: RemoteChange[] = [{ kind: 'delete', key: fromKey }];
    for (const [key, item] of this.opts.index.allRemote()) {
      if (!isSameOrBelow(key, fromKey) || key === fromKey) continue;
      changes.push({ kind: 'upsert', item: { ...item, key: moved.key + key.slice(fromKey.length), path: moved.path + item.path.slice(fromPath.length) } });
    }
    changes.push({ kind: 'upsert', item: moved });
    this.committed.set(fromKey, { expect: 'absent', refreshes: 0 });
    this.committed.set(moved.key, { expect: 'present', item: moved, refreshes: 0 });
    this.writeMirror(changes);
  }

  /** A delete the server acknowledged: gone from the mirror now, and a lagging feed cannot bring it back. */
  recordDeleted(key: PathKey): void {
    this.committed.set(key, { expect: 'absent', refreshes: 0 });
    this.writeMirror([{ kind: 'delete', key }]);
  }

  waitForChanges(timeoutSec: number, signal: AbortSignal): Promise<{ changes: boolean; backoffSec?: number }> | undefined {
    const cursor = this.opts.index.remoteCursor();
    return cursor === undefined ? undefined : this.opts.provider.waitForChanges(cursor, timeoutSec, signal);
  }

  private async readFeed(changed: Set<PathKey>): Promise<void> {
    const { provider, index } = this.opts;
    const maxPages = this.opts.maxPagesPerRefresh ?? MAX_PAGES_PER_REFRESH;
    let cursor = index.remoteCursor();
    const afterReset = cursor === undefined;
    let page = cursor === undefined ? await this.listFromScratch() : await provider.listContinue(cursor);
    for (let pages = 1; ; pages += 1) {
      this.apply(page, changed, afterReset && pages === 1);
      if (!page.hasMore) return;
      if (page.cursor === cursor) throw new RemoteFeedFault('Dropbox sent the same page of changes again and again (its cursor does not advance); syncing will be retried later');
      if (pages >= maxPages) throw new RemoteFeedFault(`Dropbox kept sending more changes after ${maxPages} pages without an end; syncing will be retried later`);
      cursor = page.cursor;
      page = await provider.listContinue(cursor);
    }
  }

  /** The first listing: the remote tree is replaced as a whole. */
  private async listFromScratch(): Promise<ChangePage> {
    this.opts.index.resetRemote();
    try {
      return await this.opts.provider.listAll();
    } catch (err) {
      // A pair may point at a Dropbox folder that does not exist yet: create it, then list.
      if (!(err instanceof RemoteNotFoundError)) throw err;
      await this.opts.provider.createFolder('');
      return this.opts.provider.listAll();
    }
  }

  /**
   * One page, minus what contradicts a write the feed has not shown yet, in one transaction.
   * `afterReset`: the mirror was just emptied, so every unconfirmed write is put back.
   */
  private apply(page: ChangePage, changed: Set<PathKey>, afterReset: boolean): void {
    const { index } = this.opts;
    const accepted: RemoteChange[] = [];
    const deleted: PathKey[] = [];
    for (const change of page.changes) {
      const key = change.kind === 'upsert' ? change.item.key : change.key;
      if (this.holdsBack(key, change)) continue;
      if (isRealChange(index.getRemote(key), change)) changed.add(key);
      accepted.push(change);
      if (change.kind !== 'upsert' || change.item.kind === 'file') deleted.push(key);
    }
    // A delete of a folder above an unconfirmed write (or a file replacing it) would take it along: put it back.
    for (const entry of this.committed.values()) {
      if (entry.expect !== 'present') continue;
      if (afterReset || deleted.some((key) => key !== entry.item.key && isSameOrBelow(entry.item.key, key))) accepted.push({ kind: 'upsert', item: entry.item });
    }
    if (index.applyRemoteChanges(accepted, page.cursor) > 0) this.opts.reported();
  }

  /** True when `change` is older news than a committed write at `key` (and keeps it for later). */
  private holdsBack(key: PathKey, change: RemoteChange): boolean {
    const entry = this.committed.get(key);
    if (!entry) return false;
    if (confirms(entry, change)) {
      this.committed.delete(key);
      return false;
    }
    entry.held = change;
    return true;
  }

  /**
   * A write the feed never confirms was overtaken (the feed shows only the latest state): after a
   * while the feed is believed again, with the last thing it said about the key.
   */
  private ageCommitted(changed: Set<PathKey>): void {
    const late: RemoteChange[] = [];
    for (const [key, entry] of this.committed) {
      entry.refreshes += 1;
      if (entry.refreshes < MAX_REFRESHES_UNCONFIRMED) continue;
      this.committed.delete(key);
      if (entry.held) {
        late.push(entry.held);
        changed.add(key);
      }
    }
    if (late.length > 0) this.writeMirror(late);
  }

  private writeMirror(changes: RemoteChange[]): void {
    const cursor = this.opts.index.remoteCursor();
    // Without a cursor the next listing starts from scratch and shows the write itself.
    if (cursor !== undefined) this.opts.index.applyRemoteChanges(changes, cursor);
  }
}

function confirms(entry: Committed, change: RemoteChange): boolean {
  if (entry.expect === 'absent') return change.kind !== 'upsert';
  if (change.kind !== 'upsert') return false;
  return entry.item.kind === 'file' ? change.item.rev === entry.item.rev : change.item.id === entry.item.id;
}

function isRealChange(before: RemoteItem | undefined, change: RemoteChange): boolean {
  if (change.kind !== 'upsert') return before !== undefined;
  const after = change.item;
  return before === undefined || before.kind !== after.kind || before.rev !== after.rev || before.contentHash !== after.contentHash || before.path !== after.path;
}
