// Comparing local folders the way the file system does: real paths (symlinks resolved), and
// case-insensitively where the file system folds case. Used to refuse overlapping folder pairs and
// state folders inside a synced folder, in this process and across processes.
import { lstat, realpath } from 'node:fs/promises';
import * as nodePath from 'node:path';

/** Whether local paths compare case-insensitively by default here (macOS and Windows). */
export function localPathsFoldCase(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

/** True when absolute `child` is `parent` or lies inside it. */
export function isSameOrInside(child: string, parent: string, foldCase = localPathsFoldCase()): boolean {
  const norm = (p: string) => (foldCase ? nodePath.resolve(p).toLowerCase() : nodePath.resolve(p));
  const rel = nodePath.relative(norm(parent), norm(child));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${nodePath.sep}`) && !nodePath.isAbsolute(rel));
}

/** True when one absolute local path is the other or lies inside it. */
export function localPathsOverlap(a: string, b: string, foldCase = localPathsFoldCase()): boolean {
  return isSameOrInside(a, b, foldCase) || isSameOrInside(b, a, foldCase);
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
export async function realpathOrNearest(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    const parent = nodePath.dirname(p);
    return parent === p ? p : nodePath.join(await realpathOrNearest(parent), nodePath.basename(p));
  }
}

/**
 * Whether the file system holding the existing real path `p` folds case: the same path with one
 * name's case swapped is looked up. A path without letters falls back to the platform's default.
 */
export async function fileSystemFoldsCase(p: string): Promise<boolean> {
  const parts = p.split(nodePath.sep);
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    const name = parts[i]!;
    const swapped = [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
    if (swapped === name) continue;
    const here = parts.slice(0, i + 1).join(nodePath.sep);
    const other = [...parts.slice(0, i), swapped].join(nodePath.sep);
    const [a, b] = await Promise.all([lstat(here).catch(() => undefined), lstat(other).catch(() => undefined)]);
    if (!a) return localPathsFoldCase();
    return b !== undefined && a.dev === b.dev && a.ino === b.ino;
  }
  return localPathsFoldCase();
}
