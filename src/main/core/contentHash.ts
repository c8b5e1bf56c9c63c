// Dropbox's content_hash: SHA-256 over the concatenated SHA-256 digests of 4 MiB blocks.
// Used by the engine (to compare local files with remote ones) and by the emulator.
import { createHash, type Hash } from 'node:crypto';

export const DROPBOX_BLOCK_SIZE = 4 * 1024 * 1024;

/** Incremental hasher: feed chunks of any size, then call digest() once. */
export class ContentHasher {
  private readonly overall: Hash = createHash('sha256');
  private block: Hash = createHash('sha256');
  private blockFill = 0;
  private total = 0;

  update(chunk: Uint8Array): this {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(DROPBOX_BLOCK_SIZE - this.blockFill, chunk.length - offset);
      this.block.update(chunk.subarray(offset, offset + take));
      this.blockFill += take;
      offset += take;
      if (this.blockFill === DROPBOX_BLOCK_SIZE) this.flushBlock();
    }
    this.total += chunk.length;
    return this;
  }

  get bytesHashed(): number {
    return this.total;
  }

  digest(): string {
    if (this.blockFill > 0) this.flushBlock();
    return this.overall.digest('hex');
  }

  private flushBlock(): void {
    this.overall.update(this.block.digest());
    this.block = createHash('sha256');
    this.blockFill = 0;
  }
}

export function contentHashOf(data: Uint8Array): string {
  return new ContentHasher().update(data).digest();
}
