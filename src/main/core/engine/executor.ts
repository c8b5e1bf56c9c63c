// Carries out one planner op against the disk and the provider, then records its outcome in the
// index (merge base, activity). Every op first checks that the side it writes to still looks the
// way the planner saw it; if not it stops with LocalChangedError and the next pass re-plans.
// The disk is addressed only through an op's localPath, the provider only through its remotePath.
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
import { isSameOrBelow, remoteBasename, remoteParent, resolveInsideRoot } from '../paths.js';
import { fsErrorToSyncError, isAbortError, isTwinfoldError, RemoteConflictError, RemoteNotFoundError, SyncError } from '../errors.js';
import { trashPlaceName } from '../local/trash.js';
import { expectedEntries, safeTrash, type SafeTrashOutcome } from '../local/safeTrash.js';
import { flushDownloadedFile, placeDownloadedFile, renameNoReplace, TargetExistsError, tempPathFor } from '../local/atomicWrite.js';
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
  /** Told what each write the server acknowledged left there, before the change feed shows it. */
  remoteCommitted?: RemoteCommitLog;
}

export interface RemoteCommitLog {
  recordCommitted(item: RemoteItem): void;
  recordMoved(fromKey: string, fromPath: string, moved: RemoteItem): void;
  recordDeleted(key: string): void;
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
      case 'caseRenameRemote':
        return this.caseRenameRemote(op);
      case 'caseRenameLocal':
        return this.caseRenameLocal(op);
      case 'renameLocalConflict':
        return this.renameLocalConflict(op);
      case 'renameLocalCaseConflict':
        return this.renameLocalCaseConflict(op);
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

  private abs(localPath: string): string {
    return resolveInsideRoot(this.deps.localRoot, localPath);
  }

  /**
   * The plan replaces or trashes a local file only when it is the merge base's version; the local
   * tree may have been refreshed since planning (by an earlier op of the pass), so a file that is
   * not that version now holds an edit the plan never saw.
   */
  private assertMergeBase(item: LocalItem, localPath: string): void {
    const synced = this.deps.index.getSynced(item.key);
    if (item.kind !== 'file' || synced?.kind !== 'file' || synced.contentHash !== item.contentHash) throw new LocalChangedError(localPath);
  }

  /** The local item at `key`, if it is still the one the plan saw at `localPath`. */
  private plannedLocal(key: string, localPath: string): LocalItem | undefined {
    const item = this.deps.local.get(key);
    if (item && item.path !== localPath) throw new LocalChangedError(localPath);
    return item;
  }

  private async upload(op: Extract<Op, { type: 'upload' }>, signal: AbortSignal): Promise<void> {
    const { provider, index, local } = this.deps;
    const planned = this.plannedLocal(op.key, op.localPath);
    if (!planned || planned.kind !== 'file') throw new LocalChangedError(op.localPath);
    // Gone or no longer a file since the plan: look again rather than report a failed upload.
    // (A change of content is fine: the provider reads, hashes and sends whatever is there.)
    const onDisk = await lstat(this.abs(op.localPath)).catch(() => undefined);
    if (!onDisk?.isFile()) throw new LocalChangedError(op.localPath);
    const progress = (bytes: number, total: number) => this.deps.onProgress({ path: op.remotePath, direction: 'up', bytes, total }, false);
    let remote: RemoteItem;
    try {
      remote = await provider.upload(this.abs(op.localPath), op.remotePath, { parentRev: op.parentRev, onProgress: progress, signal });
    } catch (err) {
      // The rev we based the upload on is gone (a concurrent edit): re-plan, which keeps both.
      if (err instanceof RemoteConflictError) throw new RemoteChangedError(op.remotePath, op.key);
      throw err;
    } finally {
      this.deps.onProgress({ path: op.remotePath, direction: 'up', bytes: planned.size, total: planned.size }, true);
    }
    // The provider hashed exactly the bytes it sent; if that is what the planner saw, the local
    // observation (inode, mtime) belongs to this version. Otherwise look at the file again now,
    // so the next pass does not plan from the old observation.
    this.deps.remoteCommitted?.recordCommitted(remote);
    if (remote.contentHash !== planned.contentHash) await local.refresh([op.localPath]);
    index.putSynced(mergeBase(remote, local.get(op.key)));
    index.addActivity({ time: this.deps.now(), action: 'upload', path: remote.path, size: remote.size });
  }

  private async download(op: Extract<Op, { type: 'download' }>, signal: AbortSignal): Promise<void> {
    const { provider, index, local, stateDir } = this.deps;
    const finalPath = this.abs(op.localPath);
    const planned = this.plannedLocal(op.key, op.localPath);
    if (planned) this.assertMergeBase(planned, op.localPath);
    const temp = await tempPathFor(stateDir);
    const progress = (bytes: number, total: number) => this.deps.onProgress({ path: op.remotePath, direction: 'down', bytes, total }, false);
    let remote: RemoteItem;
    try {
      remote = await provider.download(op.remotePath, temp, { expectedHash: op.remote.contentHash, onProgress: progress, signal });
      const mtime = remote.clientModified ? new Date(remote.clientModified) : new Date(this.deps.now());
      // Flush first: the check below and the rename must follow each other as closely as possible,
      // or a save made during a long fsync would be replaced.
      await flushDownloadedFile(temp, mtime);
      const placed = await lstat(temp);
      await this.assertWritableInsideRoot(nodePath.dirname(finalPath), op.localPath);
      await this.assertLocalUnchanged(finalPath, op.localPath, planned);
      // Wall clock, as file times are: the engine's clock may be a test's fake.
      const placedAtMs = Date.now();
      if (planned) await placeDownloadedFile(temp, finalPath);
      else await this.placeNew(temp, finalPath, op.localPath);
      if (remote.contentHash) await rememberPlacedFile(index.asHashCache(), placed, finalPath, remote.contentHash, placedAtMs);
    } catch (err) {
      await rm(temp, { force: true });
      if (err instanceof LocalChangedError || isTwinfoldError(err) || isAbortError(err)) throw err;
      throw fsErrorToSyncError(err, op.localPath, 'saving');
    } finally {
      this.deps.onProgress({ path: op.remotePath, direction: 'down', bytes: op.remote.size ?? 0, total: op.remote.size ?? 0 }, true);
    }
    await local.refresh([op.localPath]);
    index.putSynced(mergeBase(remote, local.get(op.key)));
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
    const abs = this.abs(op.localPath);
    await this.assertWritableInsideRoot(nodePath.dirname(abs), op.localPath);
    try {
      await mkdir(abs, { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LocalChangedError(op.localPath);
      throw fsErrorToSyncError(err, op.localPath, 'creating the folder');
    }
    await local.refresh([op.localPath]);
    index.putSynced(mergeBase(op.remote, local.get(op.key)));
    index.addActivity({ time: this.deps.now(), action: 'mkdir_local', path: op.localPath });
  }

  private async createRemoteFolder(op: Extract<Op, { type: 'createRemoteFolder' }>): Promise<void> {
    const { provider, index, local } = this.deps;
    let remote: RemoteItem;
    try {
      remote = await provider.createFolder(op.remotePath);
    } catch (err) {
      // Someone else created it meanwhile: the next listing shows it and the planner links it.
      if (err instanceof RemoteConflictError) throw new RemoteChangedError(op.remotePath, op.key);
      throw err;
    }
    this.deps.remoteCommitted?.recordCommitted(remote);
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
    if (planned.kind === 'file') {
      this.assertMergeBase(planned, op.localPath);
      await this.assertLocalUnchanged(this.abs(op.localPath), op.localPath, planned);
    } else await this.assertSubtreeUnchanged(op);
    const where = await this.trashExactly(op);
    await local.refresh([op.localPath]);
    index.deleteSyncedSubtree(op.key);
    index.addActivity({ time: this.deps.now(), action: 'delete_local', path: op.localPath, detail: where });
  }

  /**
   * Trashes the item only if it is still exactly what was just checked, down to every entry of a
   * folder (see safeTrash); otherwise it stays (or is put back) and the op is re-planned.
   * Returns the activity detail saying where it went.
   */
  private async trashExactly(op: Extract<Op, { type: 'trashLocal' }>): Promise<string> {
    const { local, localRoot, stateDir } = this.deps;
    const item = local.get(op.key);
    if (!item) throw new LocalChangedError(op.localPath);
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
      throw fsErrorToSyncError(err, op.localPath, 'moving to the trash');
    }
    if (!outcome.trashed) {
      await local.refresh(outcome.restoredAs === undefined ? [op.localPath] : [op.localPath, outcome.restoredAs]);
      throw new LocalChangedError(op.localPath);
    }
    const place = trashPlaceName(outcome.result);
    return outcome.result.location ? `moved to ${place}: ${outcome.result.location}` : `moved to ${place}`;
  }

  /** A folder goes to the trash only if nothing inside changed since the plan (an edit beats a delete). */
  private async assertSubtreeUnchanged(op: Extract<Op, { type: 'trashLocal' }>): Promise<void> {
    const { index, local } = this.deps;
    await local.refresh([op.localPath]);
    for (const [key, item] of local.tree()) {
      if (!isSameOrBelow(key, op.key)) continue;
      const synced = index.getSynced(key);
      if (!synced || synced.kind !== item.kind || (item.kind === 'file' && synced.contentHash !== item.contentHash)) throw new LocalChangedError(op.localPath);
    }
  }

  private async deleteRemote(op: Extract<Op, { type: 'deleteRemote' }>): Promise<void> {
    const { provider, index } = this.deps;
    await asPlannedOnDropbox(op.remotePath, op.key, () => provider.delete(op.remotePath, op.rev ? { parentRev: op.rev } : undefined));
    this.deps.remoteCommitted?.recordDeleted(op.key);
    index.deleteSyncedSubtree(op.key);
    index.addActivity({ time: this.deps.now(), action: 'delete_remote', path: op.remotePath });
  }

  private async moveRemote(op: Extract<Op, { type: 'moveRemote' }>): Promise<void> {
    const { provider, index, local } = this.deps;
    const remote = await asPlannedOnDropbox(op.fromRemotePath, op.fromKey, () => provider.move(op.fromRemotePath, op.toRemotePath));
    this.deps.remoteCommitted?.recordMoved(op.fromKey, op.fromRemotePath, remote);
    const before = index.getSynced(op.fromKey);
    index.moveSynced(op.fromKey, op.toKey, remote.path);
    index.putSynced(movedBase(remote, local.get(op.toKey), before));
    index.addActivity({ time: this.deps.now(), action: 'move_remote', path: remote.path, detail: `from ${op.fromRemotePath}` });
  }

  private async moveLocal(op: Extract<Op, { type: 'moveLocal' }>): Promise<void> {
    const { index, local } = this.deps;
    this.plannedLocal(op.fromKey, op.fromLocalPath);
    await this.assertWritableInsideRoot(nodePath.dirname(this.abs(op.toLocalPath)), op.toLocalPath);
    try {
      await mkdir(nodePath.dirname(this.abs(op.toLocalPath)), { recursive: true });
      await renameNoReplace(this.abs(op.fromLocalPath), this.abs(op.toLocalPath));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOENT') throw new LocalChangedError(op.fromLocalPath);
      throw fsErrorToSyncError(err, op.fromLocalPath, 'moving');
    }
    await local.refresh([op.fromLocalPath, op.toLocalPath]);
    index.moveSynced(op.fromKey, op.toKey, op.remote.path);
    index.putSynced(mergeBase(op.remote, local.get(op.toKey)));
    index.addActivity({ time: this.deps.now(), action: 'move_local', path: op.toLocalPath, detail: `from ${op.fromLocalPath}` });
  }

  /** The provider respells the item (a case-only move); the merge base keeps its content. */
  private async caseRenameRemote(op: Extract<Op, { type: 'caseRenameRemote' }>): Promise<void> {
    const remote = await asPlannedOnDropbox(op.fromRemotePath, op.key, () => this.deps.provider.move(op.fromRemotePath, op.toRemotePath));
    this.deps.remoteCommitted?.recordMoved(op.key, op.fromRemotePath, remote);
    this.recordSpelling(op.key, remote.path);
    this.deps.index.addActivity({ time: this.deps.now(), action: 'move_remote', path: remote.path, detail: `from ${op.fromRemotePath}` });
  }

  private async caseRenameLocal(op: Extract<Op, { type: 'caseRenameLocal' }>): Promise<void> {
    const { local } = this.deps;
    const planned = this.plannedLocal(op.key, op.fromLocalPath);
    if (planned?.kind !== op.kind) throw new LocalChangedError(op.fromLocalPath);
    await this.renameLocal(op.fromLocalPath, op.toLocalPath, 'renaming');
    await local.refresh([op.toLocalPath]);
    this.recordSpelling(op.key, op.remotePath);
    this.deps.index.addActivity({ time: this.deps.now(), action: 'move_local', path: op.toLocalPath, detail: `from ${op.fromLocalPath}` });
  }

  /**
   * After a case-only rename: the merge base takes both sides' current spelling (the children's
   * too) and keeps its content, so an edit made beside the rename is still seen as one.
   */
  private recordSpelling(key: string, remotePath: string): void {
    const { index, local } = this.deps;
    index.moveSynced(key, key, remotePath);
    const synced = index.getSynced(key);
    const item = local.get(key);
    const localName = item ? remoteBasename(item.path) : undefined;
    if (!synced) return;
    const { localName: _previous, ...base } = synced;
    index.putSynced(localName === undefined || localName === remoteBasename(remotePath) ? base : { ...base, localName });
  }

  /** Renames within the local root, never over an existing item; a vanished source or a taken target is re-planned. */
  private async renameLocal(fromLocalPath: string, toLocalPath: string, what: string): Promise<void> {
    await this.assertWritableInsideRoot(nodePath.dirname(this.abs(toLocalPath)), toLocalPath);
    try {
      await renameNoReplace(this.abs(fromLocalPath), this.abs(toLocalPath));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOENT' || err instanceof TargetExistsError) throw new LocalChangedError(fromLocalPath);
      throw fsErrorToSyncError(err, fromLocalPath, what);
    }
  }

  private async renameLocalConflict(op: Extract<Op, { type: 'renameLocalConflict' }>): Promise<void> {
    const { index, local } = this.deps;
    if (remoteParent(op.localPath) !== remoteParent(op.conflictLocalPath)) {
      throw new SyncError({ path: op.localPath, title: 'Internal error', message: 'a conflicted copy must stay in its folder', retryable: false });
    }
    if (!this.plannedLocal(op.key, op.localPath)) throw new LocalChangedError(op.localPath);
    await this.renameLocal(op.localPath, op.conflictLocalPath, 'keeping a conflicted copy of');
    await local.refresh([op.localPath, op.conflictLocalPath]);
    index.addActivity({ time: this.deps.now(), action: 'conflict', path: op.localPath, detail: `local version kept as ${op.conflictLocalPath}` });
  }

  /**
   * A second local name for a key (`A.txt` beside `a.txt`) gets a name of its own, so neither
   * overwrites the other on Dropbox; only while it is still exactly the item the plan saw.
   */
  private async renameLocalCaseConflict(op: Extract<Op, { type: 'renameLocalCaseConflict' }>): Promise<void> {
    const { index, local } = this.deps;
    if (remoteParent(op.localPath) !== remoteParent(op.toLocalPath)) {
      throw new SyncError({ path: op.localPath, title: 'Internal error', message: 'a renamed case conflict must stay in its folder', retryable: false });
    }
    const kept = local.get(op.key);
    const stats = await lstat(this.abs(op.localPath)).catch(() => undefined);
    const kind = stats?.isDirectory() ? 'folder' : stats?.isFile() ? 'file' : undefined;
    if (!kept || kept.path === op.localPath || kind !== op.kind) throw new LocalChangedError(op.localPath);
    await this.renameLocal(op.localPath, op.toLocalPath, 'renaming');
    await local.refresh([op.localPath, op.toLocalPath]);
    index.addActivity({ time: this.deps.now(), action: 'conflict', path: op.localPath, detail: `renamed to ${op.toLocalPath}: another item has the same name apart from case` });
  }
}

/**
 * The merge base once both sides hold `remote`: the planner's own merge when the local item is
 * known to match, else identity from the remote alone (the next pass then looks at the disk again).
 */
function mergeBase(remote: RemoteItem, local: LocalItem | undefined): SyncedItem {
  const matches = local !== undefined && local.kind === remote.kind && (remote.kind === 'folder' || local.contentHash === remote.contentHash);
  if (matches) return mergeSynced(local, remote);
  const base: SyncedItem = { key: remote.key, path: remote.path, kind: remote.kind, id: remote.id };
  if (remote.kind === 'file') Object.assign(base, { rev: remote.rev, contentHash: remote.contentHash, size: remote.size });
  return base;
}

/**
 * Runs a write on Dropbox that the plan based on what it listed: Dropbox answering that the item
 * is gone, or that the rev or the target name changed, means Dropbox changed meanwhile. That is
 * not a failure to show: the remote tree is read again and the op re-planned.
 */
async function asPlannedOnDropbox<T>(remotePath: string, key: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof RemoteConflictError || err instanceof RemoteNotFoundError) throw new RemoteChangedError(remotePath, key);
    throw err;
  }
}

/**
 * The merge base after a remote move. The move carries whatever Dropbox holds at that moment,
 * which may be an edit the plan had not seen yet: then the base keeps the content both sides last
 * agreed on (under the new name and id), so the next pass sees that edit as a remote change
 * (a download, or a conflict if the local copy changed too) instead of overwriting it.
 */
function movedBase(remote: RemoteItem, local: LocalItem | undefined, before: SyncedItem | undefined): SyncedItem {
  if (remote.kind === 'folder' || !before || before.kind !== 'file' || before.contentHash === remote.contentHash) return mergeBase(remote, local);
  const { localName: _spelledBefore, ...content } = before;
  return { ...content, key: remote.key, path: remote.path, id: remote.id };
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
