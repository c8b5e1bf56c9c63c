// The local folder must stay the folder the synced tree describes: an unplugged disk leaves an
// empty mount point at the same path, whose emptiness must never be mirrored as deletions.
import { lstat } from 'node:fs/promises';
import type { StateIndex } from '../index/index.js';

/** Index metadata: the inode of the local folder the synced tree belongs to. */
const ROOT_INODE_META = 'local_root_inode';

/**
 * The local folder is gone or is another folder now (an unplugged disk leaves an empty mount
 * point): its apparent emptiness must never be mirrored to Dropbox as deletions.
 */
export class LocalRootGoneError extends Error {
  constructor(readonly localRoot: string) {
    super(`the folder ${localRoot} is missing or is not the folder that was synced (an unplugged disk?); nothing is changed on Dropbox until it is back. If you replaced it on purpose, remove the folder pair and add it again`);
    this.name = 'LocalRootGoneError';
  }
}

export class LocalRootGuard {
  /** The root's inode at start: a different one later means another folder (or mount point). */
  private inode: number | undefined;

  constructor(private readonly localRoot: string, private readonly index: StateIndex) {}

  /**
   * At start: the folder must exist and be the one the synced tree describes, across restarts
   * too. A folder with nothing synced yet may be any folder.
   */
  async checkAtStart(): Promise<void> {
    const stats = await lstat(this.localRoot).catch(() => undefined);
    if (!stats?.isDirectory()) throw new Error(`the local folder ${this.localRoot} does not exist or is not a folder`);
    const recorded = this.index.getMeta(ROOT_INODE_META);
    if (recorded !== String(stats.ino)) {
      if (recorded !== undefined && this.index.allSynced().size > 0) throw new LocalRootGoneError(this.localRoot);
      this.index.setMeta(ROOT_INODE_META, String(stats.ino));
    }
    this.inode = stats.ino;
  }

  /** Before acting: refuses a root that vanished or was replaced since start. */
  async assertIntact(): Promise<void> {
    const stats = await lstat(this.localRoot).catch(() => undefined);
    if (!stats?.isDirectory() || (this.inode !== undefined && stats.ino !== this.inode)) throw new LocalRootGoneError(this.localRoot);
  }
}
