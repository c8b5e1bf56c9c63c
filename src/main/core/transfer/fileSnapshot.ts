// Reads a local file for upload as one consistent snapshot: sequential chunks (never the whole file
// in memory), the Dropbox content_hash of exactly the bytes read, and a final check that the file
// on disk is still the one that was read. A file edited mid-upload must be re-read, never
// committed torn, so any sign of change raises a retryable SyncError.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { ContentHasher } from '../contentHash.js';
import { SyncError, fsErrorToSyncError } from '../errors.js';

/** What identifies one version of a file on disk. ctime catches edits that restore the mtime. */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

function identityOf(s: Stats): FileIdentity {
  return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

export function changedWhileUploading(path: string): SyncError {
  return new SyncError({
    path,
    title: 'Changed while uploading',
    message: `“${path}” changed while it was being uploaded; it will be uploaded again.`,
    retryable: true,
  });
}

export class FileSnapshot {
  private readonly hasher = new ContentHasher();
  private position = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly absPath: string,
    /** Path relative to the synced folder, for errors. */
    readonly displayPath: string,
    readonly identity: FileIdentity,
  ) {}

  static async open(absPath: string, displayPath: string): Promise<FileSnapshot> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(absPath, 'r');
      const s = await handle.stat();
      if (!s.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      return new FileSnapshot(handle, absPath, displayPath, identityOf(s));
    } catch (err) {
      await handle?.close();
      throw fsErrorToSyncError(err, displayPath, 'reading');
    }
  }

  get size(): number {
    return this.identity.size;
  }

  get bytesRead(): number {
    return this.position;
  }

  /**
   * The next `maxBytes` bytes (fewer only for the last chunk), hashed as they are read. With
   * `into`, the bytes land in (a prefix of) that buffer, so a long upload reuses one chunk buffer
   * instead of leaving a trail of large garbage; the caller must be done with the previous chunk.
   * Hitting the end before the size seen at open time means the file changed.
   */
  async read(maxBytes: number, into?: Buffer): Promise<Buffer> {
    const want = Math.min(maxBytes, this.size - this.position);
    const buffer = into && into.length >= want ? into.subarray(0, want) : Buffer.allocUnsafe(want);
    let filled = 0;
    try {
      while (filled < want) {
        const { bytesRead } = await this.handle.read(buffer, filled, want - filled, this.position + filled);
        if (bytesRead === 0) throw changedWhileUploading(this.displayPath);
        filled += bytesRead;
      }
    } catch (err) {
      throw err instanceof SyncError ? err : fsErrorToSyncError(err, this.displayPath, 'reading');
    }
    this.position += want;
    this.hasher.update(buffer);
    return buffer;
  }

  get done(): boolean {
    return this.position >= this.size;
  }

  /** content_hash of everything read; call once, after the last read. */
  digest(): string {
    return this.hasher.digest();
  }

  /** Throws the retryable SyncError unless the file at the path is still the version that was read. */
  async assertUnchanged(): Promise<void> {
    let now: Stats;
    try {
      // stat the path, not the handle: an editor that saves by rename leaves our handle on the old file.
      now = await stat(this.absPath);
    } catch {
      throw changedWhileUploading(this.displayPath);
    }
    if (!sameIdentity(this.identity, identityOf(now))) throw changedWhileUploading(this.displayPath);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
