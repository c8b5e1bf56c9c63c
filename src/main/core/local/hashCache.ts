// The scanner's memory of content hashes: (inode, size, mtime) -> Dropbox content_hash, so an
// unchanged file is never read twice. The index provides the durable implementation; this file
// holds the interface and an in-memory one for tests and short-lived tools.

export interface HashCache {
  get(inode: number, size: number, mtimeMs: number): string | undefined;
  put(inode: number, size: number, mtimeMs: number, hash: string): void;
}

/** Keeps one entry per inode (the latest), as a file's old hashes are never asked for again. */
export class MemoryHashCache implements HashCache {
  private readonly entries = new Map<number, { size: number; mtimeMs: number; hash: string }>();

  get(inode: number, size: number, mtimeMs: number): string | undefined {
    const entry = this.entries.get(inode);
    return entry && entry.size === size && entry.mtimeMs === mtimeMs ? entry.hash : undefined;
  }

  put(inode: number, size: number, mtimeMs: number, hash: string): void {
    this.entries.set(inode, { size, mtimeMs, hash });
  }

  get size(): number {
    return this.entries.size;
  }
}
