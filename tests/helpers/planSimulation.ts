// An in-memory stand-in for the sync engine around the planner: three trees, ops applied the way
// the engine applies them (with their preconditions checked strictly), random edits on either
// side, and the invariants a finished sync must satisfy. Used by the randomized planner tests.
import { assertNever } from '../../src/main/core/engine/model.js';
import type { CaseConflict, DeletionPolicy, LocalItem, Op, PathKey, PlanInput, RemoteItem, SyncedItem, Tree } from '../../src/main/core/engine/model.js';
import { mergeSynced, plan, syncedLocalName } from '../../src/main/core/engine/planner.js';
import { isSameOrBelow, joinRemote, pathLower, remoteBasename, remoteParent } from '../../src/main/core/paths.js';
import type { Prng as Rng } from '../sim/prng.js';

/** The simulations' seeded PRNG, under the name these planner tests use. */
export { Prng as Rng } from '../sim/prng.js';

export class SimulationError extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new SimulationError(message);
}

interface Content {
  key: PathKey;
  path: string;
  kind: 'file' | 'folder';
  contentHash?: string;
}

function sameContent(a: Content, b: { kind: string; contentHash?: string }): boolean {
  return a.kind === b.kind && (a.kind === 'folder' || a.contentHash === b.contentHash);
}

function subtreeOf<T extends Content>(tree: Tree<T>, key: PathKey): T[] {
  return [...tree.values()].filter((item) => isSameOrBelow(item.key, key));
}

function removeSubtree<T extends Content>(tree: Tree<T>, key: PathKey): void {
  for (const item of subtreeOf(tree, key)) tree.delete(item.key);
}

/** Moves a subtree to a new key, keeping every item's other fields (inode, id, rev, hash). */
function rekey<T extends { key: PathKey; path: string; kind: 'file' | 'folder' }>(tree: Tree<T>, fromKey: PathKey, toKey: PathKey, toPath: string): void {
  const moving = subtreeOf(tree, fromKey);
  for (const item of moving) tree.delete(item.key);
  const depth = fromKey.split('/').length;
  for (const item of moving) {
    const path = [toPath, ...item.path.split('/').slice(depth)].join('/');
    const key = toKey + item.key.slice(fromKey.length);
    tree.set(key, { ...item, key, path });
  }
}

export interface Snapshot {
  local: Tree<LocalItem>;
  remote: Tree<RemoteItem>;
  synced: Tree<SyncedItem>;
}

export interface SyncResult {
  passes: Op[][];
}

/** The three trees of one folder pair plus an engine that applies ops to them. */
export class World {
  local: Tree<LocalItem> = new Map();
  remote: Tree<RemoteItem> = new Map();
  synced: Tree<SyncedItem> = new Map();
  private counter = 0;

  constructor(
    readonly policy: DeletionPolicy,
    readonly host = 'box',
    readonly today = '2024-05-01',
  ) {}

  fresh(): number {
    return ++this.counter;
  }

  snapshot(): Snapshot {
    return { local: new Map(this.local), remote: new Map(this.remote), synced: new Map(this.synced) };
  }

  plan(): Op[] {
    return plan({ ...this.snapshot(), deletionPolicy: this.policy, host: this.host, today: this.today });
  }

  /** Runs plan/apply until the planner has nothing left, checking each pass. */
  sync(maxPasses = 20): SyncResult {
    const passes: Op[][] = [];
    for (;;) {
      const ops = this.plan();
      if (ops.length === 0) return { passes };
      check(passes.length < maxPasses, `no fixpoint after ${maxPasses} passes; last: ${JSON.stringify(ops)}`);
      check(!findOverlap(ops), `overlapping ops in one pass: ${findOverlap(ops)}`);
      for (const op of ops) this.apply(op);
      passes.push(ops);
    }
  }

  private recordPair(key: PathKey): void {
    const local = this.local.get(key);
    const remote = this.remote.get(key);
    check(local && remote, `record ${key}: both sides needed`);
    this.synced.set(key, mergeSynced(local, remote));
  }

  private requireParent(tree: Tree<Content>, key: PathKey, what: string): void {
    const parent = remoteParent(key);
    check(parent === '' || tree.get(parent)?.kind === 'folder', `${what}: parent ${parent} missing`);
  }

  /** True when the item (and for folders everything below it) is exactly as synced. */
  private unchangedSubtree(tree: Tree<Content>, key: PathKey): boolean {
    return subtreeOf(tree, key).every((item) => {
      const base = this.synced.get(item.key);
      return base !== undefined && sameContent(item, base);
    });
  }

  /** After a case-only rename: both sides' spelling, the content of the merge base unchanged. */
  private respellSynced(key: PathKey, remotePath: string): void {
    const base = this.synced.get(key);
    const local = this.local.get(key);
    check(base && local, `respell ${key}: no merge base`);
    rekey(this.synced, key, key, remotePath);
    const { localName: _previous, ...rest } = this.synced.get(key) as SyncedItem;
    const localName = local.path.slice(local.path.lastIndexOf('/') + 1);
    this.synced.set(key, localName === remotePath.slice(remotePath.lastIndexOf('/') + 1) ? rest : { ...rest, localName });
  }

  /** Applies one op the way the engine would, refusing anything that could lose data. */
  apply(op: Op): void {
    switch (op.type) {
      case 'upload': {
        const local = this.local.get(op.key);
        check(local?.kind === 'file' && local.contentHash === op.contentHash, `upload ${op.key}: local file differs`);
        this.requireParent(this.remote, op.key, `upload ${op.key}`);
        const existing = this.remote.get(op.key);
        if (op.parentRev !== undefined) {
          check(existing?.kind === 'file' && existing.rev === op.parentRev, `upload ${op.key}: rev mismatch`);
          const base = this.synced.get(op.key);
          check(base && sameContent(existing, base), `upload ${op.key}: would overwrite an unsynced remote edit`);
        } else {
          check(!existing, `upload ${op.key}: add mode onto an existing item`);
        }
        this.remote.set(op.key, {
          key: op.key,
          path: existing?.path ?? op.remotePath,
          kind: 'file',
          id: existing?.id ?? `id${this.fresh()}`,
          rev: `rev${this.fresh()}`,
          size: local.size,
          contentHash: op.contentHash,
        });
        this.recordPair(op.key);
        return;
      }
      case 'download': {
        check(JSON.stringify(this.remote.get(op.key)) === JSON.stringify(op.remote), `download ${op.key}: stale remote`);
        this.requireParent(this.local, op.key, `download ${op.key}`);
        const existing = this.local.get(op.key);
        if (existing) {
          const base = this.synced.get(op.key);
          check(existing.kind === 'file' && base && sameContent(existing, base), `download ${op.key}: would overwrite an unsynced local edit`);
        }
        this.local.set(op.key, {
          key: op.key,
          path: op.localPath,
          kind: 'file',
          size: op.remote.size ?? 0,
          mtimeMs: this.fresh(),
          inode: this.fresh(),
          contentHash: op.remote.contentHash as string,
        });
        this.recordPair(op.key);
        return;
      }
      case 'createLocalFolder':
        this.requireParent(this.local, op.key, `createLocalFolder ${op.key}`);
        check(!this.local.has(op.key), `createLocalFolder ${op.key}: exists`);
        check(this.remote.get(op.key)?.kind === 'folder', `createLocalFolder ${op.key}: no remote folder`);
        this.local.set(op.key, { key: op.key, path: op.localPath, kind: 'folder', size: 0, mtimeMs: this.fresh(), inode: this.fresh() });
        this.recordPair(op.key);
        return;
      case 'createRemoteFolder':
        this.requireParent(this.remote, op.key, `createRemoteFolder ${op.key}`);
        check(!this.remote.has(op.key), `createRemoteFolder ${op.key}: exists`);
        check(this.local.get(op.key)?.kind === 'folder', `createRemoteFolder ${op.key}: no local folder`);
        this.remote.set(op.key, { key: op.key, path: op.remotePath, kind: 'folder', id: `id${this.fresh()}` });
        this.recordPair(op.key);
        return;
      case 'trashLocal':
        check(this.policy === 'propagate', `trashLocal ${op.key} under the keep policy`);
        check(this.local.get(op.key)?.kind === op.kind, `trashLocal ${op.key}: not there`);
        check(this.unchangedSubtree(this.local, op.key), `trashLocal ${op.key}: would trash unsynced local changes`);
        removeSubtree(this.local, op.key);
        removeSubtree(this.synced, op.key);
        return;
      case 'deleteRemote': {
        check(this.policy === 'propagate', `deleteRemote ${op.key} under the keep policy`);
        const existing = this.remote.get(op.key);
        check(existing?.kind === op.kind && existing.rev === op.rev, `deleteRemote ${op.key}: not there or rev mismatch`);
        check(this.unchangedSubtree(this.remote, op.key), `deleteRemote ${op.key}: would delete unsynced remote changes`);
        removeSubtree(this.remote, op.key);
        removeSubtree(this.synced, op.key);
        return;
      }
      case 'moveLocal': {
        const source = this.local.get(op.fromKey);
        const base = this.synced.get(op.fromKey);
        check(source && base && sameContent(source, base), `moveLocal ${op.fromKey}: source differs from synced`);
        check(subtreeOf(this.local, op.toKey).length === 0, `moveLocal ${op.toKey}: target taken`);
        this.requireParent(this.local, op.toKey, `moveLocal ${op.toKey}`);
        check(JSON.stringify(this.remote.get(op.toKey)) === JSON.stringify(op.remote), `moveLocal ${op.toKey}: stale remote`);
        rekey(this.local, op.fromKey, op.toKey, op.toLocalPath);
        rekey(this.synced, op.fromKey, op.toKey, op.remote.path);
        this.recordPair(op.toKey);
        return;
      }
      case 'moveRemote': {
        const source = this.remote.get(op.fromKey);
        const base = this.synced.get(op.fromKey);
        check(source && base && sameContent(source, base) && source.kind === op.kind, `moveRemote ${op.fromKey}: source differs from synced`);
        check(subtreeOf(this.remote, op.toKey).length === 0, `moveRemote ${op.toKey}: target taken`);
        this.requireParent(this.remote, op.toKey, `moveRemote ${op.toKey}`);
        rekey(this.remote, op.fromKey, op.toKey, op.toRemotePath);
        rekey(this.synced, op.fromKey, op.toKey, op.toRemotePath);
        this.recordPair(op.toKey);
        return;
      }
      case 'renameLocalConflict': {
        const key = pathLower(op.conflictLocalPath);
        check(this.local.has(op.key), `renameLocalConflict ${op.key}: not there`);
        check(remoteParent(key) === remoteParent(op.key), `renameLocalConflict ${op.key}: copy not a sibling`);
        for (const tree of [this.local, this.remote, this.synced] as Tree<Content>[]) {
          check(subtreeOf(tree, key).length === 0, `renameLocalConflict ${op.key}: ${key} taken`);
        }
        rekey(this.local, op.key, key, op.conflictLocalPath);
        return;
      }
      case 'caseRenameRemote': {
        const source = this.remote.get(op.key);
        check(source?.path === op.fromRemotePath && source.kind === op.kind, `caseRenameRemote ${op.key}: source differs`);
        check(pathLower(op.toRemotePath) === op.key, `caseRenameRemote ${op.key}: not case-only`);
        rekey(this.remote, op.key, op.key, op.toRemotePath);
        this.respellSynced(op.key, op.toRemotePath);
        return;
      }
      case 'caseRenameLocal': {
        const source = this.local.get(op.key);
        check(source?.path === op.fromLocalPath && source.kind === op.kind, `caseRenameLocal ${op.key}: source differs`);
        check(pathLower(op.toLocalPath) === op.key, `caseRenameLocal ${op.key}: not case-only`);
        rekey(this.local, op.key, op.key, op.toLocalPath);
        this.respellSynced(op.key, op.remotePath);
        return;
      }
      case 'renameLocalCaseConflict':
        // The simulation has no second local name for one key.
        throw new SimulationError(`renameLocalCaseConflict ${op.key}: no case conflicts here`);
      case 'record':
        this.synced.set(op.item.key, op.item);
        return;
      case 'forget':
        if (op.subtree) removeSubtree(this.synced, op.key);
        else this.synced.delete(op.key);
        return;
      default:
        assertNever(op);
    }
  }
}

/** Keys an op touches; `subtree` when it acts on everything below the key too. */
function touched(op: Op): { key: PathKey; subtree: boolean }[] {
  switch (op.type) {
    case 'moveLocal':
    case 'moveRemote':
      return [{ key: op.fromKey, subtree: true }, { key: op.toKey, subtree: true }];
    case 'renameLocalConflict':
      return [{ key: op.key, subtree: true }, { key: pathLower(op.conflictLocalPath), subtree: true }];
    case 'caseRenameLocal':
    case 'caseRenameRemote':
      return [{ key: op.key, subtree: true }];
    case 'renameLocalCaseConflict':
      return [{ key: op.toKey, subtree: true }];
    case 'trashLocal':
    case 'deleteRemote':
      return [{ key: op.key, subtree: op.kind === 'folder' }];
    case 'forget':
      return [{ key: op.key, subtree: op.subtree }];
    case 'record':
      return [{ key: op.item.key, subtree: false }];
    case 'upload':
    case 'download':
    case 'createLocalFolder':
    case 'createRemoteFolder':
      return [{ key: op.key, subtree: false }];
    default:
      return assertNever(op);
  }
}

/** Describes the first pair of ops touching the same key or overlapping subtrees (rule 8), if any. */
export function findOverlap(ops: Op[]): string | undefined {
  const all = ops.flatMap((op, index) => touched(op).map((t) => ({ ...t, index })));
  for (const a of all) {
    for (const b of all) {
      if (a.index >= b.index) continue;
      const clash = a.key === b.key || (a.subtree && isSameOrBelow(b.key, a.key)) || (b.subtree && isSameOrBelow(a.key, b.key));
      if (clash) return `${JSON.stringify(ops[a.index])} / ${JSON.stringify(ops[b.index])}`;
    }
  }
  return undefined;
}

// ---- tiny builders for table tests: `file('/a.txt', 'h1', 1)` is a file all three trees agree on ----

export const lf = (path: string, hash: string, inode: number): LocalItem => ({ key: pathLower(path), path, kind: 'file', size: 1, mtimeMs: 1, inode, contentHash: hash });
export const ld = (path: string, inode: number): LocalItem => ({ key: pathLower(path), path, kind: 'folder', size: 0, mtimeMs: 1, inode });
export const rf = (path: string, hash: string, id: string, rev = `r-${hash}`): RemoteItem => ({ key: pathLower(path), path, kind: 'file', id, rev, size: 1, contentHash: hash });
export const rd = (path: string, id: string): RemoteItem => ({ key: pathLower(path), path, kind: 'folder', id });
/** The merge base exactly as the planner records it for lf + rf / ld + rd. */
export const sf = (path: string, hash: string, id: string, inode: number, rev = `r-${hash}`): SyncedItem => ({ key: pathLower(path), path, kind: 'file', id, rev, contentHash: hash, size: 1, inode, mtimeMs: 1 });
export const sd = (path: string, id: string, inode: number): SyncedItem => ({ key: pathLower(path), path, kind: 'folder', id, inode });

export interface Trio {
  l: LocalItem;
  r: RemoteItem;
  s: SyncedItem;
}
/** A file that local, remote and synced agree on; its inode is n and its id `id<n>`. */
export const file = (path: string, hash: string, n: number): Trio => ({ l: lf(path, hash, n), r: rf(path, hash, `id${n}`), s: sf(path, hash, `id${n}`, n) });
export const folder = (path: string, n: number): Trio => ({ l: ld(path, n), r: rd(path, `id${n}`), s: sd(path, `id${n}`, n) });
export const all = (...trios: Trio[]): { local: LocalItem[]; remote: RemoteItem[]; synced: SyncedItem[] } => ({
  local: trios.map((t) => t.l),
  remote: trios.map((t) => t.r),
  synced: trios.map((t) => t.s),
});

export interface Trees {
  local?: LocalItem[];
  remote?: RemoteItem[];
  synced?: SyncedItem[];
  policy?: DeletionPolicy;
  caseConflicts?: CaseConflict[];
}
export const input = ({ local = [], remote = [], synced = [], policy = 'propagate', caseConflicts }: Trees): PlanInput => ({
  ...(caseConflicts ? { caseConflicts } : {}),
  local: new Map(local.map((i) => [i.key, i])),
  remote: new Map(remote.map((i) => [i.key, i])),
  synced: new Map(synced.map((i) => [i.key, i])),
  deletionPolicy: policy,
  host: 'box',
  today: '2024-05-01',
});

/** A simulated engine starting from the given trees. */
export function worldOf(trees: Trees): World {
  const world = new World(trees.policy ?? 'propagate');
  const { local, remote, synced } = input(trees);
  world.local = local;
  world.remote = remote;
  world.synced = synced;
  return world;
}

// ---- random edits ----

const FILE_NAMES = ['a', 'b', 'c.txt', 'd.txt', 'e.md'];
const FOLDER_NAMES = ['a', 'f', 'g'];
const SHARED_HASHES = ['s1', 's2'];

/** Dropbox is case-insensitive: sides may spell the same key differently. */
function spell(rng: Rng, name: string): string {
  return rng.chance(0.2) ? name.charAt(0).toUpperCase() + name.slice(1) : name;
}

/** One side's edit primitives, so local and remote edits share one generator. */
interface Editor {
  tree: Tree<Content>;
  addFile(key: PathKey, path: string, hash: string): void;
  addFolder(key: PathKey, path: string): void;
  modify(key: PathKey, hash: string): void;
  touch(key: PathKey): void;
}

export function localEditor(world: World): Editor {
  const tree = world.local;
  return {
    tree,
    addFile: (key, path, hash) => tree.set(key, { key, path, kind: 'file', size: hash.length, mtimeMs: world.fresh(), inode: world.fresh(), contentHash: hash }),
    addFolder: (key, path) => tree.set(key, { key, path, kind: 'folder', size: 0, mtimeMs: world.fresh(), inode: world.fresh() }),
    // Edited in place: the inode stays, as with most editors' plain writes.
    modify: (key, hash) => tree.set(key, { ...(tree.get(key) as LocalItem), contentHash: hash, size: hash.length, mtimeMs: world.fresh() }),
    // Same bytes, new metadata; sometimes a new inode, like an editor's atomic save.
    touch: (key) => {
      const item = tree.get(key) as LocalItem;
      tree.set(key, { ...item, mtimeMs: world.fresh(), inode: world.fresh() % 2 === 0 ? world.fresh() : item.inode });
    },
  };
}

export function remoteEditor(world: World): Editor {
  const tree = world.remote;
  return {
    tree,
    addFile: (key, path, hash) => tree.set(key, { key, path, kind: 'file', id: `id${world.fresh()}`, rev: `rev${world.fresh()}`, size: hash.length, contentHash: hash }),
    addFolder: (key, path) => tree.set(key, { key, path, kind: 'folder', id: `id${world.fresh()}` }),
    modify: (key, hash) => tree.set(key, { ...(tree.get(key) as RemoteItem), contentHash: hash, size: hash.length, rev: `rev${world.fresh()}` }),
    // A new rev with the same content (e.g. a restore of the same version).
    touch: (key) => tree.set(key, { ...(tree.get(key) as RemoteItem), rev: `rev${world.fresh()}` }),
  };
}

export type EditKind = 'addFile' | 'addFolder' | 'modify' | 'touch' | 'delete' | 'move' | 'respell';
const ALL_EDITS: EditKind[] = ['addFile', 'addFile', 'addFolder', 'modify', 'modify', 'touch', 'delete', 'delete', 'move', 'move', 'respell'];

function folderTargets(tree: Tree<Content>): { key: PathKey; path: string }[] {
  const folders = [...tree.values()].filter((item) => item.kind === 'folder' && item.key.split('/').length <= 3);
  return [{ key: '', path: '' }, ...folders.sort((a, b) => (a.key < b.key ? -1 : 1))];
}

function sortedItems(tree: Tree<Content>, kind?: 'file'): Content[] {
  return [...tree.values()].filter((item) => !kind || item.kind === kind).sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Applies one random edit (which may turn out a no-op, e.g. a name that is taken). Move targets
 * come from `moveNames` when given: fresh names make every move detectable as one.
 */
export function randomEdit(world: World, editor: Editor, rng: Rng, kinds: EditKind[] = ALL_EDITS, moveNames?: () => string): void {
  const tree = editor.tree;
  const hash = (): string => (rng.chance(0.15) ? rng.pick(SHARED_HASHES) : `h${world.fresh()}`);
  const place = (parent: { path: string }, name: string): { key: PathKey; path: string } => {
    const path = joinRemote(parent.path, name);
    return { key: pathLower(path), path };
  };
  const kind = rng.pick(kinds);
  switch (kind) {
    case 'addFile':
    case 'addFolder': {
      const target = place(rng.pick(folderTargets(tree)), spell(rng, rng.pick(kind === 'addFile' ? FILE_NAMES : FOLDER_NAMES)));
      if (tree.has(target.key)) return;
      if (kind === 'addFile') editor.addFile(target.key, target.path, hash());
      else editor.addFolder(target.key, target.path);
      return;
    }
    case 'modify':
    case 'touch': {
      const files = sortedItems(tree, 'file');
      if (files.length === 0) return;
      const file = rng.pick(files);
      if (kind === 'modify') editor.modify(file.key, hash());
      else editor.touch(file.key);
      return;
    }
    case 'delete': {
      const items = sortedItems(tree);
      if (items.length > 0) removeSubtree(tree, rng.pick(items).key);
      return;
    }
    case 'move': {
      const items = sortedItems(tree);
      if (items.length === 0) return;
      const item = rng.pick(items);
      const parents = folderTargets(tree).filter((folder) => folder.key === '' || !isSameOrBelow(folder.key, item.key));
      const name = moveNames ? moveNames() : spell(rng, rng.pick(item.kind === 'file' ? FILE_NAMES : FOLDER_NAMES));
      const target = place(rng.pick(parents), name);
      if (subtreeOf(tree, target.key).length > 0) return;
      rekey(tree, item.key, target.key, target.path);
      return;
    }
    case 'respell': {
      // A case-only rename: same key, the first letter of the name flipped.
      const items = sortedItems(tree);
      if (items.length === 0) return;
      const item = rng.pick(items);
      const slash = item.path.lastIndexOf('/');
      const first = item.path.charAt(slash + 1);
      const flipped = first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase();
      rekey(tree, item.key, item.key, `${item.path.slice(0, slash + 1)}${flipped}${item.path.slice(slash + 2)}`);
      return;
    }
  }
}

/** A random starting point in which all three trees agree. */
export function randomSyncedWorld(rng: Rng, policy: DeletionPolicy): World {
  const world = new World(policy);
  const editor = localEditor(world);
  const count = 4 + rng.int(0, 7);
  for (let i = 0; i < count; i++) randomEdit(world, editor, rng, ['addFile', 'addFolder']);
  for (const local of world.local.values()) {
    const remote: RemoteItem =
      local.kind === 'folder'
        ? { key: local.key, path: local.path, kind: 'folder', id: `id${world.fresh()}` }
        : { key: local.key, path: local.path, kind: 'file', id: `id${world.fresh()}`, rev: `rev${world.fresh()}`, size: local.size, contentHash: local.contentHash as string };
    world.remote.set(local.key, remote);
    world.synced.set(local.key, mergeSynced(local, remote));
  }
  return world;
}

// ---- invariants of a finished sync ----

/**
 * Every key is settled: present on both sides with equal content and an up-to-date merge base, or
 * (policy keep) absent on exactly the side that deliberately kept its deletion, or gone entirely.
 */
export function unsettledKeys(world: World): string[] {
  const problems: string[] = [];
  const keys = new Set([...world.local.keys(), ...world.remote.keys(), ...world.synced.keys()]);
  for (const key of keys) {
    const l = world.local.get(key);
    const r = world.remote.get(key);
    const s = world.synced.get(key);
    if (l && r) {
      const baseMatches = s && sameContent(l, s) && s.id === r.id && s.rev === r.rev && s.inode === l.inode && !s.keptDeletion && spellingRecorded(l, r, s);
      if (!sameContent(l, r) || !baseMatches) problems.push(`${key}: sides or base differ`);
    } else if (l || r) {
      const present = (l ?? r) as Content;
      const kept = l ? 'remote' : 'local';
      if (world.policy !== 'keep' || !s || s.keptDeletion !== kept || !sameContent(present, s)) problems.push(`${key}: only on one side`);
    } else if (s) {
      problems.push(`${key}: base of nothing`);
    }
  }
  return problems;
}

/** The merge base holds each side's current spelling of the name (a case-only rename was mirrored or recorded). */
function spellingRecorded(l: LocalItem, r: RemoteItem, s: SyncedItem): boolean {
  return remoteBasename(s.path) === remoteBasename(r.path) && syncedLocalName(s) === remoteBasename(l.path);
}

function hashesOf(...trees: Tree<Content>[]): Set<string> {
  const out = new Set<string>();
  for (const tree of trees) for (const item of tree.values()) if (item.contentHash !== undefined) out.add(item.contentHash);
  return out;
}

/**
 * The merge base an item still matches: the one at its key, or failing that any with the same
 * content (the item was moved, possibly with a new inode). Undefined for edits and additions,
 * whose hashes are fresh.
 */
function baseOf(item: LocalItem | RemoteItem, synced: Tree<SyncedItem>): SyncedItem | undefined {
  const atKey = synced.get(item.key);
  if (atKey && sameContent(item, atKey)) return atKey;
  return [...synced.values()].find((base) => sameContent(item, base));
}

/**
 * Content versions that were only on one side before the sync (edits, additions) and are nowhere
 * afterwards. Base versions may legitimately go: the other side deleted or replaced them.
 */
export function lostEdits(before: Snapshot, world: World): string[] {
  const after = hashesOf(world.local, world.remote);
  const lost: string[] = [];
  for (const [side, tree] of [['local', before.local], ['remote', before.remote]] as const) {
    for (const item of tree.values()) {
      if (item.kind !== 'file' || item.contentHash === undefined || baseOf(item, before.synced)) continue;
      if (!after.has(item.contentHash)) lost.push(`${side} ${item.key} ${item.contentHash}`);
    }
  }
  return lost;
}

/**
 * Policy keep: a file one side deleted (while the other left it alone) must not come back to the
 * side that deleted it.
 */
export function resurrected(before: Snapshot, world: World): string[] {
  const out: string[] = [];
  const sides = [
    ['local', before.local, before.remote, world.local],
    ['remote', before.remote, before.local, world.remote],
  ] as const;
  for (const [side, deleter, keeper, deleterAfter] of sides) {
    for (const base of before.synced.values()) {
      const kept = keeper.get(base.key);
      if (base.kind !== 'file' || deleter.has(base.key) || !kept || !sameContent(kept, base)) continue;
      if (deleterAfter.has(base.key)) out.push(`${side} ${base.key}`);
    }
  }
  return out;
}
