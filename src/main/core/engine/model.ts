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

/**
 * What the server is known to hold at a key and the change feed has not shown yet: a write we
 * committed (present with this rev/id, or gone), or the server's own answer to a feed that
 * contradicted one. `movedWith`: not acknowledged itself but carried along by the move of that
 * folder (a guess from the mirror).
 */
export type RemoteExpectation = { expect: 'present'; item: RemoteItem; movedWith?: PathKey } | { expect: 'absent' };

/** Which side deliberately kept a deletion unsynced (deletion policy `keep`). */
export type KeptDeletion = 'local' | 'remote';

/**
 * The last state both sides agreed on: the merge base. `path` is Dropbox's spelling (path_display);
 * `localName` is the name on disk when it is spelled differently (case or Unicode form), so a
 * case-only rename on either side can be told apart from a difference both sides started with.
 */
export interface SyncedItem {
  key: PathKey;
  path: string;
  localName?: string;
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

/** A local item whose name Dropbox sees as another's (case or Unicode form) in the same folder. */
export interface CaseConflict {
  /** As spelled on disk; its key is taken by the item the scanner kept. */
  path: string;
  kind: ItemKind;
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
  /** Local items left out of `local` because their key is taken (LocalTree.caseConflicts()). */
  caseConflicts?: readonly CaseConflict[];
}

/**
 * One step that is safe to run now. Keys are path_lower. Each side is addressed only by its own
 * spelling: `localPath` as on disk (relative to the local root), `remotePath` as on Dropbox
 * (relative to the synced folder). The two may differ in case or Unicode form.
 */
export type Op =
  /** Upload a local file. `parentRev` set: WriteMode.update(rev); absent: WriteMode.add. */
  | { type: 'upload'; key: PathKey; localPath: string; remotePath: string; contentHash: string; parentRev?: string }
  /** Write the remote file locally (temp file, verify, atomic rename). */
  | { type: 'download'; key: PathKey; localPath: string; remotePath: string; remote: RemoteItem }
  | { type: 'createLocalFolder'; key: PathKey; localPath: string; remote: RemoteItem }
  | { type: 'createRemoteFolder'; key: PathKey; remotePath: string }
  /** Move a local item (file or whole folder) to the OS trash. */
  | { type: 'trashLocal'; key: PathKey; localPath: string; kind: ItemKind }
  /** Delete a remote item (a folder with its whole subtree). `rev` guards files against a concurrent edit. */
  | { type: 'deleteRemote'; key: PathKey; remotePath: string; kind: ItemKind; rev?: string }
  /** A local rename/move detected by inode: mirror it remotely with move_v2. */
  | { type: 'moveRemote'; fromKey: PathKey; fromRemotePath: string; toKey: PathKey; toRemotePath: string; kind: ItemKind }
  /** A remote rename/move detected by id: mirror it locally with a rename. */
  | { type: 'moveLocal'; fromKey: PathKey; fromLocalPath: string; toKey: PathKey; toLocalPath: string; remote: RemoteItem }
  /** The local name changed only in case: respell the remote item (same key). */
  | { type: 'caseRenameRemote'; key: PathKey; kind: ItemKind; fromRemotePath: string; toRemotePath: string }
  /** The remote name changed only in case: respell the local item (same key). `remotePath` is recorded. */
  | { type: 'caseRenameLocal'; key: PathKey; kind: ItemKind; fromLocalPath: string; toLocalPath: string; remotePath: string }
  /** Both sides changed: rename the local item to `conflictLocalPath`; later passes upload it and download the remote. */
  | { type: 'renameLocalConflict'; key: PathKey; localPath: string; conflictLocalPath: string }
  /**
   * A second local name for one key (`a.txt` beside `A.txt`): rename it to `toLocalPath` (key
   * `toKey`) so both are kept. `key` is the shared key, held by the item the scanner kept.
   */
  | { type: 'renameLocalCaseConflict'; key: PathKey; kind: ItemKind; localPath: string; toKey: PathKey; toLocalPath: string }
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

/** Every key an op touches (both ends of a move or a case-conflict rename). */
export function keysOfOp(op: Op): PathKey[] {
  if (op.type === 'moveLocal' || op.type === 'moveRemote') return [op.fromKey, op.toKey];
  if (op.type === 'renameLocalCaseConflict') return [op.key, op.toKey];
  return [keyOfOp(op)];
}

/** The path to show people for an op: Dropbox's spelling where there is one, else the disk's. */
export function pathOfOp(op: Op): string {
  switch (op.type) {
    case 'upload':
    case 'download':
    case 'createRemoteFolder':
    case 'deleteRemote':
      return op.remotePath;
    case 'createLocalFolder':
    case 'trashLocal':
    case 'renameLocalConflict':
    case 'renameLocalCaseConflict':
      return op.localPath;
    case 'moveRemote':
    case 'caseRenameRemote':
      return op.fromRemotePath;
    case 'moveLocal':
    case 'caseRenameLocal':
      return op.fromLocalPath;
    case 'record':
      return op.item.path;
    case 'forget':
      return op.key;
    default:
      return assertNever(op);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
