// Trashing a local item so that an edit always beats the delete, at every instant. Checking the
// item and then trashing it leaves a window in which a save lands and goes to the trash with it.
// So the item is first renamed into a private place in the state folder (same file system: an
// atomic rename, and out of the user's and their editors' reach), then compared with what the
// plan saw; only an exact match goes on to the trash. Anything else is put back. A crash in
// between leaves it in the private place, and recoverPendingTrash puts it back at the next start.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, readFile, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as nodePath from 'node:path';
import { conflictedCopyName } from '../engine/conflictNames.js';
import type { LocalItem } from '../engine/model.js';
import { localDate } from '../localDate.js';
import { resolveInsideRoot } from '../paths.js';
import { renameNoReplace } from './atomicWrite.js';
import { lstatOrNull } from './lstatOrNull.js';
import { replaceFile } from './replaceFile.js';
import { moveToTrash, type OsTrash, type TrashResult } from './trash.js';

/** `<stateDir>/trashing/<unique>/` holds one item on its way to the trash, and its origin. */
export const PENDING_TRASH_DIR_NAME = 'trashing';
/** The fallback trash inside the state folder, for when the OS trash cannot be used. */
export const FALLBACK_TRASH_DIR_NAME = 'trash';
const ORIGIN_FILE = 'origin.json';

/** One entry as the plan saw it on disk. */
export interface ExpectedEntry {
  kind: 'file' | 'folder';
  inode: number;
  size: number;
  mtimeMs: number;
}

export interface SafeTrashRequest {
  localRoot: string;
  stateDir: string;
  /** The item, relative to the root, '/' separated, as spelled on disk. */
  path: string;
  /**
   * What the plan saw: '' for the item itself and, for a folder, '/sub/name' (as spelled on disk,
   * relative to the item) for every entry below it.
   */
  expected: ReadonlyMap<string, ExpectedEntry>;
  /**
   * Entries below a folder that the plan left out on purpose (ignored, or known problems such as
   * a symlink); `path` is relative to the root. These go to the trash with their folder.
   */
  leftOut?(path: string, isDirectory: boolean): boolean;
  osTrash?: OsTrash;
}

export type SafeTrashOutcome =
  | { trashed: true; result: TrashResult }
  /** Not trashed: gone already, or not what the plan saw (`restoredAs`: put back under another name, relative to the root). */
  | { trashed: false; reason: 'gone' | 'changed'; restoredAs?: string };

/** Test seams: run between the steps, where a user's save could land. */
export const safeTrashSeams: {
  beforePrivateRename?: (absPath: string) => Promise<void>;
  afterPrivateRename?: (privatePath: string) => Promise<void>;
} = {};

/** The expected entries of `top` from scanned items (the tree holding it and what is below it). */
export function expectedEntries(top: LocalItem, items: Iterable<LocalItem>): Map<string, ExpectedEntry> {
  const expected = new Map<string, ExpectedEntry>();
  for (const item of items) {
    if (item.path !== top.path && !item.path.startsWith(`${top.path}/`)) continue;
    expected.set(item.path.slice(top.path.length), { kind: item.kind, inode: item.inode, size: item.size, mtimeMs: item.mtimeMs });
  }
  return expected;
}

function sameEntry(stats: Stats, expected: ExpectedEntry | undefined): boolean {
  if (!expected) return false;
  if (expected.kind === 'folder') return stats.isDirectory() && stats.ino === expected.inode;
  return stats.isFile() && stats.ino === expected.inode && stats.size === expected.size && stats.mtimeMs === expected.mtimeMs;
}

/** Moves the item at `request.path` to the trash if, and only if, it is exactly what was expected. */
export async function safeTrash(request: SafeTrashRequest): Promise<SafeTrashOutcome> {
  const { localRoot, stateDir, path } = request;
  const absPath = resolveInsideRoot(localRoot, path);
  const before = await lstatOrNull(absPath);
  if (!before) return { trashed: false, reason: 'gone' };
  if (!sameEntry(before, request.expected.get(''))) return { trashed: false, reason: 'changed' };

  const place = await createPendingPlace(stateDir, path);
  const privatePath = nodePath.join(place, nodePath.basename(absPath));
  await safeTrashSeams.beforePrivateRename?.(absPath);
  try {
    await rename(absPath, privatePath);
  } catch (error) {
    await removePendingPlace(place);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { trashed: false, reason: 'gone' };
    throw error;
  }
  await safeTrashSeams.afterPrivateRename?.(privatePath);

  let exact: boolean;
  try {
    exact = await isExactlyExpected(privatePath, request);
  } catch (error) {
    // Could not look (e.g. an unreadable subfolder): not known to be what was planned.
    await restore(localRoot, privatePath, path);
    await removePendingPlace(place);
    throw error;
  }
  if (!exact) {
    const restoredAs = await restore(localRoot, privatePath, path);
    await removePendingPlace(place);
    return restoredAs === path ? { trashed: false, reason: 'changed' } : { trashed: false, reason: 'changed', restoredAs };
  }
  let result: TrashResult;
  try {
    result = await moveToTrash(privatePath, nodePath.join(stateDir, FALLBACK_TRASH_DIR_NAME), request.osTrash, { keepOutOf: localRoot, origin: absPath });
  } catch (error) {
    await restore(localRoot, privatePath, path);
    await removePendingPlace(place);
    throw error;
  }
  await removePendingPlace(place);
  return { trashed: true, result };
}

/** A fresh private folder with the item's origin written (and flushed) before the item moves in. */
async function createPendingPlace(stateDir: string, relPath: string): Promise<string> {
  const place = nodePath.join(stateDir, PENDING_TRASH_DIR_NAME, `${Date.now()}-${randomBytes(6).toString('hex')}`);
  await mkdir(place, { recursive: true });
  await replaceFile(nodePath.join(place, ORIGIN_FILE), JSON.stringify({ path: relPath }), { mode: 0o600 });
  return place;
}

/** Removes an emptied private place: its origin record, then the folder (never recursively). */
async function removePendingPlace(place: string): Promise<void> {
  await unlink(nodePath.join(place, ORIGIN_FILE)).catch(() => undefined);
  await rmdir(place);
}

/**
 * The private copy holds exactly the expected entries: the same inodes (and for files the same
 * size and mtime), none missing, nothing extra except what the plan left out on purpose. The
 * rename itself changes the item's ctime, so ctime cannot be compared here.
 */
async function isExactlyExpected(privatePath: string, request: SafeTrashRequest): Promise<boolean> {
  const top = await lstatOrNull(privatePath);
  if (!top || !sameEntry(top, request.expected.get(''))) return false;
  if (!top.isDirectory()) return true;
  const seen = new Set<string>(['']);
  const walk = async (below: string): Promise<boolean> => {
    for (const name of await readdir(nodePath.join(privatePath, below))) {
      const rel = `${below}/${name}`;
      const stats = await lstatOrNull(nodePath.join(privatePath, rel));
      if (!stats) return false;
      const expected = request.expected.get(rel);
      if (!expected) {
        if (request.leftOut?.(`${request.path}${rel}`, stats.isDirectory())) continue;
        return false;
      }
      if (!sameEntry(stats, expected)) return false;
      seen.add(rel);
      if (stats.isDirectory() && !(await walk(rel))) return false;
    }
    return true;
  };
  return (await walk('')) && seen.size === request.expected.size;
}

/**
 * Puts the item back at `relPath` without replacing anything; if that name was reused meanwhile,
 * under a conflicted-copy name beside it. Returns where it went, relative to the root.
 */
async function restore(localRoot: string, privatePath: string, relPath: string): Promise<string> {
  const stats = await lstatOrNull(privatePath);
  if (!stats) return relPath;
  const kind = stats.isDirectory() ? 'folder' : 'file';
  const parent = nodePath.posix.dirname(relPath);
  const name = nodePath.posix.basename(relPath);
  // Its folder may have been deleted or moved meanwhile: recreate it rather than lose the item.
  if (parent !== '/') await mkdir(resolveInsideRoot(localRoot, parent), { recursive: true });
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? relPath : nodePath.posix.join(parent, conflictedCopyName(name, kind, hostname(), localDate(new Date()), n - 1));
    try {
      await renameNoReplace(privatePath, resolveInsideRoot(localRoot, candidate));
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

export interface RecoveredItem {
  /** Where it was put back, relative to the root. */
  path: string;
  /** Where it was on its way to the trash. */
  from: string;
}

/**
 * Puts back every item left in the private place by a crash between the rename and the trash:
 * nothing was trashed yet, so the item returns where it was (or beside it, if the name was reused).
 * An item without an origin (e.g. restored there from the OS trash) goes back to the root.
 * Call at engine start, before the first scan.
 */
export async function recoverPendingTrash(localRoot: string, stateDir: string): Promise<RecoveredItem[]> {
  const pending = nodePath.join(stateDir, PENDING_TRASH_DIR_NAME);
  let places: string[];
  try {
    places = await readdir(pending);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const recovered: RecoveredItem[] = [];
  for (const entry of places.sort()) {
    const place = nodePath.join(pending, entry);
    const origin = await readOrigin(place);
    for (const name of await readdir(place)) {
      if (name === ORIGIN_FILE) continue;
      const privatePath = nodePath.join(place, name);
      const target = origin !== undefined && nodePath.posix.basename(origin) === name ? origin : `/${name}`;
      recovered.push({ from: privatePath, path: await restore(localRoot, privatePath, target) });
    }
    await removePendingPlace(place);
  }
  return recovered;
}

async function readOrigin(place: string): Promise<string | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(nodePath.join(place, ORIGIN_FILE), 'utf8'));
    const path = (parsed as { path?: unknown } | null)?.path;
    return typeof path === 'string' && path.startsWith('/') ? path : undefined;
  } catch {
    return undefined;
  }
}
