// The folder pairs of the app: one engine per pair, configured from the settings. Adds pairs after
// checking everything first, removes them without touching a user file, pauses and resumes them
// (one, or all, also for a while), changes their options, edits their ignore rules, and gathers
// their views and activity for the UI. Knows nothing about hosts or IPC.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readdir, rm, rmdir } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { PairOptions, type ActivityItem, type PairView, type PathErrorView } from '../../../common/contract.js';
import { RemoteConflictError, redactSecrets } from '../../core/errors.js';
import { STATE_DIR_NAME } from '../../core/local/ignore.js';
import { TEMP_DIR_NAME } from '../../core/local/atomicWrite.js';
import { resolveInsideRoot, UnsafeRemotePathError } from '../../core/paths.js';
import type { RemoteProvider } from '../../core/remote/provider.js';
import { LOCK_FILE_NAME, lockStateDir, PID_FILE_NAME, StateLockedError } from '../../core/stateLock.js';
import { activeRootsDir, checkAgainstActiveRoots, pairPaths, PairOverlapError } from '../../core/activeRoots.js';
import { toCallFailure } from '../callFailures.js';
import { DEFAULT_PAIR_OPTIONS, type PairConfig, type Settings } from '../settings/settingsSchema.js';
import { CallFailure, type SettingsStore } from '../types.js';
import { readIgnoreFile, writeIgnoreFile } from './ignoreFile.js';
import { PairRunner, pairStateDir } from './pairRunner.js';
import { checkLocalFolder, normalizeExcluded, normalizeRemotePath, remotePathsOverlap } from './pairValidation.js';

export interface PairManagerOptions {
  /** The app's state folder: pair indexes live in `<stateDir>/pairs/<id>/`. */
  stateDir: string;
  settings: SettingsStore;
  /** A provider rooted at the pair's Dropbox folder; undefined while nobody is signed in. */
  providerFor: (remoteRoot: string) => RemoteProvider | undefined;
  /** This device's name, for conflicted copies. */
  host: string;
  now?: () => number;
  log?: (line: string) => void;
  /** Schedules `fn` after `ms` and returns a cancel function (tests pass a controllable one). */
  setTimer?: (fn: () => void, ms: number) => () => void;
  /** How often a pair whose folder is missing looks for it again (default 30 s). */
  folderRetryMs?: number;
  /** The per-user registry of pairs running in any process (default: activeRootsDir()). */
  activeRootsDir?: string;
  /** How often the state folders of running pairs are checked for deletion (default: the lock's). */
  lockCheckMs?: number;
}

export interface NewPair {
  localPath: string;
  remotePath: string;
  options?: Partial<PairOptions>;
}

/** Setting timers longer than this overflows Node's 32-bit delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function defaultSetTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
  timer.unref();
  return () => clearTimeout(timer);
}

export function newPairId(): string {
  // 12 characters from [a-z0-9]: rejection sampling keeps every character equally likely.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  while (id.length < 12) {
    for (const byte of randomBytes(16)) {
      if (byte < 252 && id.length < 12) id += alphabet[byte % 36];
    }
  }
  return id;
}

export class PairManager extends EventEmitter<{ changed: []; activity: []; authFailed: [] }> {
  private readonly runners = new Map<string, PairRunner>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly setTimer: (fn: () => void, ms: number) => () => void;
  private readonly activeRootsDir: string;
  private cancelTimedResume: (() => void) | undefined;
  /**
   * Changes to the list of pairs, and every call that starts, restarts or stops engines, run one at
   * a time: two adds cannot both pass the overlap check, and nothing restarts a pair being removed.
   */
  private configQueue: Promise<unknown> = Promise.resolve();
  /** Pairs being removed: no call may reach them, and no runner is made for them again. */
  private readonly removing = new Set<string>();

  constructor(private readonly opts: PairManagerOptions) {
    super();
    this.now = opts.now ?? Date.now;
    const log = opts.log ?? (() => {});
    this.log = (line) => log(redactSecrets(line));
    this.setTimer = opts.setTimer ?? defaultSetTimer;
    this.activeRootsDir = opts.activeRootsDir ?? activeRootsDir();
  }

  // ---- lifecycle ----

  /** Starts every configured pair (paused ones paused); a timed pause still ahead resumes on time. */
  startAll(): Promise<void> {
    return this.serially(async () => {
      const settings = this.opts.settings.read();
      this.scheduleTimedResume(settings);
      await Promise.all(settings.pairs.map((config) => this.runnerFor(config).start()));
    });
  }

  /** Stops every engine after its current write (after a change of the pairs under way). */
  stopAll(): Promise<void> {
    return this.serially(async () => {
      this.cancelTimedResume?.();
      this.cancelTimedResume = undefined;
      await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    });
  }

  /** After a sign-in change: every pair starts again with the provider it gets now. */
  restartAll(): Promise<void> {
    return this.serially(async () => {
      const settings = this.opts.settings.read();
      this.scheduleTimedResume(settings);
      await Promise.all(settings.pairs.map((config) => this.runnerFor(config).restart()));
    });
  }

  // ---- views ----

  views(): PairView[] {
    const settings = this.opts.settings.read();
    const pausedUntil = this.activePausedUntil(settings);
    return settings.pairs.map((config) => this.runnerFor(config).view(pausedUntil));
  }

  /** The newest activity and the current errors of every pair, newest first. */
  activity(limit: number): { activity: ActivityItem[]; errors: PathErrorView[] } {
    const activity = this.recentActivity(limit);
    const errors = [...this.runners.values()].flatMap((r) => r.errors()).sort((a, b) => b.time - a.time);
    return { activity, errors };
  }

  /** The newest activity of every pair, newest first, without the errors (which cost a query per pair). */
  recentActivity(limit: number): ActivityItem[] {
    return [...this.runners.values()]
      .flatMap((r) => r.activity(limit))
      .sort((a, b) => b.time - a.time || compareIds(b.id, a.id))
      .slice(0, limit);
  }

  // ---- adding and removing ----

  add(pair: NewPair): Promise<PairView> {
    return this.serially(async () => {
      const settings = this.opts.settings.read();
      const remotePath = normalizeRemotePath(pair.remotePath);
      const options = parseOptions({ ...DEFAULT_PAIR_OPTIONS, ...pair.options });
      const localPath = await checkLocalFolder(pair.localPath, { stateDir: this.opts.stateDir, otherRoots: settings.pairs.map((p) => p.localPath) });
      await this.checkOtherProcesses(localPath);
      const clash = settings.pairs.find((p) => remotePathsOverlap(p.remotePath, remotePath));
      if (clash) {
        throw new CallFailure('conflict', `Dropbox:${remotePath || '/'} overlaps Dropbox:${clash.remotePath || '/'}, which is already synced with ${clash.localPath}; folder pairs must not overlap.`);
      }
      const provider = this.opts.providerFor(remotePath);
      if (!provider) throw new CallFailure('auth', 'Sign in to Dropbox before adding a folder pair.');
      await ensureRemoteFolder(provider, remotePath);

      // The settings read above are from before the network: re-read them (a pause, a sign-out may
      // have changed them meanwhile) and only append the pair.
      const current = this.opts.settings.read();
      const taken = new Set(current.pairs.map((p) => p.id));
      let id = newPairId();
      while (taken.has(id)) id = newPairId();
      const config: PairConfig = { id, localPath, remotePath, options, paused: false };
      this.opts.settings.write({ ...current, pairs: [...current.pairs, config] });
      this.log(`added folder pair ${id}: ${localPath} <-> Dropbox:${remotePath || '/'}`);
      const runner = this.runnerFor(config);
      // Answers once the pair runs; its first scan goes on in the background.
      await runner.start();
      this.emit('changed');
      return runner.view(this.activePausedUntil(this.opts.settings.read()));
    });
  }

  /**
   * Stops syncing the pair and forgets it: its settings, its state folder, and the index state in
   * its local `.twinfold`. Never a user file: the folder's contents and its `.twinfold/trash` stay.
   */
  remove(id: string): Promise<void> {
    return this.serially(async () => {
      const { config, runner } = this.pair(id);
      this.removing.add(id);
      try {
        // Disposed, the runner never starts again, whoever asks (a folder coming back, a retry).
        await runner.dispose();
        try {
          const settings = this.opts.settings.read();
          this.opts.settings.write({ ...settings, pairs: settings.pairs.filter((p) => p.id !== id) });
        } catch (err) {
          // Still configured: it syncs on, with a runner of its own.
          this.runners.delete(id);
          this.removing.delete(id);
          const still = this.opts.settings.read().pairs.find((p) => p.id === id);
          if (still) await this.runnerFor(still).start();
          throw err;
        }
        this.runners.delete(id);
        await rm(pairStateDir(this.opts.stateDir, id), { recursive: true, force: true });
        await removeLocalState(config.localPath);
      } finally {
        this.removing.delete(id);
      }
      this.log(`removed folder pair ${id} (${config.localPath}); no file was deleted`);
      this.emit('changed');
    });
  }

  // ---- pausing ----

  setPaused(id: string, paused: boolean): void {
    const { config } = this.pair(id);
    this.updateConfig({ ...config, paused });
    this.applyPause(id);
    this.emit('changed');
  }

  /**
   * Pauses or resumes every pair. `minutes` > 0 pauses all for that long (each pair's own pause
   * stays as it was); otherwise every pair is paused until resumed. Resuming clears both.
   */
  setAllPaused(paused: boolean, minutes?: number): void {
    const settings = this.opts.settings.read();
    const next: Settings = { ...settings, pairs: settings.pairs.map((p) => ({ ...p })) };
    delete next.pausedUntil;
    if (paused && minutes !== undefined && minutes > 0) next.pausedUntil = this.now() + minutes * 60_000;
    else for (const pair of next.pairs) pair.paused = paused;
    this.opts.settings.write(next);
    for (const config of next.pairs) {
      const runner = this.runners.get(config.id);
      if (runner) runner.config = config;
    }
    this.scheduleTimedResume(next);
    for (const config of next.pairs) this.applyPause(config.id);
    this.emit('changed');
  }

  confirmMassDelete(id: string): void {
    this.pair(id).runner.confirmMassDelete();
  }

  // ---- options and rules ----

  updateOptions(id: string, partial: Partial<PairOptions>): Promise<PairView> {
    return this.serially(async () => {
      const { config, runner } = this.pair(id);
      const options = parseOptions({ ...config.options, ...partial });
      this.updateConfig({ ...config, options });
      await runner.restart();
      // The new options apply to every change made once this answers.
      await runner.whenStarted();
      this.emit('changed');
      return runner.view(this.activePausedUntil(this.opts.settings.read()));
    });
  }

  async getIgnoreRules(id: string): Promise<{ text: string }> {
    const { config } = this.pair(id);
    return { text: await readIgnoreFile(config.localPath) };
  }

  /** Saves the pair's `.twinfoldignore` atomically, then restarts its engine so the rules apply at once. */
  setIgnoreRules(id: string, text: string): Promise<void> {
    return this.serially(async () => {
      const { config, runner } = this.pair(id);
      await writeIgnoreFile(config.localPath, text);
      await runner.restart();
      // The rules apply to every change made once this answers.
      await runner.whenStarted();
    });
  }

  /** Retries failed paths now; a pair without a running engine is started again (one change at a time). */
  retryErrors(id: string, path?: string): Promise<void> {
    if (this.pair(id).runner.retryNow(path)) return Promise.resolve();
    return this.serially(async () => {
      await this.pair(id).runner.retry(path);
    });
  }

  /** The absolute local path of an item of the pair ('' or '/': its folder), strictly inside it. */
  localPathOf(id: string, relPath: string): string {
    const { config } = this.pair(id);
    if (relPath === '' || relPath === '/') return config.localPath;
    try {
      return resolveInsideRoot(config.localPath, relPath.startsWith('/') ? relPath : `/${relPath}`);
    } catch (err) {
      if (err instanceof UnsafeRemotePathError) throw new CallFailure('bad_request', `${JSON.stringify(relPath)} is not a path inside the folder pair.`);
      throw err;
    }
  }

  /** Resolves when the pair's engine has finished its first scan (or failed to start). */
  whenStarted(id: string): Promise<void> {
    return this.pair(id).runner.whenStarted();
  }

  /** Resolves when the pair's engine is idle with nothing pending (tests, and "sync now" feedback). */
  whenIdle(id: string): Promise<void> {
    return this.pair(id).runner.whenIdle();
  }

  // ---------------------------------------------------------------------------------------------

  private pair(id: string): { config: PairConfig; runner: PairRunner } {
    const config = this.removing.has(id) ? undefined : this.opts.settings.read().pairs.find((p) => p.id === id);
    if (!config) throw new CallFailure('not_found', `There is no folder pair ${JSON.stringify(id)}; it may have been removed.`);
    return { config, runner: this.runnerFor(config) };
  }

  /** A folder synced by another Twinfold process (the CLI, another service) cannot be added here. */
  private async checkOtherProcesses(localPath: string): Promise<void> {
    try {
      await checkAgainstActiveRoots(this.activeRootsDir, await pairPaths(localPath, nodePath.join(this.opts.stateDir, 'pairs')));
    } catch (err) {
      if (err instanceof PairOverlapError) throw new CallFailure('conflict', `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`);
      throw err;
    }
  }

  private runnerFor(config: PairConfig): PairRunner {
    let runner = this.runners.get(config.id);
    if (!runner) {
      runner = this.newRunner(config);
      if (this.removing.has(config.id)) {
        // Being removed: never brought back to life; a stand-in that cannot start, not kept.
        runner.markDisposed();
        return runner;
      }
      this.runners.set(config.id, runner);
    } else {
      runner.config = config;
    }
    return runner;
  }

  private newRunner(config: PairConfig): PairRunner {
    return new PairRunner(config, {
      stateDir: this.opts.stateDir,
      providerFor: this.opts.providerFor,
      accountId: () => this.opts.settings.read().accountId,
      isPaused: (c) => c.paused || this.activePausedUntil(this.opts.settings.read()) !== undefined,
      host: this.opts.host,
      now: this.now,
      log: (line) => this.log(line),
      onChanged: () => this.emit('changed'),
      onActivity: () => this.emit('activity'),
      onAuthFailed: () => this.emit('authFailed'),
      folderRetryMs: this.opts.folderRetryMs ?? 30_000,
      activeRootsDir: this.activeRootsDir,
      ...(this.opts.lockCheckMs !== undefined && { lockCheckMs: this.opts.lockCheckMs }),
    });
  }

  private updateConfig(config: PairConfig): void {
    const settings = this.opts.settings.read();
    this.opts.settings.write({ ...settings, pairs: settings.pairs.map((p) => (p.id === config.id ? config : p)) });
    const runner = this.runners.get(config.id);
    if (runner) runner.config = config;
  }

  /** Brings the engine in line with the settings: paused by itself or with all, or running. */
  private applyPause(id: string): void {
    const runner = this.runners.get(id);
    if (!runner) return;
    const globally = this.activePausedUntil(this.opts.settings.read()) !== undefined;
    if (runner.config.paused || globally) runner.pause();
    else runner.resume();
  }

  /** The timed pause of all pairs, when it is still ahead. */
  private activePausedUntil(settings: Settings): number | undefined {
    return settings.pausedUntil !== undefined && settings.pausedUntil > this.now() ? settings.pausedUntil : undefined;
  }

  /** Arms (or clears) the timer that ends a timed pause; one already over is cleared now. */
  private scheduleTimedResume(settings: Settings): void {
    this.cancelTimedResume?.();
    this.cancelTimedResume = undefined;
    const until = settings.pausedUntil;
    if (until === undefined) return;
    if (until <= this.now()) {
      this.endTimedPause(until);
      return;
    }
    this.cancelTimedResume = this.setTimer(() => this.endTimedPause(until), until - this.now());
  }

  private endTimedPause(until: number): void {
    const settings = this.opts.settings.read();
    // A newer pause (or a resume) replaced this one meanwhile: not ours to end.
    if (settings.pausedUntil !== until) return;
    const next = { ...settings };
    delete next.pausedUntil;
    this.opts.settings.write(next);
    this.cancelTimedResume = undefined;
    this.log('the timed pause is over: syncing again');
    for (const config of next.pairs) this.applyPause(config.id);
    this.emit('changed');
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const result = this.configQueue.then(step, step);
    this.configQueue = result.catch(() => {});
    return result;
  }
}

function parseOptions(raw: unknown): PairOptions {
  const parsed = PairOptions.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CallFailure('bad_request', `The folder pair options are not valid: ${issue?.message ?? 'invalid'}${issue?.path.length ? ` (${issue.path.join('.')})` : ''}.`);
  }
  return { ...parsed.data, excluded: normalizeExcluded(parsed.data.excluded) };
}

/** Creates the pair's Dropbox folder; one that exists is fine, a file in its place is not. */
async function ensureRemoteFolder(provider: RemoteProvider, remotePath: string): Promise<void> {
  if (remotePath === '') return;
  try {
    await provider.createFolder('');
  } catch (err) {
    if (err instanceof RemoteConflictError && err.conflictWith === 'folder') return;
    if (err instanceof RemoteConflictError) throw new CallFailure('conflict', `Dropbox:${remotePath} is a file (or lies inside one), not a folder; choose a folder.`);
    throw toCallFailure(err);
  }
}

/**
 * Removes our own files from the pair's local `.twinfold` (index, temp files, lock) unless another
 * Twinfold process holds it: they are removed while holding its lock. The trash folder stays: it
 * holds the user's deleted files.
 */
async function removeLocalState(localRoot: string): Promise<void> {
  const dir = nodePath.join(localRoot, STATE_DIR_NAME);
  const names = await readdir(dir).catch(() => undefined);
  if (names === undefined) return;
  const lock = await lockStateDir(dir).catch((err: unknown) => {
    if (err instanceof StateLockedError) return undefined;
    throw err;
  });
  if (!lock) return;
  try {
    const ours = names.filter((name) => name === TEMP_DIR_NAME || name === 'lock' || name === LOCK_FILE_NAME || name === PID_FILE_NAME || /^index\.sqlite(-wal|-shm|-journal)?$/.test(name));
    // The lock file goes too, while still held; `lock` is the pid file older versions left.
    await Promise.all([...ours, PID_FILE_NAME, LOCK_FILE_NAME].map((name) => rm(nodePath.join(dir, name), { recursive: name === TEMP_DIR_NAME, force: true })));
  } finally {
    await lock.release();
  }
  // Only when nothing else (a trash) is left in it.
  await rmdir(dir).catch(() => {});
}

/** Activity ids are `${pairId}:${n}`: order the numbers as numbers within one pair. */
function compareIds(a: string, b: string): number {
  const [pa, na] = a.split(':');
  const [pb, nb] = b.split(':');
  if (pa !== pb) return (pa ?? '') < (pb ?? '') ? -1 : 1;
  return Number(na) - Number(nb);
}
