// The engine's persistent state for one folder pair, in one SQLite file: the synced tree (merge
// base), the mirror of the remote tree with its change-feed cursor, the hash cache, recent
// activity, per-path errors and small metadata. WAL with synchronous=NORMAL: a killed process
// (kill -9) loses nothing it committed; a power cut may lose the last commits but never leaves a
// half-applied transaction.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { PathKey, RemoteExpectation, RemoteItem, SyncedItem, Tree } from '../engine/model.js';
import { trustedHash, type CacheEntry, type CacheStamp, type HashCache } from '../local/hashCache.js';
import type { RemoteChange } from '../remote/provider.js';
import { errorMessage } from '../errors.js';
import { IndexCorruptError, IndexError } from './errors.js';
import { assertItemKey, isSameOrBelow, keyDepth, rebasePath } from './keys.js';
import { assertKnownVersion, migrate, schemaVersion } from './migrate.js';
import { remoteCodec, syncedCodec } from './rows.js';
import { MIGRATIONS } from './schema.js';
import { TreeTable } from './treeTable.js';
import { RemoteMirror, type HeldEntry } from './remoteMirror.js';

export type { RemoteChange, HeldEntry };

export type ActivityAction =
  | 'upload'
  | 'download'
  | 'delete_local'
  | 'delete_remote'
  | 'move_local'
  | 'move_remote'
  | 'conflict'
  | 'mkdir_local'
  | 'mkdir_remote'
  | 'error'
  /** Something the user should know that is not a failure (e.g. a file kept out of sync). */
  | 'notice';

export interface NewActivity {
  /** Epoch milliseconds. */
  time: number;
  action: ActivityAction;
  path: string;
  size?: number;
  detail?: string;
}

export interface ActivityEntry extends NewActivity {
  /** Increases with every entry added; stable handle for UIs. */
  id: number;
}

export interface NewPathError {
  path: string;
  title: string;
  message: string;
  time: number;
  /** Omitted: one more than the previous attempt count for this key (1 for a new error). */
  attempts?: number;
}

export interface PathError extends Required<NewPathError> {
  key: PathKey;
}

export interface StateIndexOptions {
  /** How many activity entries to keep; older ones are dropped. Default 1000. */
  activityLimit?: number;
}

const DEFAULT_ACTIVITY_LIMIT = 1000;

/** Why SQLite refused the file, when the reason is that the file is damaged or not a database. */
function corruptionCode(e: unknown): string | undefined {
  if (e instanceof Database.SqliteError && (e.code.startsWith('SQLITE_CORRUPT') || e.code.startsWith('SQLITE_NOTADB'))) return e.code;
  return undefined;
}

function toIndexError(e: unknown, dbPath: string): IndexError {
  if (e instanceof IndexError) return e;
  const code = corruptionCode(e);
  if (code !== undefined) return new IndexCorruptError(dbPath, code, { cause: e });
  return new IndexError(`cannot open the sync index at ${dbPath}: ${errorMessage(e)}`, { cause: e });
}

/** Checks the file before anything writes to it, so a damaged or foreign file is left as found. */
function checkReadable(db: Db, dbPath: string): void {
  // The first read of the header: fails with NOTADB on a foreign file.
  assertKnownVersion(schemaVersion(db), MIGRATIONS.length, dbPath);
  // quick_check reads every page (skipping index/content cross-checks): about 0.1 s for 200k tree
  // rows, cheap next to the startup scan, and it catches damage before we sync against a bad merge base.
  const problems = db.pragma('quick_check(1)', { simple: true }) as string;
  if (problems !== 'ok') throw new IndexCorruptError(dbPath, problems);
}

/** Every statement the index runs outside the tree tables, prepared once per connection. */
function prepareStatements(db: Db) {
  return {
    getCursor: db.prepare<[], string>('SELECT cursor FROM remote_cursor').pluck(),
    setCursor: db.prepare<[string]>('INSERT OR REPLACE INTO remote_cursor (one, cursor) VALUES (1, ?)'),
    clearCursor: db.prepare('DELETE FROM remote_cursor'),
    expectations: db.prepare<[], [string, string]>('SELECT key, entry FROM remote_expected').raw(),
    putExpectation: db.prepare<[string, string]>('INSERT OR REPLACE INTO remote_expected (key, entry) VALUES (?, ?)'),
    deleteExpectation: db.prepare<[string]>('DELETE FROM remote_expected WHERE key = ?'),
    getHash: db.prepare<[number, number], CacheEntry>(
      'SELECT dev, inode AS ino, size, mtime_ms AS mtimeMs, ctime_ms AS ctimeMs, hashed_at_ms AS hashedAtMs, content_hash AS hash FROM hash_cache WHERE dev = ? AND inode = ?',
    ),
    putHash: db.prepare<CacheEntry>(
      `INSERT OR REPLACE INTO hash_cache (dev, inode, size, mtime_ms, ctime_ms, hashed_at_ms, content_hash)
       VALUES (@dev, @ino, @size, @mtimeMs, @ctimeMs, @hashedAtMs, @hash)`,
    ),
    hashInodes: db.prepare<[], number>('SELECT inode FROM hash_cache').pluck(),
    deleteHash: db.prepare<[number]>('DELETE FROM hash_cache WHERE inode = ?'),
    addActivity: db.prepare<[number, string, string, number | null, string | null]>('INSERT INTO activity (time, action, path, size, detail) VALUES (?, ?, ?, ?, ?)'),
    trimActivity: db.prepare<[number | bigint]>('DELETE FROM activity WHERE seq <= ?'),
    recentActivity: db.prepare<[number], unknown[]>('SELECT seq, time, action, path, size, detail FROM activity ORDER BY seq DESC LIMIT ?').raw(),
    setError: db.prepare<{ key: string; path: string; title: string; message: string; time: number; attempts: number | null }>(
      `INSERT INTO errors (key, path, title, message, time, attempts) VALUES (@key, @path, @title, @message, @time, coalesce(@attempts, 1))
       ON CONFLICT (key) DO UPDATE SET path = excluded.path, title = excluded.title, message = excluded.message,
         time = excluded.time, attempts = coalesce(@attempts, errors.attempts + 1)`,
    ),
    clearError: db.prepare<[string]>('DELETE FROM errors WHERE key = ?'),
    errors: db.prepare<[], PathError>('SELECT key, path, title, message, time, attempts FROM errors ORDER BY key'),
    getMeta: db.prepare<[string], string>('SELECT value FROM meta WHERE name = ?').pluck(),
    setMeta: db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)'),
    deleteMeta: db.prepare<[string]>('DELETE FROM meta WHERE name = ?'),
  };
}

export class StateIndex {
  private readonly synced: TreeTable<SyncedItem>;
  private readonly remote: TreeTable<RemoteItem>;
  private readonly mirror: RemoteMirror;
  /** Held remote entries reported (as activity) by the current applyRemoteChanges call. */
  private newlyHeld = 0;
  private readonly activityLimit: number;
  private readonly stmts: ReturnType<typeof prepareStatements>;

  private constructor(
    private readonly db: Db,
    /** The database file this index lives in (or ':memory:'). */
    readonly dbPath: string,
    options: StateIndexOptions,
  ) {
    this.activityLimit = options.activityLimit ?? DEFAULT_ACTIVITY_LIMIT;
    this.synced = new TreeTable(db, 'synced', syncedCodec);
    this.remote = new TreeTable(db, 'remote', remoteCodec);
    this.stmts = prepareStatements(db);
    this.mirror = new RemoteMirror(db, this.remote, (held) => {
      this.newlyHeld += 1;
      this.addActivity({ time: held.time, action: 'error', path: held.path, detail: held.message });
    });
  }

  /**
   * Opens (creating if needed) the index at `dbPath` and migrates it to the current schema.
   * The parent directory is created private (0700). ':memory:' gives a throwaway index for tests.
   * Throws IndexCorruptError for a damaged or non-SQLite file (left untouched), IndexError for a
   * file written by a newer version or one that cannot be opened.
   */
  static open(dbPath: string, options: StateIndexOptions = {}): StateIndex {
    const inMemory = dbPath === ':memory:';
    let db: Db;
    try {
      if (!inMemory) mkdirSync(dirname(dbPath), { recursive: true, mode: 0o700 });
      db = new Database(dbPath);
    } catch (e) {
      throw toIndexError(e, dbPath);
    }
    try {
      checkReadable(db, dbPath);
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      if (!inMemory && mode !== 'wal') throw new IndexError(`the sync index at ${dbPath} cannot use WAL (journal mode is ${mode})`);
      db.pragma('synchronous = NORMAL'); // durable against process crashes in WAL mode; see file header
      db.pragma('journal_size_limit = 16777216'); // a big first sync must not leave a huge WAL behind for good
      db.pragma('foreign_keys = ON'); // no foreign keys yet; on so that future migrations' ones are enforced
      migrate(db, MIGRATIONS, dbPath);
      return new StateIndex(db, dbPath, options);
    } catch (e) {
      db.close();
      throw toIndexError(e, dbPath);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one transaction (a savepoint when nested); it must be synchronous. Rolls back if it throws. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- synced tree (the merge base) ----

  getSynced(key: PathKey): SyncedItem | undefined {
    return this.synced.get(key);
  }

  /** The whole merge base in key order (folders before their contents). */
  allSynced(): Tree<SyncedItem> {
    return this.synced.all();
  }

  putSynced(item: SyncedItem): void {
    this.synced.put(item);
  }

  deleteSynced(key: PathKey): void {
    this.synced.delete(key);
  }

  /** Deletes `key` and everything below it. */
  deleteSyncedSubtree(key: PathKey): void {
    this.synced.deleteSubtree(key);
  }

  /**
   * Re-keys `fromKey` and its whole subtree to `toKey`, displayed as `toPath`; children keep their
   * own spelling below the moved item. Whatever the merge base had at `toKey` is replaced. When
   * `fromKey === toKey` (a case-only rename) only the paths change. Nothing at `fromKey`: no-op.
   */
  moveSynced(fromKey: PathKey, toKey: PathKey, toPath: string): void {
    assertItemKey(fromKey);
    assertItemKey(toKey);
    if (fromKey !== toKey && (isSameOrBelow(toKey, fromKey) || isSameOrBelow(fromKey, toKey))) {
      throw new IndexError(`cannot move ${fromKey} to ${toKey}: one contains the other`);
    }
    this.transaction(() => {
      const items = this.synced.subtree(fromKey);
      if (items.length === 0) return;
      const depth = keyDepth(fromKey);
      this.synced.deleteSubtree(fromKey);
      if (fromKey !== toKey) this.synced.deleteSubtree(toKey);
      for (const item of items) {
        this.synced.put({ ...item, key: toKey + item.key.slice(fromKey.length), path: rebasePath(item.path, depth, toPath) });
      }
    });
  }

  // ---- remote tree (mirror of the provider's listing) ----

  /**
   * Applies one page of the change feed and stores its cursor, atomically: after a crash the
   * remote tree always matches the stored cursor. Dropbox rules: a file replaces whatever is at
   * its key including children; a folder replaces the item at its key but keeps the children;
   * a delete removes the key and its subtree and is a no-op when unknown. No order is assumed.
   * Entries the planner must not see are held back (see RemoteMirror): a second live entry at a
   * key (the first stays), a name this computer cannot hold, an entry the provider refused.
   * Each newly held entry adds an activity entry; all of them are listed by errors(). Returns
   * how many activity entries this added (so the caller can say the activity log changed).
   */
  applyRemoteChanges(changes: readonly RemoteChange[], cursor: string): number {
    this.newlyHeld = 0;
    this.transaction(() => {
      this.mirror.beginPage();
      for (const change of changes) this.mirror.apply(change);
      this.stmts.setCursor.run(cursor);
    });
    return this.newlyHeld;
  }

  /** Remote entries held out of the remote tree that the user should hear about, in key order. */
  heldRemote(): HeldEntry[] {
    return this.mirror.reportable();
  }

  /**
   * Keys whose remote state is unknown (a name this computer cannot hold, an entry the provider
   * refused): like LocalTree.unknownKeys(), no op may touch them, their subtrees or ancestors.
   */
  remoteUnknownKeys(): PathKey[] {
    return this.mirror.unknownKeys();
  }

  getRemote(key: PathKey): RemoteItem | undefined {
    return this.remote.get(key);
  }

  /** The whole remote tree in key order (folders before their contents). */
  allRemote(): Tree<RemoteItem> {
    return this.remote.all();
  }

  remoteCursor(): string | undefined {
    return this.stmts.getCursor.get();
  }

  /** What the server is known to hold where the change feed has not shown it yet (see RemoteFeed), by key. */
  remoteExpectations(): Map<PathKey, RemoteExpectation> {
    return new Map(this.stmts.expectations.all().map(([key, entry]): [PathKey, RemoteExpectation] => [key, JSON.parse(entry) as RemoteExpectation]));
  }

  /** Sets expectations, or forgets them where the entry is undefined, in one transaction. */
  setRemoteExpectations(entries: readonly (readonly [PathKey, RemoteExpectation | undefined])[]): void {
    this.transaction(() => {
      for (const [key, entry] of entries) {
        if (entry) this.stmts.putExpectation.run(key, JSON.stringify(entry));
        else this.stmts.deleteExpectation.run(key);
      }
    });
  }

  /** Forgets the remote tree and its cursor (after a cursor reset): the next listing starts from scratch. */
  resetRemote(): void {
    this.transaction(() => {
      this.remote.clear();
      this.mirror.clear();
      this.stmts.clearCursor.run();
    });
  }

  // ---- hash cache: (dev, inode) → what was hashed when, so unchanged files are not rehashed ----

  /** The cached hash for a file with this stamp, when an entry may vouch for it (see trustedHash). */
  cachedHash(stamp: CacheStamp): string | undefined {
    return trustedHash(this.stmts.getHash.get(stamp.dev, stamp.ino), stamp);
  }

  /** Remembers the hash for this file; any older entry for the same (dev, inode) is replaced. */
  putCachedHash(stamp: CacheStamp, hash: string, hashedAtMs: number): void {
    this.stmts.putHash.run({ ...stamp, hash, hashedAtMs });
  }

  /** Drops entries for inodes no longer on disk (call after a full scan). */
  pruneHashCache(liveInodes: ReadonlySet<number>): void {
    this.transaction(() => {
      // Collect first: better-sqlite3 cannot write while a statement is still iterating.
      for (const inode of this.stmts.hashInodes.all()) {
        if (!liveInodes.has(inode)) this.stmts.deleteHash.run(inode);
      }
    });
  }

  /** The hash cache behind the scanner's HashCache interface. */
  asHashCache(): HashCache {
    return {
      get: (stamp) => this.cachedHash(stamp),
      put: (stamp, hash, hashedAtMs) => this.putCachedHash(stamp, hash, hashedAtMs),
    };
  }

  // ---- activity (the newest `activityLimit` entries) ----

  addActivity(entry: NewActivity): void {
    this.transaction(() => {
      const { lastInsertRowid } = this.stmts.addActivity.run(entry.time, entry.action, entry.path, entry.size ?? null, entry.detail ?? null);
      this.stmts.trimActivity.run(Number(lastInsertRowid) - this.activityLimit);
    });
  }

  /** Up to `limit` entries, newest first. */
  recentActivity(limit: number): ActivityEntry[] {
    return this.stmts.recentActivity.all(limit).map((r) => {
      const entry: ActivityEntry = { id: r[0] as number, time: r[1] as number, action: r[2] as ActivityAction, path: r[3] as string };
      if (r[4] !== null) entry.size = r[4] as number;
      if (r[5] !== null) entry.detail = r[5] as string;
      return entry;
    });
  }

  // ---- per-path errors ----

  /** Records (or replaces) the error for `key`; see NewPathError.attempts for the count. */
  setError(key: PathKey, e: NewPathError): void {
    this.stmts.setError.run({ key, path: e.path, title: e.title, message: e.message, time: e.time, attempts: e.attempts ?? null });
  }

  clearError(key: PathKey): void {
    this.stmts.clearError.run(key);
  }

  /**
   * All current errors in key order: those recorded with setError, and the remote entries held
   * out of sync, which last as long as the remote state that causes them (clearError leaves them).
   */
  errors(): PathError[] {
    const held = this.mirror.reportable().map((h): PathError => ({ key: h.key, path: h.path, title: 'Cannot sync from Dropbox', message: h.message, time: h.time, attempts: 1 }));
    if (held.length === 0) return this.stmts.errors.all();
    return [...this.stmts.errors.all(), ...held].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  // ---- small key/value metadata ----

  getMeta(name: string): string | undefined {
    return this.stmts.getMeta.get(name);
  }

  /** Sets `name`; `undefined` removes it. */
  setMeta(name: string, value: string | undefined): void {
    if (value === undefined) this.stmts.deleteMeta.run(name);
    else this.stmts.setMeta.run(name, value);
  }
}
