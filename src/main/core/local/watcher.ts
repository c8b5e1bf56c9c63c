// Watches the synced folder with chokidar and turns its events into batches of paths to re-stat.
// Events are hints only: the engine re-stats what a batch names (statLocal), so a lost or
// reordered event costs at most a late sync, never a wrong one.
import { EventEmitter } from 'node:events';
import type { Stats } from 'node:fs';
import * as nodePath from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { EventBatcher } from './batcher.js';
import { coalesceEvents, type WatchEvent, type WatchEventType } from './coalesce.js';
import type { IgnoreRules } from './ignore.js';

export interface LocalWatcherOptions {
  ignore: IgnoreRules;
  /** Emit a batch once no event has arrived for this long (default 1000 ms). */
  quietMs?: number;
  /** Emit at the latest this long after a batch's first event (default 10 × quietMs). */
  maxDelayMs?: number;
  /** Poll instead of inotify/FSEvents, for network file systems that send no events. */
  usePolling?: boolean;
}

export interface LocalWatcherEvents {
  /** Paths relative to the root, sorted, none below another; '' means rescan everything. */
  batch: [{ paths: string[] }];
  /** Each event as it arrives, before batching: lets a UI show activity before the batch comes. */
  hint: [WatchEvent];
  ready: [];
  /** Not fatal by itself, but e.g. ENOSPC (inotify watch limit) means some changes go unseen. */
  error: [Error];
}

const EVENT_TYPES: readonly WatchEventType[] = ['add', 'addDir', 'change', 'unlink', 'unlinkDir'];

/** Attach an 'error' listener: like any EventEmitter, an unhandled 'error' event throws. */
export class LocalWatcher extends EventEmitter<LocalWatcherEvents> {
  private readonly root: string;
  private ignore: IgnoreRules;
  /** Ends a start() still waiting for chokidar's 'ready'. */
  private settleStart: (() => void) | undefined;
  private readonly batcher: EventBatcher<WatchEvent>;
  private readonly usePolling: boolean;
  private chokidar: FSWatcher | undefined;
  private closed = false;

  constructor(root: string, opts: LocalWatcherOptions) {
    super();
    this.root = nodePath.resolve(root);
    this.ignore = opts.ignore;
    this.usePolling = opts.usePolling ?? false;
    const quietMs = opts.quietMs ?? 1000;
    this.batcher = new EventBatcher({ quietMs, maxDelayMs: opts.maxDelayMs ?? 10 * quietMs }, (events) => {
      const batch = coalesceEvents(events);
      if (batch.paths.length > 0) this.emit('batch', batch);
    });
  }

  /** Starts watching; resolves (and emits 'ready') once the initial tree is being watched. */
  start(): Promise<void> {
    if (this.chokidar) throw new Error('LocalWatcher already started');
    if (this.closed) throw new Error('LocalWatcher is closed');
    const watcher = watch(this.root, {
      ignoreInitial: true,
      followSymlinks: false,
      // chokidar's editor-save handling (atomic) silently drops every event for names like
      // 'notes~', '.x.swp' and '.sublime*.tmp', which we do sync; the quiet period and coalescing
      // already fold an editor's unlink+add into one re-stat.
      atomic: false,
      // An unreadable folder is reported by the scanner; here it would only be noise.
      ignorePermissionErrors: true,
      usePolling: this.usePolling,
      ignored: (absPath: string, stats?: Stats) => this.isIgnoredAbs(absPath, stats?.isDirectory() ?? false),
    });
    this.chokidar = watcher;
    for (const type of EVENT_TYPES) {
      watcher.on(type, (absPath: string) => this.onEvent(type, absPath));
    }
    watcher.on('error', (error: unknown) => this.emit('error', error instanceof Error ? error : new Error(String(error))));
    return new Promise((resolve) => {
      // Closed while starting (the engine stopped during start-up): chokidar never says 'ready'.
      this.settleStart = resolve;
      watcher.once('ready', () => {
        this.settleStart = undefined;
        this.emit('ready');
        resolve();
      });
    });
  }

  /** New rules (the user edited .twinfoldignore) apply to events from now on. */
  setIgnore(ignore: IgnoreRules): void {
    this.ignore = ignore;
  }

  /** Emits the pending batch now instead of waiting for the quiet period. */
  flush(): void {
    this.batcher.flush();
  }

  /** Stops watching; pending events are dropped (a restarted engine scans anyway). */
  async close(): Promise<void> {
    this.closed = true;
    this.batcher.dispose();
    await this.chokidar?.close();
    this.settleStart?.();
    this.settleStart = undefined;
  }

  /** '/a/b' for a path inside the root, '' for the root, null for anything outside. */
  private toRel(absPath: string): string | null {
    const rel = nodePath.relative(this.root, absPath);
    if (rel === '') return '';
    // '..foo' is a legal name inside the root; only '..' as a whole component leaves it.
    if (rel === '..' || rel.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(rel)) return null;
    return `/${rel.split(nodePath.sep).join('/')}`;
  }

  private isIgnoredAbs(absPath: string, isDirectory: boolean): boolean {
    const rel = this.toRel(absPath);
    return rel !== null && rel !== '' && this.ignore.isIgnored(rel, isDirectory);
  }

  private onEvent(type: WatchEventType, absPath: string): void {
    if (this.closed) return;
    const rel = this.toRel(absPath);
    if (rel === null) return;
    // chokidar checks unlink events without stats, so folder-only rules are applied again here.
    if (rel !== '' && this.ignore.isIgnored(rel, type === 'addDir' || type === 'unlinkDir')) return;
    const event: WatchEvent = { type, path: rel };
    this.batcher.push(event);
    this.emit('hint', event);
  }
}
