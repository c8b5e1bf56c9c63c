// The emulated account's single namespace: a case-insensitive, case-preserving tree keyed by
// path_lower, with stable ids, hex revs and revision history, Dropbox's write/conflict rules,
// deletes and moves, and a change log every mutation appends to (what cursors read).
import { randomBytes } from 'node:crypto';
import { foldCase, isSameOrBelow, pathLower, remoteParent } from '../main/core/paths.js';
import { ChangeLog, type ChangeEvent, type ChangeLogSnapshot } from './changeLog.js';
import { LookupFailure, nest, RouteError, tag, WriteFailure } from './errors.js';
import { deletedMetadata, dropboxTimestamp, fileMetadata, folderMetadata, taggedMetadata, type Entry, type FileEntry, type FileMetadata, type FolderEntry } from './metadata.js';
import { autorenameCandidate } from './naming.js';
import { lookupProblem, writeProblem, type PathArg } from './pathArgs.js';
import type { WriteModeArg } from './schemas.js';

export interface Revision {
  rev: string;
  id: string;
  name: string;
  pathLower: string;
  pathDisplay: string;
  size: number;
  contentHash: string;
  clientModified: string;
  serverModified: string;
}

export interface DeletedRecord { display: string; seq: number }

export interface Content { hash: string; size: number }

export interface CommitRequest {
  path: PathArg;
  mode: WriteModeArg;
  autorename: boolean;
  strictConflict: boolean;
  clientModified?: string;
}

export interface NamespaceOptions {
  /** A deleted (or moved-away) folder appears in the change log as one entry, not one per child. */
  deletedFolderAsSingleEntry: boolean;
  /**
   * Misbehaviour knobs for client tests, off by default (Dropbox folds NFC and refuses the names):
   * key names by case only, so NFC and NFD spellings are two entries; and accept names Dropbox
   * refuses (a trailing space, `.dropbox`), as if other apps had created them.
   */
  unicodeFormsApart?: boolean;
  acceptRefusedNames?: boolean;
  now?: () => Date;
  maxLogEvents?: number;
}

export interface NamespaceSnapshot {
  version: 1;
  instance: string;
  seq: number;
  revCounter: number;
  revSuffix: string;
  epoch: number;
  entries: [string, Entry][];
  deleted: [string, DeletedRecord][];
  revisions: Revision[];
  log: ChangeLogSnapshot;
}

/** Dropbox refuses to move or copy more than this many items in one operation. */
const MAX_RELOCATION_ITEMS = 10_000;
const MAX_AUTORENAME_TRIES = 10_000;

export class Namespace {
  private entries = new Map<string, Entry>();
  private children = new Map<string, Set<string>>([['', new Set()]]);
  private byId = new Map<string, string>();
  private revisions = new Map<string, Revision>();
  private deletedPaths = new Map<string, DeletedRecord>();
  private log: ChangeLog;
  private seq = 0;
  private revCounter = 0x1000;
  /** Revs end in a per-namespace hex suffix, like real revs end in the namespace id. */
  private revSuffix = randomBytes(3).toString('hex');
  /** Identifies this namespace in cursors, so a cursor from another emulator is refused. */
  private instance = randomBytes(6).toString('base64url');
  /** Bumped by resetCursors(); cursors from an older epoch answer `reset`. */
  private cursorEpoch = 0;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => Date;

  constructor(private readonly opts: NamespaceOptions) {
    this.now = opts.now ?? (() => new Date());
    this.log = new ChangeLog(opts.maxLogEvents);
  }

  private get lenientNames(): boolean {
    return this.opts.acceptRefusedNames ?? false;
  }

  /** The path_lower form of one name: NFC and case-folded, as Dropbox does (or case only: a knob). */
  private fold(name: string): string {
    return this.opts.unicodeFormsApart ? foldCase(name) : pathLower(name);
  }

  private keyOf(components: string[]): string {
    return components.length === 0 ? '' : this.fold(`/${components.join('/')}`);
  }

  get epoch(): number {
    return this.cursorEpoch;
  }

  get instanceId(): string {
    return this.instance;
  }

  /** The newest position in the change log. */
  get head(): number {
    return this.seq;
  }

  get logFloor(): number {
    return this.log.floor;
  }

  /** Called after every change (and cursor reset); returns an unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  resetCursors(): void {
    this.cursorEpoch += 1;
    this.notify();
  }

  // ---- reading ------------------------------------------------------------------------------

  entry(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  /** path_lower keys of the direct children of a folder ('' is the root). */
  childKeys(key: string): Iterable<string> {
    return this.children.get(key) ?? [];
  }

  deletedRecords(): Iterable<[string, DeletedRecord]> {
    return this.deletedPaths.entries();
  }

  changesSince(after: number): ChangeEvent[] {
    return this.log.since(after);
  }

  /** path_display of a live item: each component in the case it was created with. */
  displayOf(key: string): string {
    if (key === '') return '';
    let display = '';
    let at = 0;
    while (at < key.length) {
      const next = key.indexOf('/', at + 1);
      const prefix = next < 0 ? key : key.slice(0, next);
      display += `/${this.entries.get(prefix)?.name ?? prefix.slice(at + 1)}`;
      at = next < 0 ? key.length : next;
    }
    return display;
  }

  tagged(key: string): Record<string, unknown> {
    return taggedMetadata(this.mustGet(key), key, this.displayOf(key));
  }

  fileMetadata(key: string): FileMetadata {
    const entry = this.mustGet(key);
    if (entry.kind !== 'file') throw new Error(`not a file: ${key}`);
    return fileMetadata(entry, key, this.displayOf(key));
  }

  /** Resolves a lookup path to the key of a live item ('' for the root) or throws LookupFailure. */
  resolve(arg: PathArg): string {
    switch (arg.kind) {
      case 'foreign':
      case 'rev':
        throw new LookupFailure(tag('not_found'));
      case 'path': {
        const problem = lookupProblem(arg.components, this.lenientNames);
        if (problem) throw new LookupFailure(problem);
        const key = this.keyOf(arg.components);
        if (key !== '' && !this.entries.has(key)) throw new LookupFailure(tag('not_found'));
        return key;
      }
      case 'id': {
        const base = this.byId.get(arg.id);
        if (base === undefined) throw new LookupFailure(tag('not_found'));
        const problem = lookupProblem(arg.rest, this.lenientNames);
        if (problem) throw new LookupFailure(problem);
        const key = arg.rest.length === 0 ? base : `${base}${this.keyOf(arg.rest)}`;
        if (!this.entries.has(key)) throw new LookupFailure(tag('not_found'));
        return key;
      }
    }
  }

  /** The key a path would have, live or not; for `include_deleted` lookups. */
  private keyIfPath(arg: PathArg): string | undefined {
    if (arg.kind !== 'path' || lookupProblem(arg.components, this.lenientNames)) return undefined;
    return this.keyOf(arg.components);
  }

  private deletedAt(key: string): DeletedRecord | undefined {
    return this.entries.has(key) ? undefined : this.deletedPaths.get(key);
  }

  revision(rev: string): Revision | undefined {
    return this.revisions.get(rev);
  }

  getMetadata(arg: PathArg, includeDeleted: boolean): Record<string, unknown> {
    if (arg.kind === 'rev') {
      const revision = this.revisions.get(arg.rev);
      if (!revision) throw new LookupFailure(tag('not_found'));
      return { '.tag': 'file', ...fileMetadata(revision, revision.pathLower, revision.pathDisplay) };
    }
    try {
      const key = this.resolve(arg);
      // Dropbox does not return metadata for the root folder.
      if (key === '') throw new LookupFailure(tag('not_found'));
      return this.tagged(key);
    } catch (err) {
      const key = this.keyIfPath(arg);
      const record = key !== undefined && includeDeleted ? this.deletedAt(key) : undefined;
      if (err instanceof LookupFailure && key !== undefined && record) return deletedMetadata(key, record.display);
      throw err;
    }
  }

  // ---- writing ------------------------------------------------------------------------------

  /**
   * Writes a file following WriteMode's conflict rules: an empty path is written, a folder is a
   * conflict, identical content is a no-op (no new rev) unless strict_conflict, and otherwise
   * add conflicts, overwrite replaces, update replaces only on the current rev.
   */
  commitFile(req: CommitRequest, content: Content): FileMetadata {
    const components = this.writeComponents(req.path);
    this.checkAncestors(components);
    const key = this.keyOf(components);
    const existing = this.entries.get(key);
    const outcome = this.judgeWrite(existing, req, content);
    if (outcome === 'noop') return this.fileMetadata(key);
    if (outcome === 'write') return this.writeFile(components, content, req.clientModified);
    if (!req.autorename) throw new WriteFailure(nest('conflict', tag(outcome)));
    const style = req.mode['.tag'] === 'update' ? 'conflicted_copy' : 'number';
    const free = this.freeSibling(components, style, false);
    return this.writeFile(free, content, req.clientModified);
  }

  createFolder(arg: PathArg, autorename: boolean): ReturnType<typeof folderMetadata> {
    let components = this.writeComponents(arg);
    this.checkAncestors(components);
    const existing = this.entries.get(this.keyOf(components));
    if (existing) {
      if (!autorename) throw new WriteFailure(nest('conflict', tag(existing.kind)));
      components = this.freeSibling(components, 'number', true);
    }
    const key = this.ensureFolders(components);
    this.notify();
    return folderMetadata(this.mustGet(key) as FolderEntry, key, this.displayOf(key));
  }

  /** files/delete_v2: removes an item and its subtree; returns its metadata from before. */
  delete(arg: PathArg, parentRev: string | undefined): Record<string, unknown> {
    const key = this.resolveFor(arg, 'path_lookup');
    if (key === '') throw new RouteError(nest('path_write', tag('operation_suppressed')));
    const entry = this.mustGet(key);
    if (parentRev !== undefined) {
      if (entry.kind !== 'file') throw new RouteError(nest('path_lookup', tag('not_file')));
      if (entry.rev !== parentRev) throw new RouteError(nest('path_write', nest('conflict', tag('file'))));
    }
    const before = this.tagged(key);
    this.removeSubtree(key);
    this.notify();
    return before;
  }

  /** files/move_v2. The id survives; the change log shows a delete at the old path and adds at the new. */
  move(from: PathArg, to: PathArg, autorename: boolean): Record<string, unknown> {
    const fromKey = this.resolveFor(from, 'from_lookup');
    if (fromKey === '') throw new RouteError(nest('from_write', tag('operation_suppressed')));
    let toComponents: string[];
    try {
      toComponents = this.writeComponents(to);
    } catch (err) {
      if (err instanceof WriteFailure) throw new RouteError(nest('to', err.reason));
      throw err;
    }
    const source = this.mustGet(fromKey);
    let toKey = this.keyOf(toComponents);
    // Same path or a case-only rename: Dropbox answers 200 and keeps the old name.
    if (toKey === fromKey) return this.tagged(fromKey);
    if (source.kind === 'folder' && isSameOrBelow(toKey, fromKey)) throw new RouteError(tag('cant_move_folder_into_itself'));
    try {
      this.checkAncestors(toComponents);
      const existing = this.entries.get(toKey);
      if (existing) {
        if (!autorename) throw new WriteFailure(nest('conflict', tag(existing.kind)));
        toComponents = this.freeSibling(toComponents, 'number', source.kind === 'folder');
        toKey = this.keyOf(toComponents);
      }
    } catch (err) {
      if (err instanceof WriteFailure) throw new RouteError(nest('to', err.reason));
      throw err;
    }
    const subtree = this.subtree(fromKey);
    if (subtree.length > MAX_RELOCATION_ITEMS) throw new RouteError(tag('too_many_files'));

    this.removeSubtree(fromKey);
    this.ensureFolders(toComponents.slice(0, -1));
    const newName = toComponents[toComponents.length - 1]!;
    for (const [oldKey, entry] of subtree) {
      const newKey = toKey + oldKey.slice(fromKey.length);
      const moved: Entry = oldKey === fromKey ? { ...entry, name: newName } : { ...entry };
      moved.seq = this.nextSeq();
      // A move is a new revision of each file at its new path, as on Dropbox.
      if (moved.kind === 'file') moved.rev = this.nextRev();
      this.putEntry(newKey, moved);
      if (moved.kind === 'file') this.recordRevision(newKey, moved);
      this.appendEvent({ seq: moved.seq, path: newKey, kind: moved.kind });
    }
    this.notify();
    return this.tagged(toKey);
  }

  // ---- internals ----------------------------------------------------------------------------

  private mustGet(key: string): Entry {
    const entry = this.entries.get(key);
    if (!entry) throw new Error(`no entry at ${JSON.stringify(key)}`);
    return entry;
  }

  private resolveFor(arg: PathArg, errorTag: string): string {
    try {
      return this.resolve(arg);
    } catch (err) {
      if (err instanceof LookupFailure) throw new RouteError(nest(errorTag, err.reason));
      throw err;
    }
  }

  /** Display components of a write target, or WriteFailure when the path cannot be written. */
  private writeComponents(arg: PathArg): string[] {
    let components: string[];
    if (arg.kind === 'path') components = arg.components;
    else if (arg.kind === 'id') {
      const base = this.byId.get(arg.id);
      if (base === undefined) throw new WriteFailure(tag('malformed_path'));
      components = [...this.displayOf(base).slice(1).split('/'), ...arg.rest];
    } else throw new WriteFailure(tag('malformed_path'));
    if (components.length === 0) throw new WriteFailure(tag('malformed_path'));
    const problem = writeProblem(components, this.lenientNames);
    if (problem) throw new WriteFailure(problem);
    return components;
  }

  /** A file where a parent folder should be makes the write impossible. */
  private checkAncestors(components: string[]): void {
    let key = '';
    for (const name of components.slice(0, -1)) {
      key = `${key}/${this.fold(name)}`;
      const entry = this.entries.get(key);
      if (!entry) return;
      if (entry.kind === 'file') throw new WriteFailure(nest('conflict', tag('file_ancestor')));
    }
  }

  private judgeWrite(existing: Entry | undefined, req: CommitRequest, content: Content): 'write' | 'noop' | 'file' | 'folder' {
    const mode = req.mode;
    if (!existing) {
      // A stale rev whose file is gone is only a conflict when the client asked for strictness.
      return mode['.tag'] === 'update' && req.strictConflict ? 'file' : 'write';
    }
    if (existing.kind === 'folder') return 'folder';
    if (existing.contentHash === content.hash && !req.strictConflict) return 'noop';
    if (mode['.tag'] === 'add') return 'file';
    if (mode['.tag'] === 'overwrite') return 'write';
    return mode.update === existing.rev ? 'write' : 'file';
  }

  /** The first autorename candidate beside `components` with nothing at its path. */
  private freeSibling(components: string[], style: 'number' | 'conflicted_copy', isFolder: boolean): string[] {
    const parent = components.slice(0, -1);
    const name = components[components.length - 1]!;
    for (let n = 1; n <= MAX_AUTORENAME_TRIES; n++) {
      const candidate = [...parent, autorenameCandidate(name, n, style, isFolder)];
      if (!this.entries.has(this.keyOf(candidate))) return candidate;
    }
    throw new WriteFailure(nest('conflict', tag(isFolder ? 'folder' : 'file')));
  }

  private writeFile(components: string[], content: Content, clientModified: string | undefined): FileMetadata {
    const parentKey = this.ensureFolders(components.slice(0, -1));
    const key = parentKey + `/${this.fold(components[components.length - 1]!)}`;
    const existing = this.entries.get(key);
    const serverModified = dropboxTimestamp(this.now());
    const file: FileEntry = {
      kind: 'file',
      // An edit keeps the id (and the name's case); a new file at a reused name gets a new id.
      id: existing?.id ?? newId(),
      name: existing?.name ?? components[components.length - 1]!,
      seq: this.nextSeq(),
      rev: this.nextRev(),
      size: content.size,
      contentHash: content.hash,
      clientModified: clientModified ?? serverModified,
      serverModified,
    };
    this.putEntry(key, file);
    this.recordRevision(key, file);
    this.appendEvent({ seq: file.seq, path: key, kind: 'file' });
    this.notify();
    return fileMetadata(file, key, this.displayOf(key));
  }

  /** Creates missing folders along `components`; returns the key of the last one. */
  private ensureFolders(components: string[]): string {
    let key = '';
    for (const name of components) {
      key = `${key}/${this.fold(name)}`;
      if (this.entries.has(key)) continue;
      const folder: FolderEntry = { kind: 'folder', id: newId(), name, seq: this.nextSeq() };
      this.putEntry(key, folder);
      this.appendEvent({ seq: folder.seq, path: key, kind: 'folder' });
    }
    return key;
  }

  /** The item at `key` and everything below it, parents before children. */
  private subtree(key: string): [string, Entry][] {
    const out: [string, Entry][] = [];
    const visit = (k: string): void => {
      out.push([k, this.mustGet(k)]);
      for (const child of this.children.get(k) ?? []) visit(child);
    };
    visit(key);
    return out;
  }

  private removeSubtree(key: string): void {
    // Children before their folder; displays are taken while the whole path still resolves.
    const items = this.subtree(key).map(([k]) => [k, this.displayOf(k)] as const).reverse();
    if (this.opts.deletedFolderAsSingleEntry) {
      const seq = this.nextSeq();
      for (const [k, display] of items) {
        this.deletedPaths.set(k, { display, seq });
        this.dropEntry(k);
      }
      this.appendEvent({ seq, path: key, kind: 'deleted', display: this.deletedPaths.get(key)!.display });
      return;
    }
    for (const [k, display] of items) {
      const itemSeq = this.nextSeq();
      this.deletedPaths.set(k, { display, seq: itemSeq });
      this.dropEntry(k);
      this.appendEvent({ seq: itemSeq, path: k, kind: 'deleted', display });
    }
  }

  private putEntry(key: string, entry: Entry): void {
    const previous = this.entries.get(key);
    if (previous && previous.id !== entry.id) this.byId.delete(previous.id);
    this.entries.set(key, entry);
    this.byId.set(entry.id, key);
    this.deletedPaths.delete(key);
    if (entry.kind === 'folder' && !this.children.has(key)) this.children.set(key, new Set());
    this.children.get(remoteParent(key))!.add(key);
  }

  private dropEntry(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.byId.delete(entry.id);
    this.children.delete(key);
    this.children.get(remoteParent(key))?.delete(key);
  }

  private recordRevision(key: string, file: FileEntry): void {
    this.revisions.set(file.rev, {
      rev: file.rev,
      id: file.id,
      name: file.name,
      pathLower: key,
      pathDisplay: this.displayOf(key),
      size: file.size,
      contentHash: file.contentHash,
      clientModified: file.clientModified,
      serverModified: file.serverModified,
    });
  }

  private appendEvent(event: ChangeEvent): void {
    this.log.append(event);
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  private nextRev(): string {
    this.revCounter += 1;
    return this.revCounter.toString(16).padStart(9, '0') + this.revSuffix;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  // ---- persistence --------------------------------------------------------------------------

  snapshot(): NamespaceSnapshot {
    return {
      version: 1,
      instance: this.instance,
      seq: this.seq,
      revCounter: this.revCounter,
      revSuffix: this.revSuffix,
      epoch: this.cursorEpoch,
      entries: [...this.entries],
      deleted: [...this.deletedPaths],
      revisions: [...this.revisions.values()],
      log: this.log.snapshot(),
    };
  }

  restore(snap: NamespaceSnapshot): void {
    if (snap.version !== 1) throw new Error(`unsupported namespace snapshot version ${String(snap.version)}`);
    this.entries = new Map();
    this.children = new Map([['', new Set()]]);
    this.byId = new Map();
    // Parents sort before their children, so each parent's child set exists when a child arrives.
    for (const [key, entry] of [...snap.entries].sort(([a], [b]) => depth(a) - depth(b))) this.putEntry(key, entry);
    this.deletedPaths = new Map(snap.deleted);
    this.revisions = new Map(snap.revisions.map((r) => [r.rev, r]));
    this.log.restore(snap.log);
    this.instance = snap.instance;
    this.seq = snap.seq;
    this.revCounter = snap.revCounter;
    this.revSuffix = snap.revSuffix;
    this.cursorEpoch = snap.epoch;
  }
}


function depth(key: string): number {
  let n = 0;
  for (const ch of key) if (ch === '/') n++;
  return n;
}

function newId(): string {
  return `id:${randomBytes(16).toString('base64url')}`;
}

