// An in-process Dropbox: the emulator's namespace model (case-insensitive and case-preserving
// paths, ids, revs, update-rev conflicts, cursors, deletes in the change feed) behind a
// RemoteProvider adapter that maps results and errors exactly as the real DropboxProvider does
// (the same metadata parsers and HTTP error mapping), without HTTP. Every provider call passes
// through a hook, where the simulation's scheduler injects faults, user edits and crashes.
import { writeFile } from 'node:fs/promises';
import type { RemoteItem } from '../../src/main/core/engine/model.js';
import { contentHashOf } from '../../src/main/core/contentHash.js';
import { NetworkError, RateLimitError, RemoteNotFoundError, ServerError, VerificationError } from '../../src/main/core/errors.js';
import { pathLower } from '../../src/main/core/paths.js';
import type { ChangePage, DownloadOptions, RemoteAccount, RemoteProvider, UploadOptions } from '../../src/main/core/remote/provider.js';
import { mapHttpFailure } from '../../src/main/core/remote/dropbox/errorMapping.js';
import { RootScope, parseCreatedFolder, parseFileMetadata, parseItemMetadata, parseListPage, parseMovedItem } from '../../src/main/core/remote/dropbox/metadata.js';
import { dropboxTimestamp } from '../../src/main/core/remote/dropbox/upload.js';
import { FileSnapshot } from '../../src/main/core/transfer/fileSnapshot.js';
import { decodeCursor, encodeCursor, type CursorState } from '../../src/emulator/cursors.js';
import { LookupFailure, nest, RouteError, summaryChain, tag, WriteFailure } from '../../src/emulator/errors.js';
import { changesSince, checkCursor, initialListing, listedFolderSeq, takePage, type ListedItem } from '../../src/emulator/listing.js';
import { Namespace } from '../../src/emulator/namespace.js';
import type { PathArg } from '../../src/emulator/pathArgs.js';

export const REMOTE_ROOT = '/Sync';

/** The server: one namespace plus the contents behind its content hashes. */
export class SimServer {
  readonly ns: Namespace;
  private readonly blobs = new Map<string, string>();
  /** Contents of files at the moment they were deleted: Dropbox keeps these as deleted-file revisions. */
  readonly deletedVersions = new Set<string>();

  constructor(now: () => number, deletedFolderAsSingleEntry: boolean) {
    this.ns = new Namespace({ deletedFolderAsSingleEntry, now: () => new Date(now()) });
  }

  store(content: string): { hash: string; size: number } {
    const hash = contentHashOf(Buffer.from(content));
    this.blobs.set(hash, content);
    return { hash, size: Buffer.byteLength(content) };
  }

  content(hash: string): string {
    const content = this.blobs.get(hash);
    if (content === undefined) throw new Error(`missing blob ${hash}`);
    return content;
  }

  /** files/delete_v2, remembering the deleted files' contents (once it succeeded). */
  delete(arg: PathArg, parentRev?: string): Record<string, unknown> {
    const key = arg.kind === 'path' ? keyOf(arg.components) : undefined;
    const files = key !== undefined && this.ns.entry(key) ? this.filesBelow(key) : [];
    const result = this.ns.delete(arg, parentRev);
    for (const file of files) this.deletedVersions.add(file.content);
    return result;
  }

  /** Live files at or below `key` ('' is everything), by key. */
  filesBelow(key: string): { key: string; display: string; content: string }[] {
    const out: { key: string; display: string; content: string }[] = [];
    const visit = (k: string): void => {
      const entry = k === '' ? undefined : this.ns.entry(k);
      if (entry?.kind === 'file') out.push({ key: k, display: this.ns.displayOf(k), content: this.content(entry.contentHash) });
      for (const child of this.ns.childKeys(k)) visit(child);
    };
    visit(key);
    return out;
  }
}

function keyOf(components: string[]): string {
  return components.length === 0 ? '' : pathLower(`/${components.join('/')}`);
}

/** Splits a Dropbox path ('/Sync/a/b') into PathArg components. */
export function pathArg(dropboxPath: string): PathArg {
  return { kind: 'path', components: dropboxPath === '' ? [] : dropboxPath.slice(1).split('/') };
}

export type CallName = 'listAll' | 'listContinue' | 'getMetadata' | 'upload' | 'download' | 'createFolder' | 'delete' | 'move';

/** Decides, per provider call, what goes wrong; see Simulation for the implementation. */
export interface CallHooks {
  /** Before the call takes effect: may run user ops, throw a fault, or never resolve (a crash). */
  before(call: CallName, relPath: string): Promise<void>;
  /** After it took effect, before the answer arrives: the same, for mutations. */
  after(call: CallName, relPath: string): Promise<void>;
  /** For listContinue: answer with no news although there is some (a lagging feed). */
  lagFeed(): boolean;
}

/** Converts an emulator route error into what the real provider would throw for its HTTP 409. */
function asHttpFailure(err: unknown, route: string, path: string): unknown {
  let routeError: RouteError | undefined;
  if (err instanceof RouteError) routeError = err;
  else if (err instanceof LookupFailure || err instanceof WriteFailure) routeError = new RouteError(nest('path', err.reason));
  if (!routeError) return err;
  const body = { error_summary: `${summaryChain(routeError.error)}/`, error: routeError.error };
  return mapHttpFailure({ status: 409, headers: undefined, body }, { route, path });
}

export class SimProvider implements RemoteProvider {
  private readonly scope = new RootScope(REMOTE_ROOT);

  constructor(
    private readonly server: SimServer,
    private readonly hooks: CallHooks,
    /** list_folder page size: small ones exercise paging. */
    private readonly pageLimit: number,
    /** A deliberately broken server, to prove the oracle notices: uploads ignore the update rev. */
    private readonly ignoreUpdateRev = false,
  ) {}

  private async call<T>(name: CallName, route: string, relPath: string, effect: () => T | Promise<T>): Promise<T> {
    await this.hooks.before(name, relPath);
    let result: T;
    try {
      result = await effect();
    } catch (err) {
      throw asHttpFailure(err, route, relPath);
    }
    await this.hooks.after(name, relPath);
    return result;
  }

  async getAccount(): Promise<RemoteAccount> {
    return { accountId: 'dbid:sim', displayName: 'Sim User', email: 'sim@example.com' };
  }

  listAll(): Promise<ChangePage> {
    return this.call('listAll', 'files/list_folder', '', () => {
      const ns = this.server.ns;
      let path: string;
      let folderSeq: number;
      try {
        path = ns.resolve(pathArg(this.scope.root));
        folderSeq = listedFolderSeq(ns, path);
      } catch (err) {
        if (err instanceof LookupFailure) throw new RouteError(nest('path', err.reason));
        throw err;
      }
      const cursor: CursorState = { ns: ns.instanceId, epoch: ns.epoch, path, recursive: true, includeDeleted: false, pos: 0, initialUpTo: ns.head, folderSeq, limit: this.pageLimit };
      return this.page(cursor, initialListing(ns, { path, recursive: true }, false));
    });
  }

  listContinue(raw: string): Promise<ChangePage> {
    return this.call('listContinue', 'files/list_folder/continue', '', () => {
      const ns = this.server.ns;
      const cursor = decodeCursor(raw, ns.instanceId);
      const check = checkCursor(ns, cursor);
      if (check === 'reset') throw new RouteError(tag('reset'));
      if (check === 'folder_gone') throw new RouteError(nest('path', tag('not_found')));
      if (this.hooks.lagFeed()) return parseListPage({ entries: [], cursor: raw, has_more: false }, this.scope, silent);
      return this.page(cursor, changesSince(ns, cursor));
    });
  }

  private page(cursor: CursorState, items: ListedItem[]): ChangePage {
    const { page, hasMore } = takePage(items, cursor.limit);
    const pos = hasMore ? page[page.length - 1]!.seq : this.server.ns.head;
    const result = { entries: page.map((i) => i.meta), cursor: encodeCursor({ ...cursor, pos }), has_more: hasMore };
    return parseListPage(result, this.scope, silent);
  }

  async waitForChanges(cursor: string): Promise<{ changes: boolean }> {
    const state = decodeCursor(cursor, this.server.ns.instanceId);
    return { changes: checkCursor(this.server.ns, state) !== 'ok' || changesSince(this.server.ns, state).length > 0 };
  }

  async getMetadata(relPath: string): Promise<RemoteItem | undefined> {
    try {
      return await this.call('getMetadata', 'files/get_metadata', relPath, () =>
        parseItemMetadata(this.server.ns.getMetadata(pathArg(this.scope.toDropbox(relPath)), false), this.scope, relPath),
      );
    } catch (err) {
      if (err instanceof RemoteNotFoundError) return undefined;
      throw err;
    }
  }

  async upload(localAbsPath: string, relPath: string, opts: UploadOptions): Promise<RemoteItem> {
    // The real uploader's file reading: the bytes sent are the bytes hashed, checked unchanged.
    const snapshot = await FileSnapshot.open(localAbsPath, relPath);
    let data: Buffer;
    let clientModified: string | undefined;
    try {
      data = await snapshot.read(snapshot.size);
      await snapshot.assertUnchanged();
      clientModified = dropboxTimestamp(opts.clientModified ?? new Date(snapshot.identity.mtimeMs));
    } finally {
      await snapshot.close();
    }
    const hash = contentHashOf(data);
    const meta = await this.call('upload', 'files/upload', relPath, () => {
      this.server.store(data.toString('utf8'));
      return this.server.ns.commitFile(
        {
          path: pathArg(this.scope.toDropbox(relPath)),
          mode: this.ignoreUpdateRev ? { '.tag': 'overwrite' } : opts.parentRev ? { '.tag': 'update', update: opts.parentRev } : { '.tag': 'add' },
          autorename: false,
          strictConflict: false,
          ...(clientModified ? { clientModified } : {}),
        },
        { hash, size: data.length },
      );
    });
    const item = parseFileMetadata(meta, this.scope, relPath, 'upload result');
    if (item.contentHash !== hash) throw new VerificationError(relPath, hash, item.contentHash ?? '', 'Dropbox stored different content');
    return item;
  }

  async download(relPath: string, destPath: string, opts: DownloadOptions): Promise<RemoteItem> {
    const { meta, content } = await this.call('download', 'files/download', relPath, () => {
      const ns = this.server.ns;
      const key = ns.resolve(pathArg(this.scope.toDropbox(relPath)));
      const entry = ns.entry(key);
      if (entry?.kind !== 'file') throw new RouteError(nest('path', tag('not_file')));
      return { meta: ns.fileMetadata(key), content: this.server.content(entry.contentHash) };
    });
    const item = parseFileMetadata(meta, this.scope, relPath, 'Dropbox-API-Result');
    await writeFile(destPath, content);
    const actual = contentHashOf(Buffer.from(content));
    if (opts.expectedHash !== undefined && actual !== opts.expectedHash) {
      throw new VerificationError(relPath, opts.expectedHash, actual, 'content differs from the version expected');
    }
    return item;
  }

  createFolder(relPath: string): Promise<RemoteItem> {
    return this.call('createFolder', 'files/create_folder_v2', relPath, () => {
      const meta = this.server.ns.createFolder(pathArg(this.scope.toDropbox(relPath)), false);
      return parseCreatedFolder({ metadata: meta }, this.scope, relPath);
    });
  }

  async delete(relPath: string, opts: { parentRev?: string } = {}): Promise<void> {
    await this.call('delete', 'files/delete_v2', relPath, () => this.server.delete(pathArg(this.scope.toDropbox(relPath)), opts.parentRev));
  }

  move(fromRelPath: string, toRelPath: string): Promise<RemoteItem> {
    return this.call('move', 'files/move_v2', toRelPath, () => {
      const meta = this.server.ns.move(pathArg(this.scope.toDropbox(fromRelPath)), pathArg(this.scope.toDropbox(toRelPath)), false);
      return parseMovedItem({ metadata: meta }, this.scope, toRelPath);
    });
  }
}

const silent = { warn: () => {} };

/** Faults a call can fail with, as the real provider would throw them once its retries gave up. */
export function faultError(kind: 'network' | 'rate_limit' | 'server', call: CallName): Error {
  switch (kind) {
    case 'network':
      return new NetworkError(`Simulated connection failure during ${call}`);
    case 'rate_limit':
      return new RateLimitError(0, 'too_many_requests');
    case 'server':
      return new ServerError(503);
  }
}

