// One pass: plan from the three trees what is safe now, and run it. Failed paths wait out their
// backoff (the scheduler's); a path that failed in this run is not tried again in the same run,
// so a path failing the same way every time can never spin the run's passes.
import { keysOfOp, pathOfOp, type CaseConflict, type DeletionPolicy, type LocalItem, type Op, type PathKey, type RemoteItem, type SyncedItem, type Tree } from './model.js';
import { plan } from './planner.js';
import { LocalChangedError, RemoteChangedError, type Executor } from './executor.js';
import type { LocalTree } from './localTree.js';
import { checkMassDelete } from './massDeleteGuard.js';
import { runPass } from './passRunner.js';
import type { Exclusions, ExcludedSplit } from './exclusions.js';
import { KEPT_EXCLUDED_DETAIL, keptExcludedSummary } from './leaveExcluded.js';
import type { Scheduler } from './scheduler.js';
import type { EngineStateStore } from './engineState.js';
import type { StateIndex } from '../index/index.js';
import type { IgnoreRules } from '../local/ignore.js';
import { SyncError } from '../errors.js';
import { isSameOrBelow } from '../paths.js';
import { localDate } from '../localDate.js';

/** Thrown out of a run when the mass-delete guard holds a pass back. */
export class MassDeleteHeld extends Error {}

export interface SyncPassDeps {
  index: StateIndex;
  local: LocalTree;
  executor: Executor;
  exclusions: Exclusions;
  scheduler: Scheduler;
  state: EngineStateStore;
  ignore(): IgnoreRules;
  deletionPolicy: DeletionPolicy;
  host: string;
  transferConcurrency: number;
  now(): number;
  log(line: string): void;
  activity(): void;
  /** The local side changed under an op: look at this path again. */
  localChanged(path: string): void;
  /** The remote side must be read again before the next plan. */
  remoteChanged(): void;
  assertRootIntact(): Promise<void>;
  /** Holds the engine back for a mass delete until the user confirms. */
  holdForMassDelete(message: string): void;
}

export type Planned = { ops: Op[]; synced: Tree<SyncedItem> } | { leaving: ExcludedSplit<SyncedItem> };

export class SyncPass {
  /** Excluded folders whose kept local files were already reported since start, by key. */
  private readonly reportedKept = new Set<PathKey>();
  /** Writes refused because the server changed meanwhile, per key, since the last convergence. */
  private readonly remoteRaces = new Map<PathKey, number>();
  private massDeleteConfirmed: boolean;

  constructor(private readonly deps: SyncPassDeps, private readonly allowMassDelete: boolean) {
    this.massDeleteConfirmed = allowMassDelete;
  }

  confirmMassDelete(): void {
    this.massDeleteConfirmed = true;
  }

  converged(): void {
    this.remoteRaces.clear();
  }

  /**
   * The ops that are safe now, and the merge base they were planned from. When merge-base entries
   * lie below excluded folders (a folder just became excluded), that split comes back as `leaving`
   * instead, and nothing is planned until they are dealt with.
   */
  plan(caseConflicts: CaseConflict[]): Planned {
    const { index, exclusions, scheduler, local } = this.deps;
    const syncedSplit = exclusions.split(index.allSynced());
    if (syncedSplit.excluded.size > 0) return { leaving: syncedSplit };
    const synced = syncedSplit.included;
    const remoteSplit = exclusions.split(this.visibleRemote(index.allRemote()));
    const localSplit = exclusions.split(local.tree());
    this.reportKeptExcluded(localSplit.excluded);
    const ops = plan({
      local: localSplit.included,
      remote: remoteSplit.included,
      synced,
      deletionPolicy: this.deps.deletionPolicy,
      host: this.deps.host,
      today: localDate(new Date(this.deps.now())),
      excludedPresent: { local: localSplit.presentRoots, remote: remoteSplit.presentRoots },
      caseConflicts,
    });
    // Neither side's unknowns (unreadable, refused names, twins held out of the mirror) are deletions.
    const unknown = [...local.unknownKeys(), ...index.remoteUnknownKeys()];
    const safe = ops.filter((op) =>
      keysOfOp(op).every((key) => {
        if (scheduler.isWaiting(key)) return false;
        return !unknown.some((u) => isSameOrBelow(u, key) || isSameOrBelow(key, u));
      }),
    );
    return { ops: safe, synced };
  }

  async run(ops: Op[], synced: Tree<SyncedItem>): Promise<void> {
    const verdict = this.massDeleteConfirmed ? { blocked: false as const } : checkMassDelete(ops, synced);
    if (verdict.blocked) {
      const where = verdict.side === 'local' ? 'on this computer' : verdict.side === 'remote' ? 'on Dropbox' : 'on both sides';
      const message = `this would delete ${verdict.deleting} of ${verdict.total} synced files ${where}; nothing was deleted. Resume to confirm.`;
      this.deps.holdForMassDelete(message);
      this.deps.log(`mass-delete guard: ${message}`);
      throw new MassDeleteHeld(message);
    }
    await this.deps.assertRootIntact();
    this.massDeleteConfirmed = this.allowMassDelete;
    this.deps.state.update({ total: ops.length, done: 0 });
    let done = 0;
    await runPass(ops, this.deps.transferConcurrency, async (op) => {
      await this.runOne(op);
      done += 1;
      this.deps.state.update({ done });
    });
    // What we changed remotely shows up in the change feed; what we changed locally was
    // re-observed by the executor already.
    if (ops.some((op) => op.type !== 'record' && op.type !== 'forget')) this.deps.remoteChanged();
  }

  private async runOne(op: Op): Promise<void> {
    try {
      await this.runAndRecord(op);
    } finally {
      // Bookkeeping ops add no activity entry; everything else may have (done or failed).
      if (op.type !== 'record' && op.type !== 'forget') this.deps.activity();
    }
  }

  private async runAndRecord(op: Op): Promise<void> {
    const { executor, scheduler, index } = this.deps;
    try {
      await executor.run(op);
      for (const key of keysOfOp(op)) {
        scheduler.pathSucceeded(key);
        index.clearError(key);
      }
      if (op.type !== 'record' && op.type !== 'forget') scheduler.serverRecovered();
    } catch (err) {
      if (err instanceof LocalChangedError) {
        this.deps.localChanged(err.path);
        return;
      }
      if (err instanceof RemoteChangedError) {
        this.deps.remoteChanged();
        // A conflict that survives several fresh listings is not a race: report it.
        const seen = (this.remoteRaces.get(err.key) ?? 0) + 1;
        this.remoteRaces.set(err.key, seen);
        if (seen >= 3) this.recordPathFailure(op, new SyncError({ path: err.path, title: 'Cannot write to Dropbox', message: `Dropbox keeps refusing to write “${err.path}”; it will be retried later.`, retryable: true }));
        return;
      }
      if (err instanceof SyncError) {
        this.recordPathFailure(op, err);
        // A write refused because the server changed meanwhile: look at the server again.
        this.deps.remoteChanged();
        return;
      }
      throw err;
    }
  }

  private recordPathFailure(op: Op, err: SyncError): void {
    const { scheduler, index } = this.deps;
    const keys = keysOfOp(op);
    const key = keys[0]!;
    const path = err.path || pathOfOp(op);
    const failure = scheduler.recordPathFailure(keys, { path, message: err.message, transient: err.retryable });
    if (err.retryable) scheduler.serverTrouble();
    const now = this.deps.now();
    index.setError(key, { path, title: err.title, message: err.message, time: now, attempts: failure.attempts });
    index.addActivity({ time: now, action: 'error', path, detail: err.message });
    this.deps.log(`${err.title}: ${err.message}`);
  }

  /** Remote items the user excluded with ignore rules are neither downloaded nor deleted. */
  private visibleRemote(remote: Tree<RemoteItem>): Tree<RemoteItem> {
    const ignore = this.deps.ignore();
    for (const [key, item] of remote) {
      if (ignore.isIgnored(item.path, item.kind === 'folder')) remote.delete(key);
    }
    return remote;
  }

  /**
   * Local files under an excluded folder stay on disk and are never uploaded: say so once per
   * excluded folder per start, in one note naming a few of them, not once per file.
   */
  private reportKeptExcluded(excluded: Tree<LocalItem>): void {
    const byRoot = new Map<PathKey, LocalItem[]>();
    for (const item of excluded.values()) {
      if (item.kind !== 'file') continue;
      const root = this.deps.exclusions.rootOf(item.key);
      if (root === undefined || this.reportedKept.has(root)) continue;
      this.deps.log(`${item.path}: ${KEPT_EXCLUDED_DETAIL}`);
      const files = byRoot.get(root);
      if (files) files.push(item);
      else byRoot.set(root, [item]);
    }
    for (const [root, files] of byRoot) {
      this.reportedKept.add(root);
      const rootPath = excluded.get(root)?.path ?? root;
      this.deps.index.addActivity({ time: this.deps.now(), action: 'notice', path: rootPath, detail: keptExcludedSummary(root, files) });
    }
    if (byRoot.size > 0) this.deps.activity();
  }
}
