// SyncEngine keeps one local folder and one remote folder identical. It observes the three trees
// (local on disk, remote from the change feed, synced in the index), asks the pure planner for the
// ops that are safe now, runs them, and repeats until nothing is left. Local hints come from the
// watcher, remote ones from longpoll; both only wake the loop, which then looks for itself.
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { EventEmitter } from 'node:events';
import { keysOfOp, pathOfOp, type DeletionPolicy, type LocalItem, type Op, type PathKey, type RemoteItem, type SyncedItem, type Tree } from './model.js';
import { plan } from './planner.js';
import { Executor, LocalChangedError, RemoteChangedError } from './executor.js';
import { LocalTree } from './localTree.js';
import { checkMassDelete } from './massDeleteGuard.js';
import { withChildSignal } from './childSignal.js';
import { runPass } from './passRunner.js';
import { initialStatus, type EngineStatus, type PauseReason, type TransferProgress } from './status.js';
import { caseConflictPath } from './caseConflictName.js';
import type { StateIndex } from '../index/index.js';
import type { RemoteProvider } from '../remote/provider.js';
import { AuthError, CursorResetError, NetworkError, RateLimitError, RemoteNotFoundError, SyncError, errorMessage, isAbortError, isTwinfoldError } from '../errors.js';
import { IGNORE_FILE_NAME, IgnoreRules, STATE_DIR_NAME } from '../local/ignore.js';
import { LocalWatcher } from '../local/watcher.js';
import { isSameOrBelow, pathLower } from '../paths.js';
import { renameNoReplace } from '../local/atomicWrite.js';
import { localDate } from '../localDate.js';
import { Exclusions, type ExcludedSplit } from './exclusions.js';
import { KEPT_EXCLUDED_DETAIL, keptExcludedSummary, leaveExcluded } from './leaveExcluded.js';

export interface SyncEngineOptions {
  localRoot: string;
  provider: RemoteProvider;
  index: StateIndex;
  /** Quiet period after the last local change before it is uploaded. */
  quietMs: number;
  deletionPolicy: DeletionPolicy;
  /** This device's name, for conflicted copies. */
  host: string;
  /** Watch the disk and longpoll the server; false for a one-shot sync. */
  live: boolean;
  /**
   * Dropbox subfolders (relative to the synced folder, '/a/b', compared by path_lower) this device
   * does not sync (selective sync). Fixed for the engine's lifetime: restart it to change them.
   */
  excluded?: readonly string[];
  /** Let a pass through that the mass-delete guard would hold back (the user confirmed it). */
  allowMassDelete?: boolean;
  transferConcurrency?: number;
  longpollTimeoutSec?: number;
  now?: () => number;
  /** Delay before retrying after the network dropped; doubles up to a minute. */
  offlineRetryMs?: number;
  log?: (line: string) => void;
}

export interface SyncEngineEvents {
  status: [EngineStatus];
  /** New entries were added to the index's activity log (or may have been: a failed op). */
  activity: [];
}

const MAX_PASSES_PER_RUN = 1000;
/** Index metadata: the inode of the local folder the synced tree belongs to. */
const ROOT_INODE_META = 'local_root_inode';
const STATUS_PERSIST_INTERVAL_MS = 1000;
const PATH_RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000];

interface FailedPath {
  attempts: number;
  retryAt: number;
}

/** Thrown out of a run when the mass-delete guard holds a pass back. */
class MassDeleteHeld extends Error {}

/**
 * The local folder is gone or is another folder now (an unplugged disk leaves an empty mount
 * point): its apparent emptiness must never be mirrored to Dropbox as deletions.
 */
export class LocalRootGoneError extends Error {
  constructor(readonly localRoot: string) {
    super(`the folder ${localRoot} is missing or is not the folder that was synced (an unplugged disk?); nothing is changed on Dropbox until it is back. If you replaced it on purpose, remove the folder pair and add it again`);
    this.name = 'LocalRootGoneError';
  }
}

export class SyncEngine extends EventEmitter<SyncEngineEvents> {
  private status: EngineStatus = initialStatus();
  private readonly local: LocalTree;
  private readonly executor: Executor;
  private readonly stateDir: string;
  private ignore!: IgnoreRules;
  private watcher: LocalWatcher | undefined;
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly exclusions: Exclusions;
  /** Excluded folders whose kept local files were already reported since start, by key. */
  private readonly reportedKept = new Set<PathKey>();
  /** The local root's inode at start: a different one later means another folder (or mount point). */
  private rootInode: number | undefined;
  /** Wakes every pending sleep (backoff after a failure) early: retryNow(). */
  private readonly sleepers = new Set<() => void>();

  private pendingLocalPaths = new Set<string>();
  private remoteDirty = true;
  private wakeLoop: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private longpollDone: Promise<void> | undefined;
  private readonly failed = new Map<PathKey, FailedPath>();
  /** Writes refused because the server changed meanwhile, per key, since the last convergence. */
  private readonly remoteRaces = new Map<PathKey, number>();
  private retryTimer: NodeJS.Timeout | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private paused: PauseReason | undefined;
  private massDeleteConfirmed: boolean;
  private offlineDelayMs: number;
  private stopped = false;
  private readonly reportedProblems = new Set<string>();
  private readonly transfers = new Map<string, TransferProgress>();
  private persistedHeadline = '';
  private persistedAt = 0;
  /** Resolved whenever a run of passes ends with all three trees equal. */
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: SyncEngineOptions) {
    super();
    this.stateDir = nodePath.join(opts.localRoot, STATE_DIR_NAME);
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.massDeleteConfirmed = opts.allowMassDelete ?? false;
    this.offlineDelayMs = opts.offlineRetryMs ?? 1000;
    this.exclusions = new Exclusions(opts.excluded);
    const hashCache = opts.index.asHashCache();
    this.local = new LocalTree(opts.localRoot, () => ({ ignore: this.ignore, hashCache, signal: this.abort.signal }));
    this.executor = new Executor({
      localRoot: opts.localRoot,
      stateDir: this.stateDir,
      provider: opts.provider,
      index: opts.index,
      local: this.local,
      onProgress: (progress, finished) => this.onTransferProgress(progress, finished),
      signal: this.abort.signal,
      now: this.now,
    });
  }

  getStatus(): EngineStatus {
    return { ...this.status, transfers: [...this.transfers.values()] };
  }

  /** Scans, then keeps syncing in the background (live) until stop(). */
  async start(): Promise<void> {
    await this.prepare();
    if (this.opts.live) {
      this.watcher = new LocalWatcher(this.opts.localRoot, { ignore: this.ignore, quietMs: this.opts.quietMs });
      this.watcher.on('batch', (batch) => this.onLocalHints(batch.paths));
      this.watcher.on('error', (err) => this.onWatcherError(err));
      await this.watcher.start();
    }
    this.loopDone = this.loop();
    if (this.opts.live) this.longpollDone = this.longpollLoop();
  }

  /** Syncs until local, remote and synced are equal once, then resolves. Used by `--once`. */
  async syncOnce(): Promise<{ converged: boolean; status: EngineStatus }> {
    await this.prepare();
    const converged = await this.runUntilEqual();
    const status = this.getStatus();
    this.setStatus({ state: 'stopped' });
    return { converged, status };
  }

  /** Resolves the next time the engine reaches 'idle' with nothing pending. */
  whenIdle(): Promise<void> {
    if (this.stopped || (this.status.state === 'idle' && !this.hasPendingWork())) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  pause(reason: PauseReason = 'user', message?: string): void {
    this.paused = reason;
    this.setStatus({ state: 'paused', pauseReason: reason, message: message ?? (reason === 'user' ? 'paused by you' : undefined) });
  }

  resume(): void {
    if (this.paused === 'mass_delete') this.massDeleteConfirmed = true;
    this.paused = undefined;
    // Look at both sides again: whatever was held back, and whatever happened meanwhile.
    this.remoteDirty = true;
    this.setStatus({ state: 'syncing', pauseReason: undefined, message: undefined });
    this.wake();
  }

  /**
   * Clears the backoff of failed paths (one, by its relative path, or all) and of a failed run,
   * and looks at both sides again now.
   */
  retryNow(path?: string): void {
    if (path === undefined) this.failed.clear();
    else this.failed.delete(pathLower(path));
    this.remoteDirty = true;
    this.offlineDelayMs = this.opts.offlineRetryMs ?? 1000;
    for (const wake of [...this.sleepers]) wake();
    this.wake();
  }

  /** Looks at the whole local folder again (e.g. after the watcher missed events). */
  rescan(): void {
    this.pendingLocalPaths.add('');
    this.wake();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.wake();
    // Release everything waiting for a state change before waiting for the loops themselves.
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.emit('status', this.getStatus());
    await this.watcher?.close();
    await Promise.allSettled([this.loopDone, this.longpollDone]);
    this.setStatus({ state: 'stopped' });
  }

  // ---------------------------------------------------------------------------------------------

  private async prepare(): Promise<void> {
    const rootStats = await lstat(this.opts.localRoot).catch(() => undefined);
    if (!rootStats?.isDirectory()) throw new Error(`the local folder ${this.opts.localRoot} does not exist or is not a folder`);
    this.checkRootIdentity(rootStats.ino);
    this.rootInode = rootStats.ino;
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    await this.removeStaleTempFiles();
    this.ignore = await IgnoreRules.load(this.opts.localRoot);
    this.setStatus({ state: 'syncing', message: 'Scanning the local folder' });
    await this.local.scanAll();
    // Hashes of files that no longer exist would otherwise pile up forever.
    this.opts.index.pruneHashCache(new Set([...this.local.tree().values()].map((item) => item.inode)));
    this.setStatus({ message: undefined });
  }

  /** Temp files left by a download that was killed mid-way: never visible, safe to drop. */
  private async removeStaleTempFiles(): Promise<void> {
    const tmp = nodePath.join(this.stateDir, 'tmp');
    const names = await readdir(tmp).catch(() => [] as string[]);
    await Promise.all(names.map((name) => rm(nodePath.join(tmp, name), { force: true, recursive: true })));
  }

  /**
   * The watcher can miss changes after an error (e.g. the inotify watch limit): fall back to a
   * full rescan now and every minute from then on, so nothing goes unseen.
   */
  private onWatcherError(err: Error): void {
    this.log(`watching the folder failed (${err.message}); rescanning it every minute instead`);
    this.rescan();
    if (this.rescanTimer || !this.opts.live) return;
    this.rescanTimer = setInterval(() => this.rescan(), 60_000);
    this.rescanTimer.unref();
  }

  private onLocalHints(paths: string[]): void {
    for (const p of paths) {
      this.pendingLocalPaths.add(p);
      // A fresh change on a failed path deserves a fresh try.
      this.failed.delete(pathLower(p));
    }
    if (paths.some((p) => pathLower(p) === `/${IGNORE_FILE_NAME}`)) this.pendingLocalPaths.add('');
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeLoop;
    this.wakeLoop = undefined;
    wake?.();
  }

  private hasPendingWork(): boolean {
    return this.remoteDirty || this.pendingLocalPaths.size > 0;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.paused && this.hasPendingWork()) {
        await this.runUntilEqual();
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wakeLoop = resolve;
      });
    }
  }

  /** One run: bring in remote and local news, then plan and execute passes until nothing is left. */
  private async runUntilEqual(): Promise<boolean> {
    try {
      for (let pass = 0; pass < MAX_PASSES_PER_RUN; pass += 1) {
        if (this.stopped || this.paused) return false;
        await this.refreshRemote();
        await this.refreshLocal();
        await this.handleLocalProblems();
        const next = this.planNow();
        if ('leaving' in next) {
          await this.assertRootIntact();
          await leaveExcluded(this.leaveDeps(), next.leaving.excluded, next.leaving.presentRoots);
          this.emit('activity');
          continue;
        }
        const { ops, synced } = next;
        if (ops.length === 0) {
          if (this.hasPendingWork()) continue;
          this.onConverged();
          return true;
        }
        if (this.paused) return false;
        await this.runOps(ops, synced);
      }
      throw new Error(`the folders did not settle after ${MAX_PASSES_PER_RUN} passes; syncing will be retried`);
    } catch (err) {
      if (err instanceof MassDeleteHeld) return false;
      await this.onRunFailed(err);
      return false;
    }
  }

  private async refreshRemote(): Promise<void> {
    if (!this.remoteDirty) return;
    this.remoteDirty = false;
    const { provider, index } = this.opts;
    try {
      let cursor = index.remoteCursor();
      let page = cursor === undefined ? await this.listFromScratch() : await provider.listContinue(cursor);
      for (;;) {
        index.applyRemoteChanges(page.changes, page.cursor);
        this.forgetFailuresFor(page.changes.map((c) => (c.kind === 'upsert' ? c.item.key : c.key)));
        if (!page.hasMore) break;
        cursor = page.cursor;
        page = await provider.listContinue(cursor);
      }
    } catch (err) {
      this.remoteDirty = true;
      if (err instanceof CursorResetError) {
        this.log('remote cursor was reset: listing the whole folder again');
        index.resetRemote();
        return this.refreshRemote();
      }
      throw err;
    }
  }

  /** The first listing: the remote tree is replaced as a whole, in one transaction per page. */
  private async listFromScratch() {
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

  private async refreshLocal(): Promise<void> {
    if (this.pendingLocalPaths.size === 0) return;
    const paths = [...this.pendingLocalPaths];
    this.pendingLocalPaths.clear();
    try {
      if (paths.includes('')) {
        this.ignore = await IgnoreRules.load(this.opts.localRoot);
        this.watcher?.setIgnore(this.ignore);
        await this.local.scanAll();
      } else {
        await this.local.refresh(paths);
      }
    } catch (err) {
      // Look at everything again next time rather than lose the hints.
      this.pendingLocalPaths.add('');
      throw err;
    }
  }

  /**
   * The ops that are safe now, and the merge base they were planned from. When merge-base entries
   * lie below excluded folders (a folder just became excluded), that split comes back as `leaving`
   * instead, and nothing is planned until they are dealt with.
   */
  private planNow(): { ops: Op[]; synced: Tree<SyncedItem> } | { leaving: ExcludedSplit<SyncedItem> } {
    const { index } = this.opts;
    const syncedSplit = this.exclusions.split(index.allSynced());
    if (syncedSplit.excluded.size > 0) return { leaving: syncedSplit };
    const synced = syncedSplit.included;
    const remoteSplit = this.exclusions.split(this.visibleRemote(index.allRemote()));
    const localSplit = this.exclusions.split(this.local.tree());
    this.reportKeptExcluded(localSplit.excluded);
    const ops = plan({
      local: localSplit.included,
      remote: remoteSplit.included,
      synced,
      deletionPolicy: this.opts.deletionPolicy,
      host: this.opts.host,
      today: localDate(new Date(this.now())),
      excludedPresent: { local: localSplit.presentRoots, remote: remoteSplit.presentRoots },
    });
    const unknown = this.local.unknownKeys();
    const now = this.now();
    const safe = ops.filter((op) =>
      keysOfOp(op).every((key) => {
        const failure = this.failed.get(key);
        if (failure && failure.retryAt > now) return false;
        return !unknown.some((u) => isSameOrBelow(u, key) || isSameOrBelow(key, u));
      }),
    );
    return { ops: safe, synced };
  }

  /**
   * Local files under an excluded folder stay on disk and are never uploaded: say so once per
   * excluded folder per start, in one note naming a few of them, not once per file.
   */
  private reportKeptExcluded(excluded: Tree<LocalItem>): void {
    const byRoot = new Map<PathKey, LocalItem[]>();
    for (const item of excluded.values()) {
      if (item.kind !== 'file') continue;
      const root = this.exclusions.rootOf(item.key);
      if (root === undefined || this.reportedKept.has(root)) continue;
      this.log(`${item.path}: ${KEPT_EXCLUDED_DETAIL}`);
      const files = byRoot.get(root);
      if (files) files.push(item);
      else byRoot.set(root, [item]);
    }
    for (const [root, files] of byRoot) {
      this.reportedKept.add(root);
      const rootPath = excluded.get(root)?.path ?? root;
      this.opts.index.addActivity({ time: this.now(), action: 'notice', path: rootPath, detail: keptExcludedSummary(root, files) });
    }
    if (byRoot.size > 0) this.emit('activity');
  }

  private leaveDeps() {
    return { localRoot: this.opts.localRoot, stateDir: this.stateDir, local: this.local, index: this.opts.index, now: this.now, log: this.log };
  }

  /**
   * The folder must be the one the synced tree describes, across restarts too: an unmounted disk
   * leaves an empty mount point at the same path (another inode), which must never be read as
   * "everything was deleted". A folder with nothing synced yet may be any folder.
   */
  private checkRootIdentity(inode: number): void {
    const recorded = this.opts.index.getMeta(ROOT_INODE_META);
    if (recorded === String(inode)) return;
    if (recorded !== undefined && this.opts.index.allSynced().size > 0) throw new LocalRootGoneError(this.opts.localRoot);
    this.opts.index.setMeta(ROOT_INODE_META, String(inode));
  }

  /** Refuses to act on a local root that vanished or was replaced since start (see LocalRootGoneError). */
  private async assertRootIntact(): Promise<void> {
    const stats = await lstat(this.opts.localRoot).catch(() => undefined);
    if (!stats?.isDirectory() || (this.rootInode !== undefined && stats.ino !== this.rootInode)) throw new LocalRootGoneError(this.opts.localRoot);
  }

  /** Remote items the user excluded with ignore rules are neither downloaded nor deleted. */
  private visibleRemote(remote: Tree<RemoteItem>): Tree<RemoteItem> {
    for (const [key, item] of remote) {
      if (this.ignore.isIgnored(item.path, item.kind === 'folder')) remote.delete(key);
    }
    return remote;
  }

  private async runOps(ops: Op[], synced: Tree<SyncedItem>): Promise<void> {
    const verdict = this.massDeleteConfirmed ? { blocked: false as const } : checkMassDelete(ops, synced);
    if (verdict.blocked) {
      const where = verdict.side === 'local' ? 'on this computer' : verdict.side === 'remote' ? 'on Dropbox' : 'on both sides';
      const message = `this would delete ${verdict.deleting} of ${verdict.total} synced files ${where}; nothing was deleted. Resume to confirm.`;
      this.pause('mass_delete', message);
      this.log(`mass-delete guard: ${message}`);
      throw new MassDeleteHeld(message);
    }
    await this.assertRootIntact();
    this.massDeleteConfirmed = this.opts.allowMassDelete ?? false;
    this.setStatus({ state: 'syncing', message: undefined, total: ops.length, done: 0 });
    let done = 0;
    await runPass(ops, this.opts.transferConcurrency ?? 4, async (op) => {
      await this.runOne(op);
      done += 1;
      this.setStatus({ done });
    });
    // What we changed remotely shows up in the change feed; what we changed locally was
    // re-observed by the executor already.
    if (ops.some((op) => op.type !== 'record' && op.type !== 'forget')) this.remoteDirty = true;
  }

  private async runOne(op: Op): Promise<void> {
    try {
      await this.runAndRecord(op);
    } finally {
      // Bookkeeping ops add no activity entry; everything else may have (done or failed).
      if (op.type !== 'record' && op.type !== 'forget') this.emit('activity');
    }
  }

  private async runAndRecord(op: Op): Promise<void> {
    try {
      await this.executor.run(op);
      for (const key of keysOfOp(op)) {
        this.failed.delete(key);
        this.opts.index.clearError(key);
      }
    } catch (err) {
      if (err instanceof LocalChangedError) {
        this.pendingLocalPaths.add(err.path);
        return;
      }
      if (err instanceof RemoteChangedError) {
        this.remoteDirty = true;
        // A conflict that survives several fresh listings is not a race: report it.
        const seen = (this.remoteRaces.get(err.key) ?? 0) + 1;
        this.remoteRaces.set(err.key, seen);
        if (seen >= 3) this.recordPathFailure(op, new SyncError({ path: err.path, title: 'Cannot write to Dropbox', message: `Dropbox keeps refusing to write “${err.path}”; it will be retried later.`, retryable: true }));
        return;
      }
      if (err instanceof SyncError) {
        this.recordPathFailure(op, err);
        // A write refused because the server changed meanwhile: look at the server again.
        this.remoteDirty = true;
        return;
      }
      throw err;
    }
  }

  private recordPathFailure(op: Op, err: SyncError): void {
    const key = keysOfOp(op)[0]!;
    const attempts = (this.failed.get(key)?.attempts ?? 0) + 1;
    const delay = PATH_RETRY_DELAYS_MS[Math.min(attempts - 1, PATH_RETRY_DELAYS_MS.length - 1)]!;
    this.failed.set(key, { attempts, retryAt: this.now() + delay });
    this.opts.index.setError(key, { path: err.path || pathOfOp(op), title: err.title, message: err.message, time: this.now(), attempts });
    this.opts.index.addActivity({ time: this.now(), action: 'error', path: err.path || pathOfOp(op), detail: err.message });
    this.log(`${err.title}: ${err.message}`);
    this.scheduleRetry();
  }

  private forgetFailuresFor(keys: PathKey[]): void {
    for (const key of keys) this.failed.delete(key);
  }

  private scheduleRetry(): void {
    if (this.stopped || !this.opts.live) return;
    const next = Math.min(...[...this.failed.values()].map((f) => f.retryAt));
    if (!Number.isFinite(next)) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.remoteDirty = true;
      this.wake();
    }, Math.max(0, next - this.now()));
    this.retryTimer.unref();
  }

  private onConverged(): void {
    // Errors recorded for paths that no longer fail (fixed by the user, gone, or from an earlier
    // run) would otherwise be shown forever.
    for (const error of this.opts.index.errors()) if (!this.failed.has(error.key)) this.opts.index.clearError(error.key);
    const errorCount = this.opts.index.errors().length;
    const now = this.now();
    this.opts.index.setMeta('last_synced_at', String(now));
    this.offlineDelayMs = this.opts.offlineRetryMs ?? 1000;
    this.remoteRaces.clear();
    this.setStatus({ state: 'idle', message: undefined, lastSyncedAt: now, errorCount, done: 0, total: 0 });
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async onRunFailed(err: unknown): Promise<void> {
    if (this.stopped && isAbortError(err)) return;
    if (err instanceof AuthError) {
      this.setStatus({ state: 'needs_signin', message: err.message });
      this.log(err.message);
      this.paused = 'user';
      if (!this.opts.live) throw err;
      return;
    }
    if (err instanceof NetworkError || err instanceof RateLimitError || (isTwinfoldError(err) && err.retryable)) {
      const delay = err instanceof RateLimitError ? err.retryAfterMs : this.offlineDelayMs;
      this.offlineDelayMs = Math.min(this.offlineDelayMs * 2, 60_000);
      this.remoteDirty = true;
      this.setStatus({ state: err instanceof NetworkError ? 'offline' : 'syncing', message: err.message });
      this.log(err.message);
      if (!this.opts.live) throw err;
      await this.sleep(delay);
      return;
    }
    // Once the folder is back, everything in it must be looked at again, not the emptiness seen.
    if (err instanceof LocalRootGoneError) this.pendingLocalPaths.add('');
    const message = errorMessage(err);
    this.setStatus({ state: 'error', message });
    this.log(`error: ${message}`);
    if (!this.opts.live) throw err;
    this.remoteDirty = true;
    await this.sleep(60_000);
  }

  private async longpollLoop(): Promise<void> {
    const { provider, index } = this.opts;
    let backoffMs = 0;
    while (!this.stopped) {
      await this.whenIdle();
      if (this.stopped) return;
      if (backoffMs > 0) await this.sleep(backoffMs);
      const cursor = index.remoteCursor();
      if (cursor === undefined || this.status.state === 'needs_signin') {
        await this.sleep(1000);
        continue;
      }
      try {
        const result = await withChildSignal(this.abort.signal, (signal) => provider.waitForChanges(cursor, this.opts.longpollTimeoutSec ?? 30, signal));
        backoffMs = (result.backoffSec ?? 0) * 1000;
        if (result.changes) {
          this.remoteDirty = true;
          this.wake();
          // Wait until the loop has consumed the news before polling again with the new cursor.
          await this.whenRemoteConsumed();
        }
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof CursorResetError) {
          this.remoteDirty = true;
          this.wake();
          await this.whenRemoteConsumed();
          continue;
        }
        backoffMs = err instanceof RateLimitError ? err.retryAfterMs : Math.min(Math.max(backoffMs * 2, 1000), 60_000);
        // The main loop owns the status and the retries: let it find out whether Dropbox is
        // reachable (it shows "offline" and retries with backoff until it is).
        this.remoteDirty = true;
        this.wake();
        await this.whenRemoteConsumed();
      }
    }
  }

  private async whenRemoteConsumed(): Promise<void> {
    while (!this.stopped && this.remoteDirty) await this.whenIdleOrChanged();
  }

  private whenIdleOrChanged(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.off('status', done);
        resolve();
      };
      this.on('status', done);
    });
  }

  /** Waits `ms`, or less when the engine stops. */
  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.sleepers.delete(done);
        resolve();
      };
      this.sleepers.add(done);
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private onTransferProgress(progress: TransferProgress, finished: boolean): void {
    if (finished) this.transfers.delete(progress.path);
    else this.transfers.set(progress.path, progress);
    this.emit('status', this.getStatus());
  }

  /** Problems found on disk are reported once each; case conflicts are renamed so both survive. */
  private async handleLocalProblems(): Promise<void> {
    for (const problem of this.local.problems()) {
      // Whatever lies under an excluded folder is the user's own business on this device.
      if (this.exclusions.rootOf(pathLower(problem.path)) !== undefined) continue;
      if (problem.kind === 'case_conflict') {
        await this.resolveCaseConflict(problem.path);
        continue;
      }
      const id = `${problem.kind}:${problem.path}`;
      if (this.reportedProblems.has(id)) continue;
      this.reportedProblems.add(id);
      const message = problemMessage(problem);
      this.log(message);
      this.opts.index.addActivity({ time: this.now(), action: 'error', path: problem.path, detail: message });
      this.emit('activity');
    }
  }

  /** Two local names Dropbox sees as one: the later one gets a distinct name instead of overwriting. */
  private async resolveCaseConflict(relPath: string): Promise<void> {
    const taken = new Set([...this.local.tree().keys(), ...this.opts.index.allRemote().keys()]);
    const kind = (await lstat(nodePath.join(this.opts.localRoot, relPath)).catch(() => undefined))?.isDirectory() ? 'folder' : 'file';
    const target = caseConflictPath(relPath, kind, (candidate) => taken.has(pathLower(candidate)));
    try {
      await renameNoReplace(nodePath.join(this.opts.localRoot, relPath), nodePath.join(this.opts.localRoot, target));
      this.opts.index.addActivity({ time: this.now(), action: 'conflict', path: relPath, detail: `renamed to ${target}: another item has the same name apart from case` });
      this.emit('activity');
    } catch (err) {
      this.log(`could not rename ${relPath}: ${errorMessage(err)}`);
    }
    await this.local.refresh([relPath, target]);
  }

  private setStatus(patch: Partial<EngineStatus>): void {
    // While paused, progress may still be reported but the state stays 'paused'.
    if (this.paused && patch.state === 'syncing') patch = { ...patch, state: this.status.state, message: this.status.message };
    this.status = { ...this.status, ...patch };
    const status = this.getStatus();
    this.persistStatus(status);
    this.emit('status', status);
  }

  /**
   * Saves the status for `twinfold status`: at once when the headline changes, otherwise at most
   * once a second, so a pass of 10,000 transfers is not also 10,000 index writes.
   */
  private persistStatus(status: EngineStatus): void {
    const headline = JSON.stringify([status.state, status.message, status.pauseReason, status.errorCount, status.lastSyncedAt]);
    const now = this.now();
    if (headline === this.persistedHeadline && now - this.persistedAt < STATUS_PERSIST_INTERVAL_MS) return;
    this.persistedHeadline = headline;
    this.persistedAt = now;
    this.opts.index.setMeta('status', JSON.stringify({ ...status, updatedAt: now, pid: process.pid }));
  }
}

function problemMessage(problem: ReturnType<LocalTree['problems']>[number]): string {
  switch (problem.kind) {
    case 'symlink':
      return `${problem.path} is a symbolic link; links are not followed or synced`;
    case 'special_file':
      return `${problem.path} is not a regular file (socket, pipe or device); it is not synced`;
    case 'unreadable':
      return `${problem.path} cannot be read (${problem.code}); it is skipped until it can`;
    case 'invalid_name':
      return `${problem.path} has a name Dropbox does not accept (${problem.reason.replace('_', ' ')}); rename it to sync it`;
    case 'unstable':
      return `${problem.path} is still being written; it will be synced when it settles`;
    case 'case_conflict':
      return `${problem.path} has the same name as ${problem.keptPath} apart from case or accents`;
  }
}
