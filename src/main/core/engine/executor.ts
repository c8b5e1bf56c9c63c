// Carries out one planner op against the disk and the provider, then records its outcome in the
// index (merge base, activity). Every op first checks that the side it writes to still looks the
// way the planner saw it; if not it stops with LocalChangedError and the next pass re-plans.
import { lstat, mkdir, realpath, rm } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { LocalItem, Op, RemoteItem, SyncedItem } from './model.js';
import { assertNever } from './model.js';
import { mergeSynced } from './planner.js';
import { withChildSignal } from './childSignal.js';
import type { LocalTree } from './localTree.js';
import type { StateIndex } from '../index/index.js';
import type { RemoteProvider } from '../remote/provider.js';
import type { TransferProgress } from './status.js';
import { isSameOrBelow, remoteParent, resolveInsideRoot } from '../paths.js';
import { fsErrorToSyncError, isAbortError, isTwinfoldError, RemoteConflictError, SyncError } from '../errors.js';
import { trashPlaceName } from '../local/trash.js';
import { expectedEntries, safeTrash, type SafeTrashOutcome } from '../local/safeTrash.js';
import { flushDownloadedFile, placeDownloadedFile, renameNoReplace, tempPathFor } from '../local/atomicWrite.js';
import { rememberPlacedFile } from '../local/hashCache.js';

/** The local side changed after the plan was made: not an error, the op is re-planned. */
export class LocalChangedError extends Error {
  constructor(readonly path: string) {
    super(`“${path}” changed locally while syncing; it will be looked at again`);
    this.name = 'LocalChangedError';
  }
}

/** The remote side changed after the plan was made: refresh the remote tree, then re-plan. */
export class RemoteChangedError extends Error {
  constructor(readonly path: string, readonly key: string) {
    super(`“${path}” changed on Dropbox while syncing; it will be looked at again`);
    this.name = 'RemoteChangedError';
  }
}

export interface ExecutorDeps {
  localRoot: string;
  /** The hidden state folder inside the sync root: temp files and the fallback trash live here. */
  stateDir: string;
  provider: RemoteProvider;
  index: StateIndex;
  local: LocalTree;
  onProgress(progress: TransferProgress, finished: boolean): void;
  signal: AbortSignal;
  now(): number;
}

export class Executor {
  constructor(private readonly deps: ExecutorDeps) {}

  async run(op: Op): Promise<void> {
    switch (op.type) {
      case 'upload':
        return withChildSignal(this.deps.signal, (signal) => this.upload(op, signal));
      case 'download':
        return withChildSignal(this.deps.signal, (signal) => this.download(op, signal));
      case 'createLocalFolder':
        return this.createLocalFolder(op);
      case 'createRemoteFolder':
        return this.createRemoteFolder(op);
      case 'trashLocal':
        return this.trashLocal(op);
      case 'deleteRemote':
        return this.deleteRemote(op);
      case 'moveRemote':
        return this.moveRemote(op);
      case 'moveLocal':
        return this.moveLocal(op);
      case 'renameLocalConflict':
        return this.renameLocalConflict(op);
      case 'record':
        this.deps.index.putSynced(op.item);
        return;
      case 'forget':
        if (op.subtree) this.deps.index.deleteSyncedSubtree(op.key);
        else this.deps.index.deleteSynced(op.key);
        return;
      default:
        assertNever(op);
    }
  }

  private abs(relPath: string): string {
    return resolveInsideRoot(this.deps.localRoot, relPath);
  }

  private async upload(op: Extract<Op, { type: 'upload' }>, signal: AbortSignal): Promise<void> {
    const { provider, index, local } = this.deps;
    const planned = local.get(op.key);
    if (!planned || planned.kind !== 'file') throw new LocalChangedError(op.path);
    const progress = (bytes: number, total: number) => this.deps.onProgress({ path: op.path, direction: 'up', bytes, total }, false);
    let remote: RemoteItem;
    try {
      remote = await provider.upload(this.abs(op.path), op.path, { parentRev: op.parentRev, onProgress: progress, signal });
    } catch (err) {
      // The rev we based the upload on is gone (a concurrent edit): re-plan, which keeps both.
      if (err instanceof RemoteConflictError) throw new RemoteChangedError(op.path, op.key);
      throw err;
    } finally {
      this.deps.onProgress({ path: op.path, direction: 'up', bytes: planned.size, total: planned.size }, true);
    }
    // The provider hashed exactly the bytes it sent; if that is what the planner saw, the local
    // observation (inode, mtime) belongs to this version. Otherwise look at the file again now,
    // so the next pass does not plan from the old observation.
    if (remote.contentHash !== planned.contentHash) await local.refresh([op.path]);
    index.putSynced(mergeBase(remote, local.get(op.key), index.getSynced(op.key)));
    index.addActivity({ time: this.deps.now(), action: 'upload', path: remote.path, size: remote.size });
  }

  private async download(op: Extract<Op, { type: 'download' }>, signal: AbortSignal): Promise<void> {
    const { provider, index, local, stateDir } = this.deps;
    const finalPath = this.abs(op.path);
    const planned = local.get(op.key);
    if (planned?.kind === 'folder') throw new LocalChangedError(op.path);
    const temp = await tempPathFor(stateDir);
    const progress = (bytes: number, total: number) => this.deps.onProgress({ path: op.path, direction: 'down', bytes, total }, false);
    let remote: RemoteItem;
    try {
      remote = await provider.download(op.path, temp, { expectedHash: op.remote.contentHash, onProgress: progress, signal });
      const mtime = remote.clientModified ? new Date(remote.clientModified) : new Date(this.deps.now());
      // Flush first: the check below and the rename must follow each other as closely as possible,
      // or a save made during a long fsync would be replaced.
      await flushDownloadedFile(temp, mtime);
      const placed = await lstat(temp);
      await this.assertWritableInsideRoot(nodePath.dirname(finalPath), op.path);
      await this.assertLocalUnchanged(finalPath, op.path, planned);
      // Wall clock, as file times are: the engine's clock may be a test's fake.
      const placedAtMs = Date.now();
      if (planned) await placeDownloadedFile(temp, finalPath);
      else await this.placeNew(temp, finalPath, op.path);
      if (remote.contentHash) await rememberPlacedFile(index.asHashCache(), placed, finalPath, remote.contentHash, placedAtMs);
    } catch (err) {
      await rm(temp, { force: true });
      if (err instanceof LocalChangedError || isTwinfoldError(err) || isAbortError(err)) throw err;
      throw fsErrorToSyncError(err, op.path, 'saving');
    } finally {
      this.deps.onProgress({ path: op.path, direction: 'down', bytes: op.remote.size ?? 0, total: op.remote.size ?? 0 }, true);
    }
    await local.refresh([op.path]);
    index.putSynced(mergeBase(remote, local.get(op.key), index.getSynced(op.key)));
    index.addActivity({ time: this.deps.now(), action: 'download', path: remote.path, size: remote.size });
  }

  /** A new file must not replace one that appeared locally after planning: refuse to overwrite. */
  private async placeNew(temp: string, finalPath: string, relPath: string): Promise<void> {
    try {
      await placeDownloadedFile(temp, finalPath, { replace: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LocalChangedError(relPath);
      throw err;
    }
  }

  /**
   * Refuses to write through a symlinked folder: a remote path that is textually inside the root
   * could otherwise land anywhere the link points to.
   */
  private async assertWritableInsideRoot(absDir: string, relPath: string): Promise<void> {
    const [realDir, realRoot] = await Promise.all([realpathOfNearestExisting(absDir), this.realRoot()]);
    const rel = nodePath.relative(realRoot, realDir);
    if (rel === '..' || rel.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(rel)) {
      throw new SyncError({ path: relPath, title: 'Not inside the synced folder', message: `“${relPath}” would be written through a link that leaves the synced folder; it is skipped.`, retryable: false });
    }
  }

  private realRootPromise: Promise<string> | undefined;

  private realRoot(): Promise<string> {
    this.realRootPromise ??= realpath(this.deps.localRoot);
    return this.realRootPromise;
  }

  private async assertLocalUnchanged(absPath: string, relPath: string, planned: LocalItem | undefined): Promise<void> {
    let stats;
    try {
      stats = await lstat(absPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (planned) throw new LocalChangedError(relPath);
        return;
      }
      throw fsErrorToSyncError(err, relPath, 'checking');
    }
    if (!planned || stats.isDirectory() || stats.size !== planned.size || stats.mtimeMs !== planned.mtimeMs || stats.ino !== planned.inode) {
      throw new LocalChangedError(relPath);
    }
  }

  private async createLocalFolder(op: Extract<Op, { type: 'createLocalFolder' }>): Promise<void> {
    const { index, local } = this.deps;
    const abs = this.abs(op.path);
    try {
      await mkdir(abs, { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LocalChangedError(op.path);
      throw fsErrorToSyncError(err, op.path, 'creating the folder');
    }
    await local.refresh([op.path]);
    index.putSynced(mergeBase(op.remote, local.get(op.key)));
    index.addActivity({ time: this.deps.now(), action: 'mkdir_local', path: op.path });
  }

  private async createRemoteFolder(op: Extract<Op, { type: 'createRemoteFolder' }>): Promise<void> {
    const { provider, index, local } = this.deps;
    let remote: RemoteItem;
    try {
      remote = await provider.createFolder(op.path);
    } catch (err) {
      // Someone else created it meanwhile: the next listing shows it and the planner links it.
      if (err instanceof RemoteConflictError) throw new RemoteChangedError(op.path, op.key);
      throw err;
    }
    index.putSynced(mergeBase(remote, local.get(op.key)));
    index.addActivity({ time: this.deps.now(), action: 'mkdir_remote', path: remote.path });
  }

  private async trashLocal(op: Extract<Op, { type: 'trashLocal' }>): Promise<void> {
    const { index, local } = this.deps;
    const planned = local.get(op.key);
    if (!planned) {
      // Already gone: the deletion is done.
      index.deleteSyncedSubtree(op.key);
      return;
    }
    if (planned.kind === 'file') await this.assertLocalUnchanged(this.abs(op.path), op.path, planned);
    else await this.assertSubtreeUnchanged(op);
    const where = await this.trashExactly(op);
    await local.refresh([op.path]);
    index.deleteSyncedSubtree(op.key);
    index.addActivity({ time: this.deps.now(), action: 'delete_local', path: op.path, detail: where });
  }

  /**
   * Trashes the item only if it is still exactly what was just checked, down to every entry of a
   * folder (see safeTrash); otherwise it stays (or is put back) and the op is re-planned.
   * Returns the activity detail saying where it went.
   */
  private async trashExactly(op: Extract<Op, { type: 'trashLocal' }>): Promise<string> {
    const { local, localRoot, stateDir } = this.deps;
    const item = local.get(op.key);
    if (!item) throw new LocalChangedError(op.path);
    const problems = new Set(local.problems().map((p) => p.path));
    let outcome: SafeTrashOutcome;
    try {
      outcome = await safeTrash({
        localRoot,
        stateDir,
        path: item.path,
        expected: expectedEntries(item, local.tree().values()),
        leftOut: (path, isDirectory) => local.isIgnored(path, isDirectory) || problems.has(path),
      });
    } catch (err) {
      throw fsErrorToSyncError(err, op.path, 'moving to the trash');
    }
    if (!outcome.trashed) {
      await local.refresh(outcome.restoredAs === undefined ? [op.path] : [op.path, outcome.restoredAs]);
      throw new LocalChangedError(op.path);
    }
    const place = trashPlaceName(outcome.result);
    return outcome.result.location ? `moved to ${place}: ${outcome.result.location}` : `moved to ${place}`;
  }

  /** A folder goes to the trash only if nothing inside changed since the plan (an edit beats a delete). */
  private async assertSubtreeUnchanged(op: Extract<Op, { type: 'trashLocal' }>): Promise<void> {
    const { index, local } = this.deps;
    await local.refresh([op.path]);
    for (const [key, item] of local.tree()) {
      if (!isSameOrBelow(key, op.key)) continue;
      const synced = index.getSynced(key);
      if (!synced || synced.kind !== item.kind || (item.kind === 'file' && synced.contentHash !== item.contentHash)) throw new LocalChangedError(op.path);
    }
  }

  private async deleteRemote(op: Extract<Op, { type: 'deleteRemote' }>): Promise<void> {
    const { provider, index } = this.deps;
    await provider.delete(op.path, op.rev ? { parentRev: op.rev } : undefined);
    index.deleteSyncedSubtree(op.key);
    index.addActivity({ time: this.deps.now(), action: 'delete_remote', path: op.path });
  }

  private async moveRemote(op: Extract<Op, { type: 'moveRemote' }>): Promise<void> {
    const { provider, index, local } = this.deps;
    const remote = await provider.move(op.fromPath, op.toPath);
    index.moveSynced(op.fromKey, op.toKey, op.toPath);
    const moved = index.getSynced(op.toKey);
    index.putSynced(mergeBase(remote, local.get(op.toKey), moved));
    index.addActivity({ time: this.deps.now(), action: 'move_remote', path: op.toPath, detail: `from ${op.fromPath}` });
  }

  private async moveLocal(op: Extract<Op, { type: 'moveLocal' }>): Promise<void> {
    const { index, local } = this.deps;
    const from = this.abs(op.fromPath);
    const to = this.abs(op.toPath);
    try {
      await mkdir(nodePath.dirname(to), { recursive: true });
      await renameNoReplace(from, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOENT') throw new LocalChangedError(op.fromPath);
      throw fsErrorToSyncError(err, op.fromPath, 'moving');
    }
    await local.refresh([op.fromPath, op.toPath]);
    index.moveSynced(op.fromKey, op.toKey, op.toPath);
    index.putSynced(mergeBase(op.remote, local.get(op.toKey), index.getSynced(op.toKey)));
    index.addActivity({ time: this.deps.now(), action: 'move_local', path: op.toPath, detail: `from ${op.fromPath}` });
  }

  private async renameLocalConflict(op: Extract<Op, { type: 'renameLocalConflict' }>): Promise<void> {
    const { index, local } = this.deps;
    const from = this.abs(op.path);
    const to = this.abs(op.conflictPath);
    if (remoteParent(op.path) !== remoteParent(op.conflictPath)) {
      throw new SyncError({ path: op.path, title: 'Internal error', message: 'a conflicted copy must stay in its folder', retryable: false });
    }
    try {
      await renameNoReplace(from, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOENT') throw new LocalChangedError(op.path);
      throw fsErrorToSyncError(err, op.path, 'keeping a conflicted copy of');
    }
    await local.refresh([op.path, op.conflictPath]);
    index.addActivity({ time: this.deps.now(), action: 'conflict', path: op.path, detail: `local version kept as ${op.conflictPath}` });
  }
}

/**
 * The merge base once both sides hold `remote`: the planner's own merge when the local item is
 * known to match, else identity from the remote alone (the next pass then looks at the disk again).
 */
function mergeBase(remote: RemoteItem, local: LocalItem | undefined, previous?: SyncedItem): SyncedItem {
  const matches = local !== undefined && local.kind === remote.kind && (remote.kind === 'folder' || local.contentHash === remote.contentHash);
  if (matches) return mergeSynced(local, remote, previous);
  const base: SyncedItem = { key: remote.key, path: remote.path, kind: remote.kind, id: remote.id };
  if (remote.kind === 'file') Object.assign(base, { rev: remote.rev, contentHash: remote.contentHash, size: remote.size });
  return base;
}

/** The real path of `absPath`, or of its nearest ancestor that exists (mkdir -p would follow it). */
async function realpathOfNearestExisting(absPath: string): Promise<string> {
  for (let p = absPath; ; p = nodePath.dirname(p)) {
    try {
      return await realpath(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || nodePath.dirname(p) === p) throw err;
    }
  }
}
