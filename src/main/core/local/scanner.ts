// Observes the local side: walks the synced folder (or part of it, for watcher hints) and returns
// the local tree keyed by path_lower, with content hashes, plus the problems that kept items out.
// Hashing is skipped for files the hash cache may vouch for (see hashCache.ts).
import { lstat, readdir, type Dirent, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { LocalItem, PathKey, Tree } from '../engine/model.js';
import { errorMessage } from '../errors.js';
import { nameProblem, pathLower } from '../paths.js';
import { cacheStampOf, type HashCache } from './hashCache.js';
import { hashFile, sameStamp, stampOf, type HashedFile } from './hashFile.js';
import type { IgnoreRules } from './ignore.js';
import { createLimiter } from './limiter.js';
import type { LocalProblem } from './problems.js';

/** The file-system calls the scanner makes; tests replace some to inject faults. */
export interface ScanFs {
  readdir(absDir: string): Promise<Dirent[]>;
  lstat(absPath: string): Promise<Stats>;
  hashFile(absPath: string, signal?: AbortSignal): Promise<HashedFile | null>;
}

export interface ScanOptions {
  ignore: IgnoreRules;
  hashCache: HashCache;
  signal?: AbortSignal;
  /** lstat calls in flight (default 64), shared by the folders being listed at once. */
  concurrency?: number;
  /** Overrides of the file-system calls, for fault-injection tests. */
  fs?: Partial<ScanFs>;
  /** Told the number of items found so far by this walk, as they are found (a live count for the status). */
  onProgress?: (items: number) => void;
  /** The wall clock that dates hash-cache entries (default Date.now); tests move it. */
  now?: () => number;
}

export interface ScanResult {
  tree: Tree<LocalItem>;
  problems: LocalProblem[];
}

/** The state of one subtree: replaces every local entry and problem at or below `key`. */
export interface StatResult extends ScanResult {
  key: PathKey;
}

/** The sync root itself is missing or unreadable: nothing can be said about its contents. */
export class LocalRootError extends Error {
  constructor(readonly root: string, options: { cause: unknown }) {
    super(`cannot scan the sync folder ${root}: ${errorMessage(options.cause)}`, options);
    this.name = 'LocalRootError';
  }
}

const DEFAULT_CONCURRENCY = 64;
// Folders being listed and lstat'ed at once. Walking every folder in parallel kept all their
// entries and Stats alive together (over 1 GB for 100k files); a few at a time, each with a
// share of the lstat budget, keep libuv's thread pool just as busy.
const FOLDER_CONCURRENCY = 8;
// Hashing is disk- and CPU-bound; a few at once overlap I/O without starving the lstat queue.
const HASH_CONCURRENCY = 4;

// The callback forms of lstat and readdir: fs/promises costs two to three times as much per call
// (measured with 64 in flight), and a rescan is mostly lstat calls.
const defaultFs: ScanFs = {
  readdir: (absDir) =>
    new Promise((resolve, reject) => readdir(absDir, { withFileTypes: true }, (error, entries) => (error ? reject(error) : resolve(entries)))),
  lstat: (absPath) => new Promise((resolve, reject) => lstat(absPath, (error, stats) => (error ? reject(error) : resolve(stats)))),
  hashFile,
};

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
}

function unreadable(path: string, error: unknown): LocalProblem {
  return { kind: 'unreadable', path, code: errorCode(error), message: errorMessage(error) };
}

function typeKnown(d: Dirent): boolean {
  return d.isFile() || d.isDirectory() || d.isSymbolicLink() || d.isFIFO() || d.isSocket() || d.isCharacterDevice() || d.isBlockDevice();
}

function byPath(a: LocalProblem, b: LocalProblem): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

/** '/a/b', 'a/b', 'a/b/' -> '/a/b'; '', '/' -> '' (the root). */
function normaliseRel(relPath: string): string {
  const parts = relPath.split('/').filter((p) => p !== '');
  return parts.length === 0 ? '' : `/${parts.join('/')}`;
}

interface Entry {
  rel: string;
  key: PathKey;
  stats: Stats;
}

/** Entries of one folder that may enter the tree (`kept`), and why the others may not. */
interface Classified {
  kept: Entry[];
  problems: LocalProblem[];
}

class StatFailure {
  constructor(readonly error: unknown) {}
}

/** What is shared by every subtree walked in one call: options, limits, cached listings. */
class ScanContext {
  readonly root: string;
  readonly fs: ScanFs;
  readonly folderLimit = createLimiter(FOLDER_CONCURRENCY);
  readonly hashLimit = createLimiter(HASH_CONCURRENCY);
  private readonly statsPerFolder: number;
  private readonly listings = new Map<string, Promise<Dirent[]>>();

  constructor(root: string, readonly opts: ScanOptions) {
    this.root = nodePath.resolve(root);
    this.fs = { ...defaultFs, ...opts.fs };
    const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    this.statsPerFolder = Math.ceil(concurrency / FOLDER_CONCURRENCY);
  }

  abs(rel: string): string {
    // Plain concatenation on POSIX: path.join's normalising showed up in profiles of large scans.
    if (nodePath.sep === '/') return this.root === '/' ? rel || '/' : this.root + rel;
    return rel === '' ? this.root : nodePath.join(this.root, ...rel.slice(1).split('/'));
  }

  checkAborted(): void {
    this.opts.signal?.throwIfAborted();
  }

  lstat(rel: string): Promise<Stats> {
    this.checkAborted();
    return this.fs.lstat(this.abs(rel));
  }

  readdir(rel: string): Promise<Dirent[]> {
    this.checkAborted();
    return this.fs.readdir(this.abs(rel));
  }

  /** A listing shared between the ancestors of several hinted paths; only used to resolve them. */
  cachedReaddir(rel: string): Promise<Dirent[]> {
    let listing = this.listings.get(rel);
    if (!listing) {
      listing = this.readdir(rel);
      this.listings.set(rel, listing);
    }
    return listing;
  }

  /**
   * lstat of every name in a folder by a few workers pulling from one list: a promise per call
   * and nothing else, since bookkeeping per entry dominated profiles of 100k-file rescans.
   */
  private async lstatAll(relDir: string, names: readonly string[]): Promise<(Stats | StatFailure)[]> {
    const results = new Array<Stats | StatFailure>(names.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < names.length) {
        const i = next++;
        try {
          results[i] = await this.lstat(`${relDir}/${names[i]}`);
        } catch (error) {
          this.checkAborted();
          results[i] = new StatFailure(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.statsPerFolder, names.length) }, worker));
    return results;
  }

  /**
   * Applies the rules that decide which entries of folder `relDir` enter the tree: ignored ones
   * vanish silently; symlinks, special files and invalid names become problems; of several names
   * with the same key, the first in sorted order of the raw names wins and the others conflict.
   */
  async classify(relDir: string, dirents: Dirent[]): Promise<Classified> {
    const { ignore } = this.opts;
    const problems: LocalProblem[] = [];
    const sorted = dirents
      .filter((d) => !(typeKnown(d) && ignore.isIgnored(`${relDir}/${d.name}`, d.isDirectory())))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const statted = await this.lstatAll(relDir, sorted.map((d) => d.name));
    const kept: Entry[] = [];
    const owners = new Map<PathKey, string>();
    for (let i = 0; i < sorted.length; i++) {
      const dirent = sorted[i] as Dirent;
      const stats = statted[i];
      const rel = `${relDir}/${dirent.name}`;
      if (stats instanceof StatFailure) {
        if (errorCode(stats.error) !== 'ENOENT') problems.push(unreadable(rel, stats.error));
        // Vanished since the listing, unless the name was not valid UTF-8 and could not be
        // spelled back: then it is there, and the user must hear about it.
        else if (dirent.name.includes('\uFFFD')) {
          problems.push({ kind: 'unreadable', path: rel, code: 'EILSEQ', message: `the name of ${JSON.stringify(rel)} is not valid UTF-8` });
        }
        continue;
      }
      if (!stats) continue;
      // Without a type from readdir (some file systems give none) the ignore check waited for lstat.
      if (!typeKnown(dirent) && ignore.isIgnored(rel, stats.isDirectory())) continue;
      if (stats.isSymbolicLink()) {
        problems.push({ kind: 'symlink', path: rel });
        continue;
      }
      if (!stats.isFile() && !stats.isDirectory()) {
        problems.push({ kind: 'special_file', path: rel });
        continue;
      }
      const invalid = nameProblem(dirent.name);
      if (invalid) {
        problems.push({ kind: 'invalid_name', path: rel, reason: invalid });
        continue;
      }
      const key = pathLower(rel);
      const owner = owners.get(key);
      if (owner !== undefined) {
        problems.push({ kind: 'case_conflict', path: rel, keptPath: owner });
        continue;
      }
      owners.set(key, rel);
      kept.push({ rel, key, stats });
    }
    return { kept, problems };
  }
}

/** Collects the items and problems of one subtree. */
class SubtreeWalk {
  readonly tree: Tree<LocalItem> = new Map();
  readonly problems: LocalProblem[] = [];

  constructor(private readonly ctx: ScanContext) {}

  result(): ScanResult {
    return { tree: this.tree, problems: this.problems.sort(byPath) };
  }

  async visit(entry: Entry): Promise<void> {
    if (entry.stats.isDirectory()) await this.visitFolder(entry.rel, entry.stats);
    else await this.visitFile(entry);
  }

  /** Lists the folder, records it (not for the root, ''), and visits its children in parallel. */
  async visitFolder(rel: string, stats: Stats): Promise<void> {
    const listed = await this.ctx.folderLimit(async () => {
      let dirents: Dirent[];
      try {
        dirents = await this.ctx.readdir(rel);
      } catch (error) {
        this.ctx.checkAborted();
        const code = errorCode(error);
        if (rel === '') throw new LocalRootError(this.ctx.root, { cause: error });
        // Replaced by a file since the lstat: the watcher will say so; for now it is in flux.
        if (code === 'ENOTDIR') this.problems.push({ kind: 'unstable', path: rel });
        else if (code !== 'ENOENT') this.problems.push(unreadable(rel, error));
        return null;
      }
      return this.ctx.classify(rel, dirents);
    });
    if (!listed) return;
    if (rel !== '') this.add(rel, pathLower(rel), 'folder', stats);
    this.problems.push(...listed.problems);
    const pending: Promise<void>[] = [];
    for (const entry of listed.kept) {
      // Unchanged files are the bulk of a rescan: settle them here without a promise each.
      if (!entry.stats.isDirectory() && this.addIfCached(entry)) continue;
      pending.push(this.visit(entry));
    }
    await Promise.all(pending);
  }

  private addIfCached({ rel, key, stats }: Entry): boolean {
    const cached = this.ctx.opts.hashCache.get(cacheStampOf(stats));
    if (cached === undefined) return false;
    this.add(rel, key, 'file', stats, cached);
    return true;
  }

  private async visitFile(entry: Entry): Promise<void> {
    if (this.addIfCached(entry)) return;
    const { rel, key, stats } = entry;
    // A file being written changes under the hasher: try once more, then give up for this scan.
    let current = stats;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0) {
        try {
          current = await this.ctx.lstat(rel);
        } catch (error) {
          this.ctx.checkAborted();
          if (errorCode(error) !== 'ENOENT') this.problems.push(unreadable(rel, error));
          return;
        }
        if (!current.isFile()) break;
      }
      let hashed: HashedFile | null;
      // Before reading: an entry is dated no later than the content it saw.
      const hashedAtMs = (this.ctx.opts.now ?? Date.now)();
      try {
        hashed = await this.ctx.hashLimit(() => this.ctx.fs.hashFile(this.ctx.abs(rel), this.ctx.opts.signal));
      } catch (error) {
        this.ctx.checkAborted();
        const code = errorCode(error);
        if (code === 'ENOENT') return;
        // ELOOP: O_NOFOLLOW met a symlink that replaced the file since the lstat.
        if (code === 'ELOOP') continue;
        this.problems.push(unreadable(rel, error));
        return;
      }
      const expected = stampOf(current);
      if (hashed && sameStamp(hashed.before, expected) && sameStamp(hashed.after, expected) && hashed.bytes === current.size) {
        this.ctx.opts.hashCache.put(cacheStampOf(current), hashed.hash, hashedAtMs);
        this.add(rel, key, 'file', current, hashed.hash);
        return;
      }
    }
    this.problems.push({ kind: 'unstable', path: rel });
  }

  private add(rel: string, key: PathKey, kind: 'file' | 'folder', stats: Stats, contentHash?: string): void {
    const item: LocalItem = {
      key,
      path: rel,
      kind,
      // A folder's st_size is file-system bookkeeping, not content.
      size: kind === 'file' ? stats.size : 0,
      mtimeMs: stats.mtimeMs,
      inode: stats.ino,
    };
    if (contentHash !== undefined) item.contentHash = contentHash;
    this.tree.set(item.key, item);
    this.ctx.opts.onProgress?.(this.tree.size);
  }
}

async function rootStats(root: string): Promise<Stats> {
  // The root alone may be a symlink (a user's ~/Dropbox pointing at another disk): follow it.
  let stats: Stats;
  try {
    stats = await stat(root);
  } catch (error) {
    throw new LocalRootError(root, { cause: error });
  }
  if (!stats.isDirectory()) throw new LocalRootError(root, { cause: new Error('not a folder') });
  return stats;
}

/** Walks the whole synced folder. Throws LocalRootError when the root itself cannot be listed. */
export async function scanLocal(root: string, opts: ScanOptions): Promise<ScanResult> {
  const ctx = new ScanContext(root, opts);
  const walk = new SubtreeWalk(ctx);
  await walk.visitFolder('', await rootStats(root));
  return walk.result();
}

/**
 * Re-observes one path (any spelling of its key) and, for a folder, its subtree, with the same
 * rules as scanLocal. An empty tree means nothing syncable is there (gone, ignored, or below
 * something that is not a syncable folder).
 */
export async function statLocal(root: string, relPath: string, opts: ScanOptions): Promise<StatResult> {
  const [result] = await statLocalMany(root, [relPath], opts);
  return result as StatResult;
}

/** statLocal for several paths at once, sharing the listings of common ancestors. */
export async function statLocalMany(root: string, relPaths: readonly string[], opts: ScanOptions): Promise<StatResult[]> {
  const ctx = new ScanContext(root, opts);
  const rootInfo = await rootStats(root);
  return Promise.all(
    relPaths.map(async (relPath) => {
      const rel = normaliseRel(relPath);
      const walk = new SubtreeWalk(ctx);
      if (rel === '') await walk.visitFolder('', rootInfo);
      else await statBelowRoot(ctx, walk, rel);
      return { key: pathLower(rel), ...walk.result() };
    }),
  );
}

/**
 * Finds the on-disk spelling of each ancestor of `rel` by key, exactly as a full scan would pick
 * it, then visits the entries of the last folder that carry the target's key.
 */
async function statBelowRoot(ctx: ScanContext, walk: SubtreeWalk, rel: string): Promise<void> {
  const parts = rel.slice(1).split('/');
  let dir = '';
  for (let i = 0; i < parts.length; i++) {
    const key = pathLower(`${dir}/${parts[i]}`);
    const parent = dir;
    // One folder slot per step, released before visiting: a visit takes slots of its own.
    const classified = await ctx.folderLimit(async () => {
      let dirents: Dirent[];
      try {
        dirents = await ctx.cachedReaddir(parent);
      } catch (error) {
        ctx.checkAborted();
        // The folder holding the target is gone, not a folder, or unreadable: a full scan reports
        // such a folder itself; the subtree asked about has nothing to add.
        if (parent !== '' || errorCode(error) === 'ENOENT') return null;
        throw new LocalRootError(ctx.root, { cause: error });
      }
      return ctx.classify(parent, dirents.filter((d) => pathLower(`${parent}/${d.name}`) === key));
    });
    if (!classified) return;
    const { kept, problems } = classified;
    const winner = kept[0];
    if (i === parts.length - 1) {
      walk.problems.push(...problems);
      if (winner) await walk.visit(winner);
      return;
    }
    if (!winner || !winner.stats.isDirectory()) return;
    dir = winner.rel;
  }
}
