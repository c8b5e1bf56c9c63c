// Putting files into the sync folder without ever showing a half-written one or silently
// replacing someone else's: downloads are committed from a temp file with fsync + rename, and
// engine-made renames refuse to overwrite.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { pathLower } from '../paths.js';
import { lstatOrNull } from './lstatOrNull.js';

/** Temp downloads live in `<root>/.twinfold/tmp/`: same file system as their target, ignored by scanner and watcher. */
export const TEMP_DIR_NAME = 'tmp';

/** A fresh temp file path in `<stateDir>/tmp/` (the folder is created; the file is not). */
export async function tempPathFor(stateDir: string): Promise<string> {
  const dir = nodePath.join(stateDir, TEMP_DIR_NAME);
  await mkdir(dir, { recursive: true });
  return nodePath.join(dir, `dl-${Date.now()}-${randomBytes(8).toString('hex')}.part`);
}

/** Some file systems cannot fsync a folder; that only weakens durability, so it is not an error there. */
const DIR_FSYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EPERM', 'EBADF']);

/** Makes the latest rename in `dir` survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!DIR_FSYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Moves a completely written (and already verified) temp file to `finalPath`: flushes its data and
 * its mtime to disk, creates missing parent folders, renames it into place (replacing an older
 * file atomically: readers see the old or the new content, never a mix), then flushes the folder
 * so the new name survives a crash. The temp file must be on the same file system.
 * With `replace: false` an existing `finalPath` is never replaced: the call rejects with
 * TargetExistsError and the temp file stays where it was (see renameNoReplace).
 */
export async function commitDownloadedFile(tempPath: string, finalPath: string, mtime: Date, opts: { replace?: boolean } = {}): Promise<void> {
  await flushDownloadedFile(tempPath, mtime);
  await placeDownloadedFile(tempPath, finalPath, opts);
}

/** First half of a commit: give the temp file its modification time and force it to disk. */
export async function flushDownloadedFile(tempPath: string, mtime: Date): Promise<void> {
  const handle = await open(tempPath, 'r+');
  try {
    await handle.utimes(new Date(), mtime);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Second half: rename the flushed temp file into place and make the new name durable. Kept
 * separate so a caller can check the target between the (slow) flush and the (instant) rename.
 */
export async function placeDownloadedFile(tempPath: string, finalPath: string, opts: { replace?: boolean } = {}): Promise<void> {
  const parent = nodePath.dirname(finalPath);
  await mkdir(parent, { recursive: true });
  if (opts.replace ?? true) await rename(tempPath, finalPath);
  else await renameNoReplace(tempPath, finalPath);
  await fsyncDir(parent);
}

export class TargetExistsError extends Error {
  readonly code = 'EEXIST';

  constructor(readonly from: string, readonly to: string) {
    super(`will not rename ${from} to ${to}: something is already there`);
    this.name = 'TargetExistsError';
  }
}


/**
 * A rename in place that only changes the case or Unicode form of the name: on a
 * case-insensitive file system (macOS, Windows, exFAT) the target "exists" and is the source.
 */
function isSameNameRespelled(from: string, to: string, fromStats: Stats, toStats: Stats): boolean {
  return (
    fromStats.ino === toStats.ino &&
    fromStats.dev === toStats.dev &&
    nodePath.dirname(from) === nodePath.dirname(to) &&
    pathLower(nodePath.basename(from)) === pathLower(nodePath.basename(to))
  );
}

/** link(2) failed because this file system has no hard links (FAT, some network and FUSE mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV']);

/**
 * Renames `from` to `to` but never replaces an existing `to` (rejects with TargetExistsError).
 * The parent of `to` must exist.
 *
 * Node has no renameat2(RENAME_NOREPLACE), so:
 * - Files: link(from, to), which fails atomically if `to` exists, then unlink(from). The unlink
 *   only drops the old name of an inode that stays reachable as `to`: no data is ever deleted,
 *   and the inode (which the engine uses to recognise moves) is kept. A crash in between leaves
 *   both names on one inode, never a loss.
 * - Folders, and files on file systems without hard links: check that `to` is free, then
 *   rename. Race: something created at `to` between the check and the rename. A file or a
 *   non-empty folder there makes rename fail (no loss); only an empty folder created in that
 *   window would be replaced. For files without hard links, a file created in that window would
 *   be replaced: the residual risk of this fallback.
 */
export async function renameNoReplace(from: string, to: string): Promise<void> {
  const fromStats = await lstat(from);
  if (!fromStats.isDirectory()) {
    try {
      await link(from, to);
      await unlink(from);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EEXIST' && !NO_HARD_LINKS.has(code)) throw error;
    }
  }
  const toStats = await lstatOrNull(to);
  if (toStats && !isSameNameRespelled(from, to, fromStats, toStats)) throw new TargetExistsError(from, to);
  await rename(from, to);
}
