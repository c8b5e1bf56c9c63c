// SyncEngine keeps one local folder and one remote folder identical. It observes the three trees
// (local on disk, remote from the change feed, synced in the index), asks the pure planner for the
// ops that are safe now, runs them, and repeats until nothing is left. Local hints come from the
// watcher, remote ones from longpoll; both only wake the loop, which then looks for itself.
// This file composes the parts: the remote feed (remoteFeed.ts), the pass (syncPass.ts), the
// scheduler with its one backoff policy (scheduler.ts) and the one owner of state (engineState.ts).
import { mkdir, readdir, rm } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { EventEmitter } from 'node:events';
import type { DeletionPolicy } from './model.js';
import { Executor } from './executor.js';
import { LocalTree } from './localTree.js';
import type { EngineStatus, PauseReason } from './status.js';
import { EngineStateStore } from './engineState.js';
import { DEFAULT_BACKOFF, Scheduler, type BackoffPolicy } from './scheduler.js';
import { clockWithNow, realClock, type Clock } from './clock.js';
import { RemoteFeed, RemoteFeedFault } from './remoteFeed.js';
import { MassDeleteHeld, SyncPass } from './syncPass.js';
import { LocalProblems } from './localProblems.js';
import type { StateIndex } from '../index/index.js';
import type { RemoteProvider } from '../remote/provider.js';
import { AuthError, NetworkError, RateLimitError, ServerError, errorMessage, isAbortError } from '../errors.js';
import { IGNORE_FILE_NAME, IgnoreRules, STATE_DIR_NAME } from '../local/ignore.js';
import { recoverPendingTrash } from '../local/safeTrash.js';
import { LocalWatcher } from '../local/watcher.js';
import { pathLower } from '../paths.js';
import { Exclusions } from './exclusions.js';
import { leaveExcluded } from './leaveExcluded.js';
import { LocalRootGoneError, LocalRootGuard } from './localRoot.js';
import { watchRemote } from './remoteWatch.js';

export { LocalRootGoneError };

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
  /** Time for every wait and backoff (default: real time, with `now` if given). */
  clock?: Clock;
  /** First delay of the backoff policy (failed paths, failed runs); doubles up to its cap. */
  offlineRetryMs?: number;
  /** Overrides of the one backoff policy. */
  backoff?: Partial<BackoffPolicy>;
  /** Pages of changes one refresh may read before the feed counts as broken. */
  maxPagesPerRefresh?: number;
  log?: (line: string) => void;
}

export interface SyncEngineEvents {
  status: [EngineStatus];
  /** New entries were added to the index's activity log (or may have been: a failed op). */
  activity: [];
}

/** What a one-time sync left undone: failed paths and local items that cannot be synced as they are. */
export interface UnsyncedItem {
  path: string;
  reason: string;
}

const MAX_PASSES_PER_RUN = 1000;
const STATUS_PERSIST_INTERVAL_MS = 1000;
/** A live scan count is shown at most this often: a status per file would flood the UI. */
const SCAN_PROGRESS_EVERY = 200;

export class SyncEngine extends EventEmitter<SyncEngineEvents> {
  private readonly state: EngineStateStore;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly feed: RemoteFeed;
  private readonly pass: SyncPass;
  private readonly problems: LocalProblems;
  private readonly local: LocalTree;
  private readonly stateDir: string;
  private ignore!: IgnoreRules;
  private watcher: LocalWatcher | undefined;
  private readonly abort = new AbortController();
  private readonly log: (line: string) => void;
  private readonly exclusions: Exclusions;
  private readonly root: LocalRootGuard;

  private pendingLocalPaths = new Set<string>();
  private remoteDirty = true;
  /** The last run failed (network, server, a bug): the next feed read that works means recovery. */
  private runFailed = false;
  private wakeLoop: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private longpollDone: Promise<void> | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private persistedHeadline = '';
  private persistedAt = 0;
  /** Resolved whenever a run of passes ends with all three trees equal. */
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: SyncEngineOptions) {
    super();
    this.stateDir = nodePath.join(opts.localRoot, STATE_DIR_NAME);
    this.clock = opts.clock ?? (opts.now ? clockWithNow(opts.now) : realClock);
    this.log = opts.log ?? (() => {});
    this.exclusions = new Exclusions(opts.excluded);
    this.root = new LocalRootGuard(opts.localRoot, opts.index);
    this.state = new EngineStateStore((status) => this.onStatus(status));
    const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...(opts.offlineRetryMs !== undefined ? { baseMs: opts.offlineRetryMs } : {}), ...opts.backoff };
    this.scheduler = new Scheduler(this.clock, policy, () => {
      this.remoteDirty = true;
      this.wake();
    });
    this.feed = new RemoteFeed({ provider: opts.provider, index: opts.index, log: this.log, reported: () => this.emit('activity'), maxPagesPerRefresh: opts.maxPagesPerRefresh });
    const hashCache = opts.index.asHashCache();
    this.local = new LocalTree(opts.localRoot, () => ({ ignore: this.ignore, hashCache, signal: this.abort.signal }));
    const now = () => this.clock.now();
    const executor = new Executor({
      localRoot: opts.localRoot,
      stateDir: this.stateDir,
      provider: opts.provider,
      index: opts.index,
      local: this.local,
      onProgress: (progress, finished) => this.state.setTransfer(progress, finished),
      signal: this.abort.signal,
      now,
      remoteCommitted: this.feed,
    });
    const activity = () => this.emit('activity');
    this.pass = new SyncPass(
      {
        index: opts.index,
        local: this.local,
        executor,
        exclusions: this.exclusions,
        scheduler: this.scheduler,
        state: this.state,
        ignore: () => this.ignore,
        deletionPolicy: opts.deletionPolicy,
        host: opts.host,
        transferConcurrency: opts.transferConcurrency ?? 4,
        now,
        log: this.log,
        activity,
        localChanged: (path) => this.pendingLocalPaths.add(path),
        remoteChanged: () => {
          this.remoteDirty = true;
        },
        assertRootIntact: () => this.root.assertIntact(),
        holdForMassDelete: (message) => this.pause('mass_delete', message),
      },
      opts.allowMassDelete ?? false,
    );
    this.problems = new LocalProblems({ local: this.local, index: opts.index, exclusions: this.exclusions, now, log: this.log, activity });
  }

  /** Stopping aborts every call in flight; the signal is the one record that we stopped. */
  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  getStatus(): EngineStatus {
    return this.state.status();
  }

  /**
   * Scans, then keeps syncing in the background (live) until stop(). With `awaitScan: false` it
   * resolves once the folder is watched and the first scan runs in the background (shown in the
   * status, stopped by stop()), so starting a pair with a huge folder is cheap to await.
   */
  async start(options: { awaitScan?: boolean } = {}): Promise<void> {
    const awaitScan = options.awaitScan ?? true;
    await this.prepare(awaitScan);
    // Stopped during the scan: start nothing that stop() would have had to end.
    if (this.stopped) return;
    if (this.opts.live) {
      this.watcher = new LocalWatcher(this.opts.localRoot, { ignore: this.ignore, quietMs: this.opts.quietMs });
      this.watcher.on('batch', (batch) => this.onLocalHints(batch.paths));
      this.watcher.on('error', (err) => this.onWatcherError(err));
      await this.watcher.start();
      if (this.stopped) {
        await this.watcher.close();
        return;
      }
    }
    this.state.update({ lifecycle: 'running' });
    this.loopDone = this.loop();
    if (this.opts.live) {
      this.longpollDone = watchRemote({
        feed: this.feed,
        scheduler: this.scheduler,
        signal: this.abort.signal,
        timeoutSec: this.opts.longpollTimeoutSec ?? 30,
        whenIdle: () => this.whenIdle(),
        whenStatusChanges: () => this.whenStatusChanges(),
        needsSignIn: () => this.state.get().problem?.kind === 'needs_signin',
        remoteChanged: () => {
          this.remoteDirty = true;
          this.wake();
          return this.whenRemoteConsumed();
        },
      });
    }
  }

  /** Syncs until local, remote and synced are equal once, then resolves. Used by `--once`. */
  async syncOnce(): Promise<{ converged: boolean; status: EngineStatus; unsynced: UnsyncedItem[] }> {
    await this.prepare(true);
    // Like the local scan in prepare: a one-time sync looks at Dropbox too, even after an earlier one.
    this.remoteDirty = true;
    this.state.update({ lifecycle: 'running' });
    const converged = await this.runUntilEqual();
    const status = this.getStatus();
    const unsynced = this.unsynced();
    this.state.update({ lifecycle: 'stopped' });
    return { converged, status, unsynced };
  }

  /** Resolves the next time the engine reaches 'idle' with nothing pending. */
  whenIdle(): Promise<void> {
    if (this.stopped || (this.getStatus().state === 'idle' && !this.hasPendingWork())) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  pause(reason: PauseReason = 'user', message?: string): void {
    this.state.update({ paused: { reason, message } });
  }

  resume(): void {
    const { paused, problem } = this.state.get();
    if (paused?.reason === 'mass_delete') this.pass.confirmMassDelete();
    // Look at both sides again: whatever was held back, and whatever happened meanwhile.
    this.remoteDirty = true;
    this.state.update({ paused: undefined, problem: problem?.kind === 'needs_signin' ? undefined : problem });
    this.wake();
  }

  /**
   * Clears the backoff of failed paths (one, by its relative path, or all) and of a failed run,
   * and looks at both sides again now.
   */
  retryNow(path?: string): void {
    this.scheduler.retryNow(path === undefined ? undefined : pathLower(path));
    this.remoteDirty = true;
    this.wake();
  }

  /** Looks at the whole local folder again (e.g. after the watcher missed events). */
  rescan(): void {
    this.pendingLocalPaths.add('');
    this.wake();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.abort.abort();
    this.scheduler.stop();
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.wake();
    // Release everything waiting for a state change before waiting for the loops themselves.
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.emit('status', this.getStatus());
    await this.watcher?.close();
    await Promise.allSettled([this.loopDone, this.longpollDone]);
    this.state.update({ lifecycle: 'stopped', busy: false, scanned: undefined, serverWaitUntil: undefined });
  }

  // ---------------------------------------------------------------------------------------------

  private async prepare(scanNow: boolean): Promise<void> {
    await this.root.checkAtStart();
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    await this.removeStaleTempFiles();
    for (const item of await recoverPendingTrash(this.opts.localRoot, this.stateDir)) this.log(`${item.path}: put back after an interrupted move to the trash`);
    this.ignore = await IgnoreRules.load(this.opts.localRoot);
    if (scanNow) await this.scanAll();
    else this.pendingLocalPaths.add('');
  }

  /** The whole folder, with a live count in the status; stops when the engine stops. */
  private async scanAll(): Promise<void> {
    this.state.update({ busy: true, scanned: 0 });
    try {
      await this.local.scanAll((items) => {
        if (items % SCAN_PROGRESS_EVERY === 0) this.state.update({ scanned: items });
      });
    } finally {
      this.state.update({ scanned: undefined });
    }
    // Hashes of files that no longer exist would otherwise pile up forever.
    this.opts.index.pruneHashCache(new Set([...this.local.tree().values()].map((item) => item.inode)));
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
    for (const p of paths) this.pendingLocalPaths.add(p);
    // A fresh change on a failed path deserves a fresh try.
    this.scheduler.forget(paths.map((p) => pathLower(p)));
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

  /** Held: paused by the user or the guard, or waiting for a new sign-in. */
  private held(): boolean {
    const { paused, problem } = this.state.get();
    return paused !== undefined || problem?.kind === 'needs_signin';
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.held() && this.hasPendingWork()) {
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
    this.scheduler.startRun();
    this.state.update({ busy: true });
    try {
      for (let pass = 0; pass < MAX_PASSES_PER_RUN; pass += 1) {
        if (this.stopped || this.held()) return false;
        await this.refreshRemote();
        await this.refreshLocal();
        const caseConflicts = await this.problems.handle();
        const next = this.pass.plan(caseConflicts);
        if ('leaving' in next) {
          await this.root.assertIntact();
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
        if (this.held()) return false;
        await this.pass.run(ops, synced);
      }
      throw new Error(`the folders did not settle after ${MAX_PASSES_PER_RUN} passes; syncing will be retried`);
    } catch (err) {
      if (err instanceof MassDeleteHeld) return false;
      await this.onRunFailed(err);
      return false;
    } finally {
      this.state.update({ busy: false, done: 0, total: 0 });
    }
  }

  private async refreshRemote(): Promise<void> {
    if (!this.remoteDirty) return;
    this.remoteDirty = false;
    try {
      const changed = await this.feed.refresh();
      // Only a real change (new rev or hash, created, deleted) earns a failed path a fresh try.
      this.scheduler.forget(changed);
    } catch (err) {
      this.remoteDirty = true;
      throw err;
    }
    if (this.runFailed) {
      // Dropbox answers again: whatever failed because of the outage may work now.
      this.runFailed = false;
      this.scheduler.runSucceeded();
      this.scheduler.serverRecovered();
      if (this.state.get().problem) this.state.update({ problem: undefined });
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
        await this.scanAll();
      } else {
        await this.local.refresh(paths);
      }
    } catch (err) {
      // Look at everything again next time rather than lose the hints.
      this.pendingLocalPaths.add('');
      throw err;
    }
  }

  private onConverged(): void {
    const { index } = this.opts;
    // Errors recorded for paths that no longer fail (fixed by the user, gone, or from an earlier
    // run) would otherwise be shown forever.
    for (const error of index.errors()) if (!this.scheduler.isFailed(error.key)) index.clearError(error.key);
    const now = this.clock.now();
    index.setMeta('last_synced_at', String(now));
    this.scheduler.runSucceeded();
    this.pass.converged();
    this.state.update({ problem: undefined, lastSyncedAt: now, errorCount: index.errors().length, done: 0, total: 0 });
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async onRunFailed(err: unknown): Promise<void> {
    if (this.stopped && isAbortError(err)) return;
    if (err instanceof AuthError) {
      this.state.update({ problem: { kind: 'needs_signin', message: err.message } });
      this.log(err.message);
      if (!this.opts.live) throw err;
      return;
    }
    this.runFailed = true;
    this.remoteDirty = true;
    // Once the folder is back, everything in it must be looked at again, not the emptiness seen.
    if (err instanceof LocalRootGoneError) this.pendingLocalPaths.add('');
    if (err instanceof NetworkError || err instanceof ServerError || err instanceof RateLimitError) this.scheduler.serverTrouble();
    if (err instanceof RateLimitError) return this.waitAsServerAsked(err);
    const message = errorMessage(err);
    this.state.update({ problem: { kind: err instanceof NetworkError ? 'offline' : 'error', message } });
    this.log(err instanceof NetworkError || err instanceof RemoteFeedFault ? message : `error: ${message}`);
    if (!this.opts.live) throw err;
    await this.scheduler.sleep(this.scheduler.nextRunDelay());
  }

  /** Dropbox asked us to wait: shown with the time, capped, and never waited out by a one-time sync. */
  private async waitAsServerAsked(err: RateLimitError): Promise<void> {
    // At least our own backoff: a server answering "429, retry after 0" must not spin the loop.
    const waitMs = this.scheduler.serverWait(Math.max(err.retryAfterMs, this.scheduler.nextRunDelay()));
    if (!this.opts.live) {
      const message = `Dropbox asked us to wait ${Math.ceil(err.retryAfterMs / 1000)} s before trying again; giving up this one-time sync (try again later)`;
      this.state.update({ problem: { kind: 'error', message } });
      // Still a rate limit: callers that retry on their own terms (a script, the caller's loop) can tell.
      throw new RateLimitError(err.retryAfterMs, err.reason, err, message);
    }
    this.log(`Dropbox asked us to wait ${Math.ceil(err.retryAfterMs / 1000)} s; waiting ${Math.ceil(waitMs / 1000)} s`);
    this.state.update({ serverWaitUntil: this.clock.now() + waitMs });
    try {
      await this.scheduler.sleep(waitMs);
    } finally {
      this.state.update({ serverWaitUntil: undefined });
    }
  }

  private async whenRemoteConsumed(): Promise<void> {
    while (!this.stopped && this.remoteDirty) await this.whenStatusChanges();
  }

  private whenStatusChanges(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.off('status', done);
        resolve();
      };
      this.on('status', done);
    });
  }

  private unsynced(): UnsyncedItem[] {
    const failed = [...this.scheduler.failed().values()].map((f) => ({ path: f.path, reason: f.message }));
    return [...failed, ...this.problems.unsynced()];
  }

  private leaveDeps() {
    return { localRoot: this.opts.localRoot, stateDir: this.stateDir, local: this.local, index: this.opts.index, now: () => this.clock.now(), log: this.log };
  }

  private onStatus(status: EngineStatus): void {
    this.persistStatus(status);
    this.emit('status', status);
  }

  /**
   * Saves the status for `twinfold status`: at once when the headline changes, otherwise at most
   * once a second, so a pass of 10,000 transfers is not also 10,000 index writes.
   */
  private persistStatus(status: EngineStatus): void {
    const headline = JSON.stringify([status.state, status.message, status.pauseReason, status.errorCount, status.lastSyncedAt, status.waitingUntil]);
    const now = this.clock.now();
    if (headline === this.persistedHeadline && now - this.persistedAt < STATUS_PERSIST_INTERVAL_MS) return;
    this.persistedHeadline = headline;
    this.persistedAt = now;
    this.opts.index.setMeta('status', JSON.stringify({ ...status, updatedAt: now, pid: process.pid }));
  }
}
