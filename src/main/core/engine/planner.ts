// The planner: a pure function from the three trees (local, remote, synced) to the operations that
// are safe to run now, in a safe order. The engine runs them in order, updates the trees (dropping
// the synced subtree after a deletion, re-keying it after a move) and calls plan() again until it
// returns []. An op whose preconditions depend on another op waits for a later pass.
//
// Rules, per key (files equal by content hash, folders always equal):
//  1. Both sides equal: record the merge base when it is missing or stale.
//  2/3. One side changed: mirror it (upload / download / create folder / delete). Uploads over an
//     existing remote file name the remote's current rev (update mode). Under `keep` a deletion is
//     recorded as kept instead; the mark is honoured under either policy until something changes.
//  4. Both changed and differ: the local item steps aside as a conflicted copy. An edit beats a
//     delete; both deleted: forget. A kind change on one side replaces the old item when that is
//     safe and the policy propagates deletions, and is treated as a conflict otherwise.
//  5. A folder deleted on one side goes on the other (one op) only when nothing below it changed
//     there; otherwise it is recreated and only its unchanged parts are deleted.
//  6. Moves (same id remotely, same inode locally, unchanged content) are mirrored as moves.
//  7. Order: moves and conflict renames, folder creations (parents first), transfers, deletions
//     (deepest first), then bookkeeping; by key within a group.
//  8. No two ops touch one key or overlapping subtrees; anything inside a subtree another op (or a
//     waiting move) owns is left for a later pass.
//  9. Spelling: each side is addressed by its own spelling (ops carry localPath and remotePath). A
//     name respelled in case on one side only (vs the merge base's spelling of that side) is
//     respelled on the other; a difference in Unicode form alone is no rename. The remote tree
//     learns a respelling when the item's own entry comes again (our provider respells through a
//     temporary name, so its feed shows one); a respelling made elsewhere in place, which Dropbox's
//     list_folder/continue never reports, is seen only at the next full listing (cursor reset).
// 10. Excluded subtrees (selective sync) are absent from the trees; where one still holds something
//     on a side, its ancestors count as changed there (rule 5 then keeps them).
import { compareKeys, isSameOrBelow, joinRemote, keyDepth, pathLower, remoteBasename, remoteParent } from '../paths.js';
import { conflictedCopyPath } from './conflictNames.js';
import { caseConflictPath } from './caseConflictName.js';
import { assertNever, keyOfOp } from './model.js';
import type { CaseConflict, ItemKind, LocalItem, Op, PathKey, PlanInput, RemoteItem, SyncedItem, Tree } from './model.js';

type Side = 'local' | 'remote';

/** What the planner compares on any item of any tree. */
interface Content {
  kind: ItemKind;
  contentHash?: string;
}

const otherSide = (side: Side): Side => (side === 'local' ? 'remote' : 'local');

/** Two files are equal when their content hashes match; two folders are always equal. */
function sameContent(a: Content, b: Content): boolean {
  return a.kind === b.kind && (a.kind === 'folder' || a.contentHash === b.contentHash);
}

/**
 * Whether one side differs from the merge base. A rev change with the same content hash is no
 * change, and an absence this side deliberately kept (policy `keep`) is no change either.
 */
function changedSince(item: Content | undefined, synced: SyncedItem | undefined, side: Side): boolean {
  if (!synced) return item !== undefined;
  if (!item) return synced.keptDeletion !== side;
  return !sameContent(item, synced);
}

/** Ancestors of a key, nearest first, without the root ''. */
function* ancestorsOf(key: PathKey): Generator<PathKey> {
  for (let k = remoteParent(key); k !== ''; k = remoteParent(k)) yield k;
}

/** Copies only the defined fields (a plain loop: this runs for every agreed item of a 100k tree). */
function withoutUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

/** The on-disk name of a merge base (its Dropbox name unless recorded otherwise). */
export function syncedLocalName(synced: SyncedItem): string {
  return synced.localName ?? remoteBasename(synced.path);
}

/**
 * The merge base for a local and a remote item that agree: identity and rev from the remote,
 * the local observation (inode, mtime, size) that lets the scanner skip rehashing and find renames,
 * and each side's spelling of the name. The engine records with this after transfers too.
 */
export function mergeSynced(local: LocalItem, remote: RemoteItem): SyncedItem {
  const localName = remoteBasename(local.path);
  const spelling = { key: remote.key, path: remote.path, localName: localName === remoteBasename(remote.path) ? undefined : localName };
  if (remote.kind === 'folder') {
    return withoutUndefined({ ...spelling, kind: 'folder' as const, id: remote.id, inode: local.inode });
  }
  return withoutUndefined({
    ...spelling,
    kind: 'file' as const,
    id: remote.id,
    rev: remote.rev,
    contentHash: remote.contentHash,
    size: local.size,
    inode: local.inode,
    mtimeMs: local.mtimeMs,
  });
}

const SYNCED_FIELDS = ['key', 'path', 'localName', 'kind', 'id', 'rev', 'contentHash', 'size', 'inode', 'mtimeMs', 'keptDeletion'] as const;

function sameSynced(a: SyncedItem, b: SyncedItem): boolean {
  return SYNCED_FIELDS.every((field) => a[field] === b[field]);
}

/** Keys that have at least one item strictly below them in `tree` (optionally: one matching `test`). */
function ancestorsOfItems<T extends { key: PathKey }>(tree: Tree<T>, test: (item: T) => boolean = () => true): Set<PathKey> {
  const out = new Set<PathKey>();
  for (const item of tree.values()) {
    if (!test(item)) continue;
    for (const a of ancestorsOf(item.key)) {
      if (out.has(a)) break; // its ancestors are in already
      out.add(a);
    }
  }
  return out;
}

/**
 * The keys and subtrees this pass already touches (rule 8), plus subtrees reserved by ops that must
 * wait: nothing else may act inside them until a later pass.
 */
class Locks {
  private readonly keys = new Set<PathKey>();
  private readonly subtrees = new Set<PathKey>();
  /** Number of locks at or below each key, so a subtree lock is checked without a scan. */
  private readonly atOrBelow = new Map<PathKey, number>();

  /** True when `key` lies in (or is the root of) a locked subtree. */
  covers(key: PathKey): boolean {
    if (this.subtrees.has(key)) return true;
    for (const a of ancestorsOf(key)) if (this.subtrees.has(a)) return true;
    return false;
  }

  isFree(key: PathKey, subtree: boolean): boolean {
    if (this.covers(key)) return false;
    return subtree ? (this.atOrBelow.get(key) ?? 0) === 0 : !this.keys.has(key);
  }

  lock(key: PathKey, subtree: boolean): void {
    (subtree ? this.subtrees : this.keys).add(key);
    for (const k of [key, ...ancestorsOf(key)]) this.atOrBelow.set(k, (this.atOrBelow.get(k) ?? 0) + 1);
  }

  /**
   * Keeps everything at and below `key` untouched without blocking ops on its ancestors: the
   * target of a waiting move may need exactly such an op (a conflict rename or a replaced file
   * in its way) before the move can run.
   */
  reserveBelow(key: PathKey): void {
    this.subtrees.add(key);
  }
}

type Move = Extract<Op, { type: 'moveLocal' | 'moveRemote' }>;

/** Names compare in NFC: a name in another Unicode form is the same name, not a rename. */
function sameName(a: string, b: string): boolean {
  return a === b || a.normalize('NFC') === b.normalize('NFC');
}

function isCreationOn(op: Op, side: Side): boolean {
  return op.type === (side === 'local' ? 'createLocalFolder' : 'createRemoteFolder');
}

/** One planning pass over immutable input. */
class Pass {
  private readonly local: Tree<LocalItem>;
  private readonly remote: Tree<RemoteItem>;
  private readonly synced: Tree<SyncedItem>;
  private readonly locks = new Locks();
  /** Ops that act on one key (everything but moves); a later decision may upgrade a `record`. */
  private readonly byKey = new Map<PathKey, Op>();
  private readonly moves: Move[] = [];
  private readonly caseConflictOps: Op[] = [];
  /** Moves waiting for their target's parent folder, which this pass should create. */
  private readonly waitingMoves: { side: Side; toKey: PathKey }[] = [];
  private readonly conflictKeys = new Set<PathKey>();
  /** Keys with something strictly below them, per side. */
  private readonly hasBelow: Record<Side, Set<PathKey>>;
  /** Keys with something changed (vs synced) strictly below them, per side. */
  private readonly changedBelow: Record<Side, Set<PathKey>>;

  constructor(
    private readonly input: PlanInput,
    private readonly detectMoves: boolean,
  ) {
    this.local = input.local;
    this.remote = input.remote;
    this.synced = input.synced;
    const differs = (item: Content & { key: PathKey }): boolean => {
      const synced = this.synced.get(item.key);
      return !synced || !sameContent(item, synced);
    };
    this.hasBelow = { local: ancestorsOfItems(this.local), remote: ancestorsOfItems(this.remote) };
    this.changedBelow = { local: ancestorsOfItems(this.local, differs), remote: ancestorsOfItems(this.remote, differs) };
    // Excluded subtrees and local case conflicts hold something the trees leave out.
    const unseen = {
      local: [...(input.excludedPresent?.local ?? []), ...(input.caseConflicts ?? []).map((c) => pathLower(c.path))],
      remote: input.excludedPresent?.remote ?? [],
    };
    for (const side of ['local', 'remote'] as const) {
      for (const key of unseen[side]) {
        for (const a of ancestorsOf(key)) {
          this.hasBelow[side].add(a);
          this.changedBelow[side].add(a);
        }
      }
    }
  }

  run(): Op[] {
    if (this.detectMoves) this.planMoves();
    for (const conflict of this.input.caseConflicts ?? []) this.planCaseConflict(conflict);
    const keys = new Set<PathKey>([...this.local.keys(), ...this.remote.keys(), ...this.synced.keys()]);
    // Sorted, a folder comes before everything below it: subtree decisions are made first.
    for (const key of [...keys].sort()) this.decide(key);
    for (const waiting of this.waitingMoves) this.ensureParents(waiting.side, waiting.toKey);
    return [...this.moves, ...this.caseConflictOps, ...this.byKey.values()].sort(compareOps);
  }

  private tree(side: Side): Tree<LocalItem> | Tree<RemoteItem> {
    return side === 'local' ? this.local : this.remote;
  }

  private set(op: Op, key: PathKey, subtree = false): void {
    if (!this.byKey.has(key)) this.locks.lock(key, subtree);
    this.byKey.set(key, op);
  }

  // ---- rule 6: moves, detected before anything else claims their keys ----

  private planMoves(): void {
    const candidates = [...this.remoteMoves(), ...this.localMoves()].map((move) => {
      const side: Side = move.type === 'moveLocal' ? 'local' : 'remote';
      const parent = remoteParent(move.toKey);
      return { move, side, ready: parent === '' || this.tree(side).get(parent)?.kind === 'folder' };
    });
    // Moves that can run now go first: a waiting one must not block the move it may be waiting for
    // (a remote move into a folder that was itself moved locally).
    candidates.sort((a, b) => Number(b.ready) - Number(a.ready) || compareKeys(a.move.fromKey, b.move.fromKey));
    for (const { move, side, ready } of candidates) {
      if (ready && this.locks.isFree(move.fromKey, true) && this.locks.isFree(move.toKey, true)) this.moves.push(move);
      else if (!ready) this.waitingMoves.push({ side, toKey: move.toKey });
      // Emitted or not, both ends stay untouched this pass: a waiting move must not turn into
      // an upload of its target plus a deletion of its source.
      this.locks.lock(move.fromKey, true);
      if (this.moves.at(-1) === move) this.locks.lock(move.toKey, true);
      else this.locks.reserveBelow(move.toKey);
    }
  }

  /** Remote move: the synced id now lives at a new remote key, and the local item is as synced. */
  private *remoteMoves(): Generator<Move> {
    const byId = new Map<string, RemoteItem>();
    for (const item of this.remote.values()) byId.set(item.id, item);
    for (const base of this.synced.values()) {
      if (base.id === undefined || this.remote.has(base.key)) continue;
      const target = byId.get(base.id);
      // A file moved and edited remotely is not treated as a move: recording op.remote after the
      // rename would pair the new content hash with the old local file. It arrives as a download
      // plus a deletion instead.
      if (!target || this.synced.has(target.key) || !sameContent(target, base) || isSameOrBelow(target.key, base.key)) continue;
      const source = this.local.get(base.key);
      if (!source || !sameContent(source, base)) continue;
      if (this.local.has(target.key) || this.hasBelow.local.has(target.key)) continue;
      yield {
        type: 'moveLocal',
        fromKey: base.key,
        fromLocalPath: source.path,
        toKey: target.key,
        toLocalPath: this.localPathFor(target.key, target.path),
        remote: target,
      };
    }
  }

  /** Local move: a new local key carries the inode (and content) of a synced item that vanished locally. */
  private *localMoves(): Generator<Move> {
    const syncedByInode = uniqueBy(this.synced, (item) => item.inode);
    const localByInode = uniqueBy(this.local, (item) => item.inode);
    for (const target of this.local.values()) {
      if (this.synced.has(target.key) || localByInode.get(target.inode) !== target) continue;
      const base = syncedByInode.get(target.inode);
      if (!base || !sameContent(target, base) || this.local.has(base.key) || isSameOrBelow(target.key, base.key)) continue;
      const source = this.remote.get(base.key);
      if (!source || !sameContent(source, base)) continue;
      if (this.remote.has(target.key) || this.hasBelow.remote.has(target.key)) continue;
      yield {
        type: 'moveRemote',
        fromKey: base.key,
        fromRemotePath: source.path,
        toKey: target.key,
        toRemotePath: this.remotePathFor(target.key, target.path),
        kind: target.kind,
      };
    }
  }

  /**
   * A second local name for a key another local item holds: it is renamed to a free name beside
   * it, so both are kept. Its folder counts as changed (see the constructor), so is never removed.
   */
  private planCaseConflict(conflict: CaseConflict): void {
    const key = pathLower(conflict.path);
    const taken = (candidate: string): boolean => {
      const k = pathLower(candidate);
      return this.local.has(k) || this.remote.has(k) || this.synced.has(k) || this.conflictKeys.has(k);
    };
    const toLocalPath = caseConflictPath(conflict.path, conflict.kind, taken);
    const toKey = pathLower(toLocalPath);
    if (this.locks.covers(key) || !this.locks.isFree(toKey, true)) return;
    this.conflictKeys.add(toKey);
    this.locks.lock(toKey, true);
    this.caseConflictOps.push({ type: 'renameLocalCaseConflict', key, kind: conflict.kind, localPath: conflict.path, toKey, toLocalPath });
  }

  // ---- rules 1-5 and 9: one decision per key, parents first ----

  private decide(key: PathKey): void {
    if (this.locks.covers(key)) return; // inside a subtree that an op (or a waiting op) owns this pass
    const l = this.local.get(key);
    // A file the scanner has not hashed yet cannot be compared: deciding now could call an
    // unchanged file a conflict. A later pass has the hash.
    if (l?.kind === 'file' && l.contentHash === undefined) return;
    const r = this.remote.get(key);
    const s = this.synced.get(key);
    if (!l && !r) {
      if (s) this.forget(key, s);
      return;
    }
    if (l && r && s && this.mirroredCaseRename(l, r, s)) return;
    if (l && r && sameContent(l, r)) {
      this.recordAgreement(l, r, s);
      return;
    }
    const localChanged = changedSince(l, s, 'local');
    const remoteChanged = changedSince(r, s, 'remote');
    if (!localChanged && !remoteChanged) return; // a kept deletion: the absence is deliberate
    if (l && r) {
      if (localChanged && remoteChanged) this.conflict(l);
      else if (localChanged) this.replaceRemote(l, r);
      else this.replaceLocal(r, l);
    } else if (l) {
      // Remote absent: new or edited locally (an edit beats a remote delete), or deleted remotely.
      if (localChanged) this.toRemote(l);
      else this.deletedOn('remote', key, l, s as SyncedItem);
    } else if (r) {
      if (remoteChanged) this.toLocal(r);
      else this.deletedOn('local', key, r, s as SyncedItem);
    }
  }

  /**
   * Rule 9: a name respelled on one side only is respelled on the other, before anything else
   * happens to it (its content, if it changed too, follows in a later pass).
   */
  private mirroredCaseRename(l: LocalItem, r: RemoteItem, s: SyncedItem): boolean {
    if (l.kind !== r.kind || l.kind !== s.kind) return false;
    const localName = remoteBasename(l.path);
    const remoteName = remoteBasename(r.path);
    if (sameName(localName, remoteName)) return false;
    const localRenamed = !sameName(localName, syncedLocalName(s));
    const remoteRenamed = !sameName(remoteName, remoteBasename(s.path));
    if (localRenamed === remoteRenamed) return false; // neither (an old difference) or both: nothing to mirror
    if (!this.locks.isFree(l.key, true)) {
      this.locks.lock(l.key, true);
      return true;
    }
    const op: Op = localRenamed
      ? { type: 'caseRenameRemote', key: l.key, kind: l.kind, fromRemotePath: r.path, toRemotePath: joinRemote(remoteParent(r.path), localName) }
      : { type: 'caseRenameLocal', key: l.key, kind: l.kind, fromLocalPath: l.path, toLocalPath: joinRemote(remoteParent(l.path), remoteName), remotePath: r.path };
    // The whole subtree: what lies below a folder is spelled through it.
    this.set(op, l.key, true);
    return true;
  }

  /** Rule 1: both sides agree; refresh the merge base when it is missing or stale. */
  private recordAgreement(l: LocalItem, r: RemoteItem, s: SyncedItem | undefined): void {
    const merged = mergeSynced(l, r);
    if (!s || !sameSynced(s, merged)) this.set({ type: 'record', item: merged }, l.key);
  }

  /** Rule 9: gone on both sides. */
  private forget(key: PathKey, s: SyncedItem): void {
    const subtree = s.kind === 'folder' && !this.hasBelow.local.has(key) && !this.hasBelow.remote.has(key);
    if (this.locks.isFree(key, subtree)) this.set({ type: 'forget', key, subtree }, key, subtree);
  }

  /** Only the local side changed and both are present: an edit (upload) or a kind change. */
  private replaceRemote(l: LocalItem, r: RemoteItem): void {
    if (l.kind === 'file' && r.kind === 'file') this.toRemote(l, r);
    else if (this.input.deletionPolicy === 'propagate' && this.removable('remote', r.key, r.kind)) this.removeRemote(r);
    // The old item holds changes below it, or deletions must not propagate: keep both.
    else this.conflict(l);
  }

  private replaceLocal(r: RemoteItem, l: LocalItem): void {
    if (l.kind === 'file' && r.kind === 'file') this.toLocal(r, l);
    else if (this.input.deletionPolicy === 'propagate' && this.removable('local', l.key, l.kind)) this.removeLocal(l);
    else this.conflict(l);
  }

  /**
   * Rules 2, 3 and 5: the item is gone on `side` and unchanged where it survives. A folder whose
   * other side holds changes is recreated (its changed items then follow); otherwise the deletion
   * propagates, or under `keep` is recorded as deliberate.
   */
  private deletedOn(side: Side, key: PathKey, survivor: LocalItem | RemoteItem, s: SyncedItem): void {
    const survivorSide = otherSide(side);
    if (!this.removable(survivorSide, key, survivor.kind)) {
      if (side === 'remote') this.toRemote(survivor as LocalItem);
      else this.toLocal(survivor as RemoteItem);
    } else if (this.input.deletionPolicy === 'keep') {
      this.set({ type: 'record', item: { ...s, keptDeletion: side } }, key);
    } else if (survivorSide === 'local') {
      this.removeLocal(survivor as LocalItem);
    } else {
      this.removeRemote(survivor as RemoteItem);
    }
  }

  /** An item on `side` may go when nothing at or below it differs from synced, and the other side has nothing below. */
  private removable(side: Side, key: PathKey, kind: ItemKind): boolean {
    return kind === 'file' || (!this.changedBelow[side].has(key) && !this.hasBelow[otherSide(side)].has(key));
  }

  /** Rule 4: both changed. The local item steps aside; later passes upload it and fetch the remote one. */
  private conflict(l: LocalItem): void {
    const taken = (k: PathKey): boolean =>
      this.local.has(k) || this.remote.has(k) || this.synced.has(k) || this.conflictKeys.has(k);
    const conflictLocalPath = conflictedCopyPath(l.path, l.kind, this.input.host, this.input.today, taken);
    const conflictKey = pathLower(conflictLocalPath);
    // The whole subtree even for a file: the remote side may hold a folder there.
    if (!this.locks.isFree(l.key, true) || !this.locks.isFree(conflictKey, true)) {
      this.locks.lock(l.key, true);
      return;
    }
    this.conflictKeys.add(conflictKey);
    this.locks.lock(conflictKey, true);
    this.set({ type: 'renameLocalConflict', key: l.key, localPath: l.path, conflictLocalPath }, l.key, true);
  }

  // ---- the ops themselves ----

  private toRemote(l: LocalItem, r?: RemoteItem): void {
    if (l.kind === 'file' && l.contentHash === undefined) return; // see decide()
    if (!this.ensureParents('remote', l.key)) return;
    if (l.kind === 'folder') {
      this.set({ type: 'createRemoteFolder', key: l.key, remotePath: this.remotePathFor(l.key, l.path) }, l.key);
      return;
    }
    // Update mode on the rev the remote still has (its content is the merge base), so a remote
    // edit racing this upload becomes a Dropbox conflict instead of being overwritten.
    const remotePath = r?.path ?? this.remotePathFor(l.key, l.path);
    const op: Op = { type: 'upload', key: l.key, localPath: l.path, remotePath, contentHash: l.contentHash as string };
    if (r?.rev !== undefined) op.parentRev = r.rev;
    this.set(op, l.key);
  }

  private toLocal(r: RemoteItem, l?: LocalItem): void {
    if (!this.ensureParents('local', r.key)) return;
    const localPath = l?.path ?? this.localPathFor(r.key, r.path);
    this.set(
      r.kind === 'folder'
        ? { type: 'createLocalFolder', key: r.key, localPath, remote: r }
        : { type: 'download', key: r.key, localPath, remotePath: r.path, remote: r },
      r.key,
    );
  }

  private removeLocal(l: LocalItem): void {
    const subtree = l.kind === 'folder';
    if (!this.locks.isFree(l.key, subtree)) {
      this.locks.lock(l.key, true); // wait for what runs below it; nothing else inside meanwhile
      return;
    }
    this.set({ type: 'trashLocal', key: l.key, localPath: l.path, kind: l.kind }, l.key, subtree);
  }

  private removeRemote(r: RemoteItem): void {
    const subtree = r.kind === 'folder';
    if (!this.locks.isFree(r.key, subtree)) {
      this.locks.lock(r.key, true);
      return;
    }
    const op: Op = { type: 'deleteRemote', key: r.key, remotePath: r.path, kind: r.kind };
    if (r.kind === 'file' && r.rev !== undefined) op.rev = r.rev;
    this.set(op, r.key, subtree);
  }

  /**
   * Placing an item on `side` needs its parent folders there. Missing ones are created in this
   * pass when the other side has them as folders and nothing else acts on them (a kept deletion
   * or a pending record gives way); otherwise the item waits for a later pass.
   */
  private ensureParents(side: Side, key: PathKey): boolean {
    const missing: PathKey[] = [];
    for (const parent of ancestorsOf(key)) {
      const there = this.tree(side).get(parent);
      if (there) {
        if (there.kind !== 'folder') return false;
        break;
      }
      const planned = this.byKey.get(parent);
      if (planned && isCreationOn(planned, side)) break;
      if ((planned && planned.type !== 'record') || this.locks.covers(parent)) return false;
      const source = this.tree(otherSide(side)).get(parent);
      if (!source || source.kind !== 'folder') return false;
      missing.push(parent);
    }
    for (const parent of missing.reverse()) {
      if (side === 'local') {
        const remote = this.remote.get(parent) as RemoteItem;
        this.set({ type: 'createLocalFolder', key: parent, localPath: this.localPathFor(parent, remote.path), remote }, parent);
      } else {
        const local = this.local.get(parent) as LocalItem;
        this.set({ type: 'createRemoteFolder', key: parent, remotePath: this.remotePathFor(parent, local.path) }, parent);
      }
    }
    return true;
  }

  /**
   * The local path for an item that exists only remotely (`displayPath` is Dropbox's spelling): its
   * own name under its parent as spelled on disk (or as planned there). Case matters on disk.
   */
  private localPathFor(key: PathKey, displayPath: string): string {
    const parentKey = remoteParent(key);
    if (parentKey === '') return joinRemote('', remoteBasename(displayPath));
    const planned = this.byKey.get(parentKey);
    const parentPath =
      this.local.get(parentKey)?.path ?? (planned?.type === 'createLocalFolder' ? planned.localPath : remoteParent(displayPath));
    return joinRemote(parentPath, remoteBasename(displayPath));
  }

  /**
   * The remote path for an item that exists only locally (`displayPath` is the disk's spelling): its
   * own name under its parent as spelled on Dropbox (or as planned there).
   */
  private remotePathFor(key: PathKey, displayPath: string): string {
    const parentKey = remoteParent(key);
    if (parentKey === '') return joinRemote('', remoteBasename(displayPath));
    const planned = this.byKey.get(parentKey);
    const parentPath =
      this.remote.get(parentKey)?.path ?? (planned?.type === 'createRemoteFolder' ? planned.remotePath : remoteParent(displayPath));
    return joinRemote(parentPath, remoteBasename(displayPath));
  }
}

/** Index items by a property, keeping only values that occur once (shared inodes prove nothing). */
function uniqueBy<T>(tree: Tree<T>, by: (item: T) => number | undefined): Map<number, T> {
  const seen = new Map<number, T | null>();
  for (const item of tree.values()) {
    const value = by(item);
    if (value !== undefined) seen.set(value, seen.has(value) ? null : item);
  }
  const out = new Map<number, T>();
  for (const [value, item] of seen) if (item) out.set(value, item);
  return out;
}

/** Rule 7: moves and renames, folder creations, transfers, deletions, then bookkeeping. */
function groupOf(op: Op): number {
  switch (op.type) {
    case 'moveLocal':
    case 'moveRemote':
    case 'caseRenameLocal':
    case 'caseRenameRemote':
    case 'renameLocalConflict':
    case 'renameLocalCaseConflict':
      return 0;
    case 'createLocalFolder':
    case 'createRemoteFolder':
      return 1;
    case 'upload':
    case 'download':
      return 2;
    case 'trashLocal':
    case 'deleteRemote':
      return 3;
    case 'record':
    case 'forget':
      return 4;
    default:
      return assertNever(op);
  }
}

function compareOps(a: Op, b: Op): number {
  const group = groupOf(a) - groupOf(b);
  if (group !== 0) return group;
  // Deletions go deepest first, so a child is gone before anything could remove its parent.
  if (groupOf(a) === 3) {
    const depth = keyDepth(keyOfOp(b)) - keyDepth(keyOfOp(a));
    if (depth !== 0) return depth;
  }
  return compareKeys(keyOfOp(a), keyOfOp(b));
}

/** The operations that are safe to run now, in the order to run them (see the file header). */
export function plan(input: PlanInput): Op[] {
  const ops = new Pass(input, true).run();
  // Moves that wait on each other (or on a parent that cannot appear) would hold their keys forever.
  // When nothing else is left to do, fall back to plain transfers and deletions for them.
  return ops.length > 0 ? ops : new Pass(input, false).run();
}
