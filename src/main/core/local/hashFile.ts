// Hashes one local file for the scanner and says whether it held still while being read: the
// caller compares the stamps with its lstat to catch files that are being written right now.
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { ContentHasher } from '../contentHash.js';

/** The parts of a stat that change when a file's content may have changed. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

export function stampOf(stats: Stats): FileStamp {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export interface HashedFile {
  hash: string;
  bytes: number;
  /** fstat of the opened file before and after reading it. */
  before: FileStamp;
  after: FileStamp;
}

const CHUNK = 1024 * 1024;
// NOFOLLOW: the path may have become a symlink since the caller's lstat; never hash a target
// outside the root. NONBLOCK: if it became a FIFO, opening must not hang (no effect on regular files).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Hashes `absPath`; resolves to null when it is no longer a regular file. Honours `signal` between chunks. */
export async function hashFile(absPath: string, signal?: AbortSignal): Promise<HashedFile | null> {
  signal?.throwIfAborted();
  const handle = await open(absPath, OPEN_FLAGS);
  try {
    const first = await handle.stat();
    if (!first.isFile()) return null;
    const hasher = new ContentHasher();
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, first.size + 1));
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
    }
    const last = await handle.stat();
    return { hash: hasher.digest(), bytes: hasher.bytesHashed, before: stampOf(first), after: stampOf(last) };
  } finally {
    await handle.close();
  }
}
