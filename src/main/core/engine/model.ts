// The engine's vocabulary: the three trees (local, remote, synced) and the operations the
// planner derives from them. Pure data, shared by the planner, the index, the provider and the engine.

/**
 * Key of an item: the Dropbox `path_lower` of its path relative to the synced folder,
 * e.g. '/photos/a.jpg'. The synced folder itself is '' and never appears in a tree.
 */
export type PathKey = string;

export type ItemKind = 'file' | 'folder';

/** What is on disk now. `path` is relative to the local root, '/' separated, as spelled on disk. */
export interface LocalItem {
  key: PathKey;
  path: string;
  kind: ItemKind;
  size: number;
  mtimeMs: number;
  inode: number;
  /** Dropbox content_hash; present for every file handed to the planner. */
  contentHash?: string;
}

/** What the provider says is there now. `path` is relative to the synced folder (path_display). */
export interface RemoteItem {
  key: PathKey;
  path: string;
  kind: ItemKind;
  id: string;
  rev?: string;
  size?: number;
  contentHash?: string;
  /** ISO time the file was last modified by a client, used as the local mtime on download. */
  clientModified?: string;
}

/** Which side deliberately kept a deletion unsynced (deletion policy `keep`). */
export type KeptDeletion = 'local' | 'remote';

/** The last state both sides agreed on: the merge base. */
export interface SyncedItem {
  key: PathKey;
  path: string;
  kind: ItemKind;
  id?: string;
  rev?: string;
  contentHash?: string;
  size?: number;
  /** Local observation when the item was last synced: finds renames (inode) and skips rehashing. */
  inode?: number;
  mtimeMs?: number;
  /** Set when, under the `keep` policy, this side deleted the item and the deletion was not propagated. */
  keptDeletion?: KeptDeletion;
}

export type Tree<T> = Map<PathKey, T>;

export type DeletionPolicy = 'propagate' | 'keep';

export interface PlanInput {
  local: Tree<LocalItem>;
  remote: Tree<RemoteItem>;
  synced: Tree<SyncedItem>;
  deletionPolicy: DeletionPolicy;
  /** Name of this device, used in conflicted-copy names. */
  host: string;
  /** Local date YYYY-MM-DD, used in conflicted-copy names. */
  today: string;
  /**
   * Excluded subtrees (selective sync) that still hold something on a side, though the trees
   * above leave them out. Their ancestors count as holding changes there, so a folder above one
   * is never removed as a whole on either side: what the user cannot see is never deleted with it.
   */
  excludedPresent?: { local: Iterable<PathKey>; remote: Iterable<PathKey> };
}

/** One step that is safe to run now. Paths are relative display paths; keys are path_lower. */
export type Op =
  /** Upload a local file. `parentRev` set: WriteMode.update(rev); absent: WriteMode.add. */
  | { type: 'upload'; key: PathKey; path: string; contentHash: string; parentRev?: string }
  /** Write the remote file locally (temp file, verify, atomic rename). */
  | { type: 'download'; key: PathKey; path: string; remote: RemoteItem }
  | { type: 'createLocalFolder'; key: PathKey; path: string; remote: RemoteItem }
  | { type: 'createRemoteFolder'; key: PathKey; path: string }
  /** Move a local item (file or whole folder) to the OS trash. */
  | { type: 'trashLocal'; key: PathKey; path: string; kind: ItemKind }
  /** Delete a remote item (a folder with its whole subtree). `rev` guards files against a concurrent edit. */
  | { type: 'deleteRemote'; key: PathKey; path: string; kind: ItemKind; rev?: string }
  /** A local rename/move detected by inode: mirror it remotely with move_v2. */
  | { type: 'moveRemote'; fromKey: PathKey; fromPath: string; toKey: PathKey; toPath: string; kind: ItemKind }
  /** A remote rename/move detected by id: mirror it locally with a rename. */
  | { type: 'moveLocal'; fromKey: PathKey; fromPath: string; toKey: PathKey; toPath: string; remote: RemoteItem }
  /** Both sides changed: rename the local item to `conflictPath`; later passes upload it and download the remote. */
  | { type: 'renameLocalConflict'; key: PathKey; path: string; conflictPath: string }
  /** Both sides already agree (same content / both folders): just record the merge base. */
  | { type: 'record'; item: SyncedItem }
  /** Gone on both sides (or a kept deletion resolved): drop the merge base. */
  | { type: 'forget'; key: PathKey; subtree: boolean };

/** The key an op is about: the source of a move, the item of a record. */
export function keyOfOp(op: Op): PathKey {
  switch (op.type) {
    case 'moveLocal':
    case 'moveRemote':
      return op.fromKey;
    case 'record':
      return op.item.key;
    default:
      return op.key;
  }
}

/** Every key an op touches (both ends of a move). */
export function keysOfOp(op: Op): PathKey[] {
  return op.type === 'moveLocal' || op.type === 'moveRemote' ? [op.fromKey, op.toKey] : [keyOfOp(op)];
}

/** The path to show people for an op. */
export function pathOfOp(op: Op): string {
  switch (op.type) {
    case 'moveLocal':
    case 'moveRemote':
      return op.fromPath;
    case 'record':
      return op.item.path;
    case 'forget':
      return op.key;
    default:
      return op.path;
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
