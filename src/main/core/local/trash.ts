// Deleting a local item means moving it somewhere the user can get it back: the OS trash when
// there is a usable one, else a dated folder inside the sync root's state folder. Never unlink.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename } from 'node:fs/promises';
import * as nodePath from 'node:path';
import trash from 'trash';
import { lstatOrNull } from './lstatOrNull.js';
import { localDate } from '../localDate.js';
import { errorMessage } from '../errors.js';

export interface TrashResult {
  where: 'os' | 'fallback';
  /** Where the item now is, when known (the OS trash on macOS and Windows does not say). */
  location?: string;
  /** Why the OS trash was not used, when the fallback was. */
  osError?: string;
}

/** Where a trashed item went, in the words the activity list uses. */
export function trashPlaceName(result: TrashResult): string {
  return result.where === 'os' ? 'the trash' : 'the Twinfold trash';
}

/** Moves one path to the OS trash; resolves with its new location when known. */
export type OsTrash = (absPath: string) => Promise<string | undefined>;

const defaultOsTrash: OsTrash = async (absPath) => {
  // glob: false, or a name like "[draft] *.txt" would be read as a pattern and could match others.
  const result: unknown = await trash(absPath, { glob: false });
  // On Linux the package resolves with [{ path, info }] although its types say void.
  const first: unknown = Array.isArray(result) ? result[0] : undefined;
  const location = (first as { path?: unknown } | undefined)?.path;
  return typeof location === 'string' ? location : undefined;
};

export class TrashError extends Error {
  constructor(readonly absPath: string, message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'TrashError';
  }
}

/**
 * Moves a file or folder to the OS trash; where that fails (no writable XDG trash, another
 * device, a headless server without a home) renames it into
 * `fallbackTrashDir/<YYYY-MM-DD>/<unique>/<name>`. `fallbackTrashDir` must be on the same file
 * system (the sync root's state folder): the fallback is a rename and never copies or deletes.
 * A missing `absPath` rejects with ENOENT.
 */
export async function moveToTrash(absPath: string, fallbackTrashDir: string, osTrash: OsTrash = defaultOsTrash): Promise<TrashResult> {
  const before = await lstat(absPath);
  let osError: unknown;
  try {
    const location = await osTrash(absPath);
    const after = await lstatOrNull(absPath);
    // The trash package skips a path it does not find instead of failing, so check it moved.
    // Another inode there now is something new the user made meanwhile, not ours to trash.
    if (!after || after.ino !== before.ino || after.dev !== before.dev) {
      return location === undefined ? { where: 'os' } : { where: 'os', location };
    }
    osError = new Error('the OS trash left the item in place');
  } catch (error) {
    osError = error;
    // The OS trash failed after moving it (e.g. writing its bookkeeping): it is out of the sync
    // folder and there is nothing left to move.
    if (!(await lstatOrNull(absPath))) return { where: 'os', osError: String(error) };
  }

  const dir = nodePath.join(fallbackTrashDir, localDate(new Date()), `${Date.now()}-${randomBytes(4).toString('hex')}`);
  const location = nodePath.join(dir, nodePath.basename(absPath));
  try {
    await mkdir(dir, { recursive: true });
    await rename(absPath, location);
  } catch (error) {
    throw new TrashError(absPath, `cannot move ${absPath} to the trash: OS trash failed (${errorMessage(osError)}); fallback failed (${errorMessage(error)})`, { cause: error });
  }
  return { where: 'fallback', location, osError: errorMessage(osError) };
}
