// The scanner's memory of content hashes, so an unchanged file is never read twice. An entry
// vouches only for what it saw: the same file (device and inode) with the same size, mtime and
// ctime, last changed safely before it was hashed. The index provides the durable
// implementation; this file holds the policy, the interface and an in-memory one for tests.
import type { Stats } from 'node:fs';
import { lstatOrNull } from './lstatOrNull.js';

/** What a cache entry is keyed and checked on. ctime cannot be set by tools (unlike mtime) and changes
 * whenever content or inode reuse happens, so a freed inode handed to a new file of the same size and
 * mtime does not match the old entry. */
export interface CacheStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export interface CacheEntry extends CacheStamp {
  hash: string;
  /** Wall-clock time when the hashed content was known (taken before reading began). */
  hashedAtMs: number;
}

/**
 * A file changed again within the file system's timestamp granularity (2 s on FAT, a clock tick on
 * ext4) after it was hashed keeps its stamp: so, as git does with "racily clean" entries, an entry
 * whose mtime or ctime is not at least this much older than its hash is not trusted, and the file
 * is read again (its new entry, hashed later, then is trusted).
 */
export const RACY_MARGIN_MS = 2000;

export function cacheStampOf(stats: Stats): CacheStamp {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

/** The entry's hash if it may stand for a file with this stamp, else undefined. */
export function trustedHash(entry: CacheEntry | undefined, stamp: CacheStamp): string | undefined {
  if (!entry) return undefined;
  const same = entry.dev === stamp.dev && entry.ino === stamp.ino && entry.size === stamp.size && entry.mtimeMs === stamp.mtimeMs && entry.ctimeMs === stamp.ctimeMs;
  if (!same) return undefined;
  const racy = Math.max(entry.mtimeMs, entry.ctimeMs) >= entry.hashedAtMs - RACY_MARGIN_MS;
  return racy ? undefined : entry.hash;
}

export interface HashCache {
  get(stamp: CacheStamp): string | undefined;
  /** Remembers `hash` for the file with `stamp`, replacing any older entry for its (dev, ino). */
  put(stamp: CacheStamp, hash: string, hashedAtMs: number): void;
}

/** Keeps one entry per (dev, inode), the latest, as a file's old hashes are never asked for again. */
export class MemoryHashCache implements HashCache {
  private readonly entries = new Map<string, CacheEntry>();

  get(stamp: CacheStamp): string | undefined {
    return trustedHash(this.entries.get(`${stamp.dev}:${stamp.ino}`), stamp);
  }

  put(stamp: CacheStamp, hash: string, hashedAtMs: number): void {
    this.entries.set(`${stamp.dev}:${stamp.ino}`, { ...stamp, hash, hashedAtMs });
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * After the engine put a verified file (`placed`: its stats just before the rename) at `absPath`:
 * the cache entry for that inode becomes the verified hash, so nothing an earlier file on the same
 * inode left behind survives. Skipped when another file is there already (a save right after).
 * The entry starts racy like any fresh one, so one later scan confirms it before it is trusted.
 */
export async function rememberPlacedFile(cache: HashCache, placed: Stats, absPath: string, hash: string, placedAtMs: number): Promise<void> {
  const now = await lstatOrNull(absPath);
  if (!now || now.dev !== placed.dev || now.ino !== placed.ino || now.size !== placed.size) return;
  cache.put(cacheStampOf(now), hash, placedAtMs);
}
