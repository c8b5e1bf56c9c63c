// Replacing a small file's whole contents (secrets, settings, ignore rules, the autostart entry) so a
// crash leaves the old version or the new one, never half of one: write a temp file next to it,
// fsync it, rename it over the old file. Callers create the folders and word the errors.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { fsyncDir } from './atomicWrite.js';

export interface ReplaceFileOptions {
  /** Mode of a new file; the umask still applies unless `exactMode`. */
  mode: number;
  /** Set `mode` exactly (despite the umask) before the first byte is written: for files holding secrets. */
  exactMode?: boolean;
  /** Where the temp file goes (an existing folder on the same file system); by default next to `file`. */
  tempDir?: string;
  /**
   * Also fsync `file`'s folder so the rename survives a crash; best effort, since some file systems
   * cannot. Default true; off for a caller that flushes the folder itself.
   */
  syncDir?: boolean;
}

// Unique per process and per call; O_EXCL never reuses (or follows a link planted at) an existing name.
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

function tempName(file: string, tempDir: string): string {
  return nodePath.join(tempDir, `.${nodePath.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Replaces `file` with `data` atomically; the temp file is removed if anything fails before the rename. */
export async function replaceFile(file: string, data: string, opts: ReplaceFileOptions): Promise<void> {
  const tmp = tempName(file, opts.tempDir ?? nodePath.dirname(file));
  try {
    const handle = await open(tmp, CREATE_EXCLUSIVE, opts.mode);
    try {
      if (opts.exactMode) await handle.chmod(opts.mode);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  if (opts.syncDir ?? true) await fsyncDir(nodePath.dirname(file)).catch(() => undefined);
}

/**
 * The same for a caller bound to a synchronous interface (SettingsStore.write). Without a folder
 * fsync, as that caller always was: a crash just after may bring back the previous file, never a broken one.
 */
export function replaceFileSync(file: string, data: string, mode: number): void {
  const tmp = tempName(file, nodePath.dirname(file));
  try {
    const fd = openSync(tmp, CREATE_EXCLUSIVE, mode);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The write's own error is the one to report.
    }
    throw err;
  }
}
