// Deleting a local item means moving it somewhere the user can get it back: the OS trash when
// there is a usable one, else a dated folder inside the sync root's state folder. Never unlink.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as nodePath from 'node:path';
import trash from 'trash';
import { lstatOrNull } from './lstatOrNull.js';
import { replaceFile } from './replaceFile.js';
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

/**
 * Moves one path to the OS trash; resolves with its new location when known. `origin`, when
 * given, is the path to show as where the item came from (it was moved aside before trashing).
 */
export type OsTrash = (absPath: string, origin?: string) => Promise<string | undefined>;

const defaultOsTrash: OsTrash = async (absPath, origin) => {
  // glob: false, or a name like "[draft] *.txt" would be read as a pattern and could match others.
  const result: unknown = await trash(absPath, { glob: false });
  // On Linux the package resolves with [{ path, info }] although its types say void.
  const first = (Array.isArray(result) ? result[0] : undefined) as { path?: unknown; info?: unknown } | undefined;
  if (origin !== undefined && typeof first?.info === 'string') await recordOrigin(first.info, origin).catch(() => undefined);
  return typeof first?.path === 'string' ? first.path : undefined;
};

/**
 * Rewrites the `Path=` of a freedesktop `.trashinfo` file, so that the file manager's "Restore"
 * puts the item back where the user had it rather than in the state folder it was trashed from.
 * Best effort: the item is in the trash either way.
 */
async function recordOrigin(infoPath: string, origin: string): Promise<void> {
  const text = await readFile(infoPath, 'utf8');
  // The spec wants the path URL-escaped (RFC 2396), segment by segment.
  const escaped = origin.split('/').map(encodeURIComponent).join('/');
  await replaceFile(infoPath, text.replace(/^Path=.*$/m, () => `Path=${escaped}`), { mode: 0o600 });
}

export class TrashError extends Error {
  constructor(readonly absPath: string, message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'TrashError';
  }
}

/** The device a path is on; injectable so tests can pretend a folder is a mount point. */
export type DeviceOf = (absPath: string) => Promise<number>;

const deviceOf: DeviceOf = async (absPath) => (await lstat(absPath)).dev;

/**
 * Whether the OS trash could put `absPath` inside `syncRoot`. Each OS keeps a trash at the top of
 * every drive other than the home drive (freedesktop `.Trash-<uid>` or `.Trash/<uid>`, macOS
 * `.Trashes`; Windows `$RECYCLE.BIN` on every drive, the home's too), so it can when a folder
 * between `absPath` and `syncRoot` (included) is the top of such a drive. A trash there would
 * be in the synced folder itself: the deleted file, and the bookkeeping naming its local path,
 * would look like new files to sync. A trash outside the root on the same drive does not exist,
 * and copying elsewhere could fail half-way, so such items go to the fallback in the state folder.
 */
export async function osTrashCouldLandInside(absPath: string, syncRoot: string, devOf: DeviceOf = deviceOf, platform = process.platform): Promise<boolean> {
  const root = nodePath.resolve(syncRoot);
  const homeDevice = platform === 'win32' ? undefined : await devOf(homedir()).catch(() => undefined);
  for (let dir = nodePath.dirname(nodePath.resolve(absPath)); ; dir = nodePath.dirname(dir)) {
    const parent = nodePath.dirname(dir);
    const device = await devOf(dir);
    const isDriveTop = parent === dir || (await devOf(parent)) !== device;
    if (isDriveTop && device !== homeDevice) return true;
    if (dir === root || parent === dir) return false;
  }
}

export interface MoveToTrashOptions {
  /** Where the item was before it was moved aside to be trashed, to show in the OS trash. */
  origin?: string;
  /** The synced folder: the OS trash is not used where it would land inside it (see osTrashCouldLandInside). */
  keepOutOf?: string;
  devOf?: DeviceOf;
}

/**
 * Moves a file or folder to the OS trash; where that fails (no writable XDG trash, another
 * device, a headless server without a home) renames it into
 * `fallbackTrashDir/<YYYY-MM-DD>/<unique>/<name>`. `fallbackTrashDir` must be on the same file
 * system (the sync root's state folder): the fallback is a rename and never copies or deletes.
 * With `keepOutOf`, the OS trash is skipped where it would land inside that folder.
 * A missing `absPath` rejects with ENOENT.
 */
export async function moveToTrash(absPath: string, fallbackTrashDir: string, osTrash: OsTrash = defaultOsTrash, options: MoveToTrashOptions = {}): Promise<TrashResult> {
  const before = await lstat(absPath);
  let osError: unknown;
  if (options.keepOutOf !== undefined && (await osTrashCouldLandInside(absPath, options.keepOutOf, options.devOf))) {
    osError = new Error('the OS trash of this drive is inside the synced folder');
    return moveToFallback(absPath, fallbackTrashDir, osError);
  }
  try {
    const location = await osTrash(absPath, options.origin);
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
  return moveToFallback(absPath, fallbackTrashDir, osError);
}

async function moveToFallback(absPath: string, fallbackTrashDir: string, osError: unknown): Promise<TrashResult> {
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
