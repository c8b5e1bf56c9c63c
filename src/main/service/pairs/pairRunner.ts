// One folder pair at run time: takes its state (locks, index, claim), runs its SyncEngine, and
// stands in with a clear status line when it cannot run (folder missing, not signed in, state held
// by another process). Starts and stops are queued one after the other, so a restart never races
// a stop; once disposed (the pair is being removed) a runner never starts again. The pair manager
// owns the list of runners and the settings.
import { stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { ActivityItem, PairView, PathErrorView } from '../../../common/contract.js';
import { SyncEngine } from '../../core/engine/syncEngine.js';
import { initialStatus, type EngineState, type EngineStatus } from '../../core/engine/status.js';
import { StateIndex } from '../../core/index/index.js';
import { claimPairState, lockPair, makeStateDir, StateClaimedError } from '../../core/pairState.js';
import { claimActiveRoot, pairPaths, PairOverlapError, type ActiveRootClaim } from '../../core/activeRoots.js';
import type { RemoteProvider } from '../../core/remote/provider.js';
import { StateLockedError, type StateLock, type StateLostError } from '../../core/stateLock.js';
import type { PairConfig } from '../settings/settingsSchema.js';
import { SpeedMeter } from './speedMeter.js';
import { pairViewOf } from './pairView.js';
import { errorMessage, StateFailure, stateFailureMessage } from '../../core/errors.js';

export const SIGN_IN_LINE = 'Sign in to Dropbox to sync';

export interface PairRunnerDeps {
  /** The app's state folder; this pair's index lives in `<stateDir>/pairs/<id>/`. */
  stateDir: string;
  providerFor(remoteRoot: string): RemoteProvider | undefined;
  /** The signed-in account, when known: the index is claimed for it. */
  accountId(): string | undefined;
  /** Whether the pair should start paused (by itself or with all pairs). */
  isPaused(config: PairConfig): boolean;
  host: string;
  now(): number;
  log(line: string): void;
  onChanged(): void;
  onActivity(): void;
  onAuthFailed(): void;
  /** How often a missing local folder is looked for again. */
  folderRetryMs: number;
  /** The per-user registry of running pairs (see core/activeRoots). */
  activeRootsDir: string;
  /** How often the state folders are checked for deletion (default: the lock's). */
  lockCheckMs?: number;
}

/** Where a pair's own state lives inside the app's state folder. */
export function pairStateDir(stateDir: string, id: string): string {
  return nodePath.join(stateDir, 'pairs', id);
}

export class PairRunner {
  private engine: SyncEngine | undefined;
  private index: StateIndex | undefined;
  private lock: StateLock | undefined;
  private claim: ActiveRootClaim | undefined;
  private status: EngineStatus = initialStatus();
  /** Set while no engine runs: why, for people. */
  private problemLine: string | undefined;
  private readonly speed: SpeedMeter;
  private queue: Promise<void> = Promise.resolve();
  /** The engine's start (watcher and first scan); a failure there is shown, not thrown. */
  private starting: Promise<void> = Promise.resolve();
  private folderTimer: NodeJS.Timeout | undefined;
  /** Set by dispose (the pair is being removed): from then on every queued start or restart is a no-op. */
  private disposed = false;

  constructor(
    public config: PairConfig,
    private readonly deps: PairRunnerDeps,
  ) {
    this.speed = new SpeedMeter();
  }

  get id(): string {
    return this.config.id;
  }

  /**
   * Takes the pair's state and starts its engine; resolves once the first scan is under way, not
   * done (see whenStarted): a big folder takes minutes to hash. Never rejects for a pair that cannot run.
   */
  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  /** Stops the engine after its current write and releases the pair's state. */
  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /**
   * Stops the engine for good (the pair is being removed): steps queued before this one and every
   * start, restart or retry asked for later do nothing, so no engine can run on after its pair went.
   */
  dispose(): Promise<void> {
    this.markDisposed();
    const next = this.queue.then(
      () => this.doStop(),
      () => this.doStop(),
    );
    this.queue = next.catch(() => {});
    return next;
  }

  /** From now on nothing starts this runner (a fresh one, that never ran, needs no stop). */
  markDisposed(): void {
    this.disposed = true;
    this.clearFolderTimer();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  pause(): void {
    this.engine?.pause('user');
  }

  /** Resumes a pause by the user; a pass held for a mass delete stays held (see confirmMassDelete). */
  resume(): void {
    const status = this.engine?.getStatus();
    if (status?.state === 'paused' && status.pauseReason === 'user') this.engine?.resume();
  }

  confirmMassDelete(): void {
    const status = this.engine?.getStatus();
    if (status?.state === 'paused' && status.pauseReason === 'mass_delete') this.engine?.resume();
  }

  /** Retries failed paths now when an engine runs; false when there is none (see retry). */
  retryNow(path?: string): boolean {
    if (!this.engine || this.disposed) return false;
    this.engine.retryNow(path);
    return true;
  }

  /** Retries failed paths now; a pair that could not start is started again. */
  retry(path?: string): Promise<void> {
    if (this.retryNow(path)) return Promise.resolve();
    return this.restart();
  }

  /** Resolves once the engine has finished starting (watching, first scan) or failed to. */
  async whenStarted(): Promise<void> {
    await this.queue;
    await this.starting;
  }

  /** Resolves once the engine has finished starting and is idle with nothing pending. */
  async whenIdle(): Promise<void> {
    await this.whenStarted();
    await this.engine?.whenIdle();
  }

  view(pausedUntil: number | undefined): PairView {
    const input = { config: this.config, status: this.status, bytesPerSec: this.speed.bytesPerSec(this.deps.now()) };
    return pairViewOf({
      ...input,
      ...(this.problemLine !== undefined ? { line: this.problemLine } : {}),
      ...(pausedUntil !== undefined ? { pausedUntil } : {}),
    });
  }

  activity(limit: number): ActivityItem[] {
    if (!this.index) return [];
    return this.index.recentActivity(limit).map((entry) => {
      const item: ActivityItem = { id: `${this.id}:${entry.id}`, pairId: this.id, time: entry.time, action: entry.action, path: entry.path };
      if (entry.size !== undefined) item.size = entry.size;
      if (entry.detail !== undefined) item.detail = entry.detail;
      return item;
    });
  }

  errors(): PathErrorView[] {
    if (!this.index) return [];
    return this.index.errors().map((e) => ({ pairId: this.id, path: e.path, title: e.title, message: e.message, time: e.time, attempts: e.attempts }));
  }

  // ---------------------------------------------------------------------------------------------

  private enqueue(step: () => Promise<void>): Promise<void> {
    // Checked when the step runs, not when it is queued: a dispose queued meanwhile wins.
    const run = (): Promise<void> => (this.disposed ? Promise.resolve() : step());
    const next = this.queue.then(run, run);
    // A failed step must not stop the ones queued after it; its caller sees the failure.
    this.queue = next.catch(() => {});
    return next;
  }

  private async doStart(): Promise<void> {
    // Already running (or holding the state while it waits for a sign-in): a second engine on the
    // same folder would race the first, and the first could never be stopped. restart() stops first.
    if (this.disposed || this.engine || this.lock || this.index) return;
    this.clearFolderTimer();
    const { config, deps } = this;
    const root = await stat(config.localPath).catch(() => undefined);
    if (!root?.isDirectory()) {
      this.showProblem('error', `The folder ${config.localPath} is missing (an unplugged disk?); syncing resumes when it is back`);
      this.watchForFolder();
      return;
    }
    if (!(await this.openState())) return;
    const provider = deps.providerFor(config.remotePath);
    if (!provider) {
      // The index stays open: its activity and errors are still shown.
      this.showProblem('needs_signin', SIGN_IN_LINE);
      return;
    }
    const engine = new SyncEngine({
      localRoot: config.localPath,
      provider,
      index: this.index!,
      quietMs: config.options.quietMs,
      deletionPolicy: config.options.deletionPolicy,
      excluded: config.options.excluded,
      host: deps.host,
      live: true,
      log: (line) => deps.log(line),
    });
    engine.on('status', (status) => this.onEngineStatus(status));
    engine.on('activity', () => deps.onActivity());
    this.engine = engine;
    this.problemLine = undefined;
    if (deps.isPaused(config)) engine.pause('user');
    // Not awaited: the first scan runs in the background (the status says so), and a stop during
    // it stops the engine right away (doStop).
    this.starting = engine.start().catch((err: unknown) => this.onStartFailed(engine, err));
  }

  /** Locks the pair's state and opens its index; on failure shows why and holds nothing. */
  private async openState(): Promise<boolean> {
    const { config, deps } = this;
    const dir = pairStateDir(deps.stateDir, config.id);
    try {
      await makeStateDir(dir);
      const lock = await lockPair(dir, config.localPath, { checkEveryMs: deps.lockCheckMs });
      this.lock = lock;
      lock.onLost((err) => void this.onStateLost(lock, err));
      this.claim = await claimActiveRoot(deps.activeRootsDir, await pairPaths(config.localPath, dir));
      this.index = openIndex(nodePath.join(dir, 'index.sqlite'));
      claimPairState(this.index, { local_root: config.localPath, remote_root: config.remotePath, account_id: deps.accountId() });
      return true;
    } catch (err) {
      await this.release();
      this.showProblem('error', problemLineFor(err, config));
      return false;
    }
  }

  private async onStartFailed(engine: SyncEngine, err: unknown): Promise<void> {
    if (this.engine !== engine) return;
    const message = errorMessage(err);
    this.deps.log(`${this.config.localPath}: could not start syncing: ${message}`);
    await engine.stop();
    this.engine = undefined;
    await this.release();
    this.showProblem('error', `Could not start: ${message}`);
    const root = await stat(this.config.localPath).catch(() => undefined);
    if (!root?.isDirectory()) this.watchForFolder();
  }

  /** A state folder deleted or replaced mid-run: the pair stops and says so, and never recreates it by itself. */
  private async onStateLost(lock: StateLock, err: StateLostError): Promise<void> {
    await this.enqueue(async () => {
      if (this.lock !== lock) return;
      await this.doStop();
      this.showProblem('error', `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}`);
    });
  }

  private async doStop(): Promise<void> {
    this.clearFolderTimer();
    // The engine stops first, also in the middle of its first scan; only then is its start awaited.
    const engine = this.engine;
    this.engine = undefined;
    if (engine) await engine.stop();
    await this.starting;
    // A start that failed meanwhile may have begun looking for its folder again.
    this.clearFolderTimer();
    await this.release();
    this.problemLine = undefined;
    this.status = { ...initialStatus(), state: 'stopped', lastSyncedAt: this.status.lastSyncedAt };
    this.speed.observe(this.deps.now(), []);
    this.deps.onChanged();
  }

  private async release(): Promise<void> {
    this.index?.close();
    this.index = undefined;
    const claim = this.claim;
    this.claim = undefined;
    await claim?.release();
    const lock = this.lock;
    this.lock = undefined;
    await lock?.release();
  }

  private onEngineStatus(status: EngineStatus): void {
    const was = this.status.state;
    this.status = status;
    this.speed.observe(this.deps.now(), status.transfers.map((t) => ({ id: `${t.direction}:${t.path}`, bytes: t.bytes })));
    if (status.state === 'needs_signin' && was !== 'needs_signin') this.deps.onAuthFailed();
    this.deps.onChanged();
  }

  private showProblem(state: EngineState, line: string): void {
    this.status = { ...initialStatus(), state, message: line, lastSyncedAt: this.status.lastSyncedAt };
    this.problemLine = line;
    this.speed.observe(this.deps.now(), []);
    this.deps.log(`${this.config.localPath}: ${line}`);
    this.deps.onChanged();
  }

  /** A missing folder (an unplugged disk) is looked for again now and then; the pair starts when it is back. */
  private watchForFolder(): void {
    this.clearFolderTimer();
    if (this.disposed) return;
    this.folderTimer = setInterval(() => {
      void stat(this.config.localPath).then(
        (s) => {
          if (s.isDirectory() && this.folderTimer) void this.restart().catch(() => {});
        },
        () => {},
      );
    }, this.deps.folderRetryMs);
    this.folderTimer.unref();
  }

  private clearFolderTimer(): void {
    if (this.folderTimer) clearInterval(this.folderTimer);
    this.folderTimer = undefined;
  }
}

function problemLineFor(err: unknown, config: PairConfig): string {
  if (err instanceof StateLockedError) return `Another Twinfold process (pid ${err.pid}) is syncing ${config.localPath}; stop it to sync here`;
  if (err instanceof StateClaimedError) {
    return err.field === 'account_id'
      ? 'This folder pair was synced with another Dropbox account; remove it and add it again to sync with this one'
      : `The sync state of this pair belongs to another folder (${err.existing}); remove the pair and add it again`;
  }
  if (err instanceof PairOverlapError) return `Cannot sync: ${err.message}`;
  if (err instanceof StateFailure) return `Cannot sync: ${err.message}`;
  return `Cannot open the sync state: ${errorMessage(err)}`;
}

function openIndex(dbPath: string): StateIndex {
  try {
    return StateIndex.open(dbPath);
  } catch (err) {
    throw new StateFailure(stateFailureMessage(err, dbPath, 'open the sync index'), { cause: err });
  }
}
