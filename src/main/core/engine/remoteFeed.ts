// The remote side as the engine sees it: the index's mirror of the provider's listing, kept
// current from the change feed (list, continue with the stored cursor, relist on reset), with a
// bound on what a server can make us do, and the writes we committed recorded at once so a
// lagging feed cannot read as "deleted remotely" or roll them back. When the feed contradicts
// such a write, the server is asked what the item is now (get_metadata): either the feed is
// behind (its entry is held back) or the write was overtaken (the answer is mirrored at once).
import type { PathKey, RemoteExpectation, RemoteItem } from './model.js';
import type { StateIndex } from '../index/index.js';
import type { ChangePage, RemoteChange, RemoteProvider } from '../remote/provider.js';
import { CursorResetError, RemoteConflictError, RemoteNotFoundError } from '../errors.js';
import { isSameOrBelow } from '../paths.js';

/** The feed misbehaves in a way retrying the same call cannot fix (endless pages, a stuck cursor). */
export class RemoteFeedFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteFeedFault';
  }
}

export const MAX_PAGES_PER_REFRESH = 10_000;

export interface RemoteFeedOptions {
  provider: RemoteProvider;
  index: StateIndex;
  log: (line: string) => void;
  /** Entries were held out of the mirror and reported in the activity log (names, twins). */
  reported: () => void;
  maxPagesPerRefresh?: number;
}

export class RemoteFeed {
  /** Kept in the index too: a restart must not forget what the feed has yet to confirm. */
  private readonly committed: Map<PathKey, RemoteExpectation>;

  constructor(private readonly opts: RemoteFeedOptions) {
    this.committed = opts.index.remoteExpectations();
  }

  private remember(entries: (readonly [PathKey, RemoteExpectation | undefined])[]): void {
    for (const [key, entry] of entries) {
      if (entry) this.committed.set(key, entry);
      else this.committed.delete(key);
    }
    this.opts.index.setRemoteExpectations(entries);
  }

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
    return changed;
  }

  /** A write the server acknowledged: mirrored now, and protected until the feed shows it. */
  recordCommitted(item: RemoteItem): void {
    this.remember([[item.key, { expect: 'present', item }]]);
    this.writeMirror([{ kind: 'upsert', item }]);
  }

  /** A move the server acknowledged: the mirror's subtree moves with it at once. */
  recordMoved(fromKey: PathKey, fromPath: string, moved: RemoteItem): void {
    const changes: RemoteChange[] = [{ kind: 'delete', key: fromKey }];
    const expected: [PathKey, RemoteExpectation | undefined][] = [];
    for (const key of this.committed.keys()) if (isSameOrBelow(key, fromKey)) expected.push([key, undefined]);
    for (const [key, item] of this.opts.index.allRemote()) {
      if (!isSameOrBelow(key, fromKey) || key === fromKey) continue;
      const carried = { ...item, key: moved.key + key.slice(fromKey.length), path: moved.path + item.path.slice(fromPath.length) };
      changes.push({ kind: 'upsert', item: carried });
      expected.push([carried.key, { expect: 'present', item: carried, movedWith: moved.key }]);
    }
    changes.push({ kind: 'upsert', item: moved });
    expected.push([fromKey, { expect: 'absent' }], [moved.key, { expect: 'present', item: moved }]);
    this.remember(expected);
    this.writeMirror(changes);
  }

  /** A delete the server acknowledged: gone from the mirror now, and a lagging feed cannot bring it back. */
  recordDeleted(key: PathKey): void {
    this.remember([[key, { expect: 'absent' }]]);
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
    const mentioned = new Set<PathKey>();
    let page = cursor === undefined ? await this.listFromScratch() : await provider.listContinue(cursor);
    for (let pages = 1; ; pages += 1) {
      for (const change of page.changes) mentioned.add(keyOf(change));
      await this.apply(page, changed);
      if (!page.hasMore) return this.settleUnmentioned(mentioned, changed);
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
      await this.createSyncedFolder();
      return this.opts.provider.listAll();
    }
  }

  /**
   * Expected items the feed did not mention, once it is read to the end: one the mirror no longer
   * shows (a relisting without it, a folder deleted above it, a crash in the middle of either)
   * or one a move of ours carried along, now that the feed showed that move (Dropbox lists every
   * item at its new path), is settled by the server. One the mirror still shows costs nothing.
   */
  private async settleUnmentioned(mentioned: ReadonlySet<PathKey>, changed: Set<PathKey>): Promise<void> {
    const settled: RemoteChange[] = [];
    for (const [key, entry] of [...this.committed]) {
      if (entry.expect !== 'present' || mentioned.has(key)) continue;
      const carriedAndShown = entry.movedWith !== undefined && !this.committed.has(entry.movedWith);
      const mirrored = this.opts.index.getRemote(key);
      if (!carriedAndShown && mirrored && confirms(entry, { kind: 'upsert', item: mirrored })) continue;
      const now = await this.ask(key, entry.item.path);
      if (confirms(entry, now)) {
        // The feed is behind (put it back), or the move really carried it (its new rev, and no guess any more).
        if (carriedAndShown) this.remember([[key, undefined]]);
        if (carriedAndShown || !mirrored) settled.push(now);
        continue;
      }
      this.expectFromServer(key, now);
      settled.push(now);
    }
    for (const change of settled) changed.add(keyOf(change));
    if (settled.length > 0) this.writeMirror(settled);
  }

  /** Another device's first sync may create the folder first: a folder already there is what we wanted. */
  private async createSyncedFolder(): Promise<void> {
    try {
      await this.opts.provider.createFolder('');
    } catch (err) {
      if (!(err instanceof RemoteConflictError && err.conflictWith === 'folder')) throw err;
    }
  }

  /** One page, with what contradicts a write the feed has not shown yet settled by the server, in one transaction. */
  private async apply(page: ChangePage, changed: Set<PathKey>): Promise<void> {
    const { index } = this.opts;
    const accepted: RemoteChange[] = [];
    for (const change of page.changes) {
      for (const believed of await this.settle(change)) {
        if (isRealChange(index.getRemote(keyOf(believed)), believed)) changed.add(keyOf(believed));
        accepted.push(believed);
      }
    }
    if (index.applyRemoteChanges(accepted, page.cursor) > 0) this.opts.reported();
  }

  /**
   * The changes to mirror for a feed entry: the entry itself, what we know instead (the entry is
   * older news than a write of ours), or, when both are out of date, the entry followed by the
   * server's current answer (the entry did happen: a folder deleted and made again lost its
   * contents on the way).
   */
  private async settle(change: RemoteChange): Promise<RemoteChange[]> {
    const key = keyOf(change);
    const entry = this.committed.get(key);
    if (!entry) return [change];
    // A refusal (a name or kind we cannot use) is the feed's last word on the key, whoever wrote it.
    if (change.kind === 'refused' || confirms(entry, change)) {
      this.remember([[key, undefined]]);
      return [change];
    }
    const now = await this.ask(key, change.kind === 'upsert' ? change.item.path : pathOf(entry, key));
    if (sameState(now, change)) {
      this.remember([[key, undefined]]);
      return [change];
    }
    if (confirms(entry, now)) return [entry.expect === 'present' ? { kind: 'upsert', item: entry.item } : { kind: 'delete', key }];
    this.expectFromServer(key, now);
    return [change, now];
  }

  /** The server's answer becomes what the feed must show before it is believed at `key` again. */
  private expectFromServer(key: PathKey, now: RemoteChange): void {
    this.remember([[key, now.kind === 'upsert' ? { expect: 'present', item: now.item } : { expect: 'absent' }]]);
  }

  private async ask(key: PathKey, path: string): Promise<RemoteChange> {
    const item = await this.opts.provider.getMetadata(path);
    return item ? { kind: 'upsert', item } : { kind: 'delete', key };
  }

  private writeMirror(changes: RemoteChange[]): void {
    const cursor = this.opts.index.remoteCursor();
    // Without a cursor the next listing starts from scratch and shows the write itself.
    if (cursor !== undefined) this.opts.index.applyRemoteChanges(changes, cursor);
  }
}

/** How to name the key to the server: as we wrote it (a key is a valid, lower-cased path too). */
function pathOf(entry: RemoteExpectation, key: PathKey): string {
  return entry.expect === 'present' ? entry.item.path : key;
}

function keyOf(change: RemoteChange): PathKey {
  return change.kind === 'upsert' ? change.item.key : change.key;
}

function confirms(entry: RemoteExpectation, change: RemoteChange): boolean {
  if (entry.expect === 'absent') return change.kind !== 'upsert';
  if (change.kind !== 'upsert') return false;
  // A move gives each file a new rev; what it carried along is the same item by id.
  if (entry.movedWith !== undefined) return change.item.kind === entry.item.kind && change.item.id === entry.item.id;
  return sameItem(entry.item, change.item);
}

/** Both say the same about a key: gone, or the same file revision / the same folder. */
function sameState(a: RemoteChange, b: RemoteChange): boolean {
  if (a.kind !== 'upsert' || b.kind !== 'upsert') return a.kind === 'delete' && b.kind === 'delete';
  return sameItem(a.item, b.item);
}

function sameItem(a: RemoteItem, b: RemoteItem): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'file' ? a.rev === b.rev : a.id === b.id;
}

function isRealChange(before: RemoteItem | undefined, change: RemoteChange): boolean {
  if (change.kind !== 'upsert') return before !== undefined;
  const after = change.item;
  return before === undefined || before.kind !== after.kind || before.rev !== after.rev || before.contentHash !== after.contentHash || before.path !== after.path;
}
