// File contents, stored once per content_hash: in memory, or as files in the data directory
// written through a temp file and rename so a crash never leaves a partial blob under its name.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BlobStore {
  put(hash: string, data: Buffer): Promise<void>;
  get(hash: string): Promise<Buffer>;
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();

  async put(hash: string, data: Buffer): Promise<void> {
    if (!this.blobs.has(hash)) this.blobs.set(hash, data);
  }

  async get(hash: string): Promise<Buffer> {
    const data = this.blobs.get(hash);
    if (!data) throw new Error(`missing blob ${hash}`);
    return data;
  }
}

export class DirBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<DirBlobStore> {
    await mkdir(dir, { recursive: true });
    return new DirBlobStore(dir);
  }

  async put(hash: string, data: Buffer): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a content hash: ${hash}`);
    const target = join(this.dir, hash);
    if (await exists(target)) return;
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, data, { flush: true });
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async get(hash: string): Promise<Buffer> {
    return readFile(join(this.dir, hash));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
