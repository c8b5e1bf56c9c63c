// Checks for a new or changed folder pair, made before anything is written: the local folder
// (absolute, exists, a folder, usable, clear of the app's state and of other pairs), the Dropbox
// path (well-formed, clear of other pairs) and the excluded subfolders. Failures are CallFailures
// whose message tells people what to choose instead.
import { access, constants, realpath, stat } from 'node:fs/promises';
import { fileSystemFoldsCase, localPathsOverlap, realpathOrNearest } from '../../core/localPaths.js';
import * as nodePath from 'node:path';
import { nameProblem, pathLower, isSameOrBelow } from '../../core/paths.js';
import { CallFailure } from '../types.js';

export { localPathsFoldCase, localPathsOverlap } from '../../core/localPaths.js';

const NAME_PROBLEMS: Record<NonNullable<ReturnType<typeof nameProblem>>, string> = {
  empty: 'an empty name (two slashes in a row?)',
  dot: 'a "." or ".." component',
  too_long: 'a name longer than 255 characters',
  bad_character: 'a backslash or a control character',
  trailing_space: 'a name ending in a space',
  disallowed: 'a name Dropbox does not allow',
};

/** Why a Dropbox path ('' or '/A/b') is unusable, or null. A trailing '/' is tolerated by the caller. */
export function remotePathProblem(path: string): string | null {
  if (path === '') return null;
  if (!path.startsWith('/')) return 'it must start with /';
  for (const part of path.slice(1).split('/')) {
    const problem = nameProblem(part);
    if (problem) return `it has ${NAME_PROBLEMS[problem]} (${JSON.stringify(part)})`;
  }
  return null;
}

/** '' for the whole Dropbox ('' or '/'), else '/A/b' without a trailing slash; bad_request otherwise. */
export function normalizeRemotePath(path: string, what = 'The Dropbox folder'): string {
  if (path === '' || path === '/') return '';
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const problem = remotePathProblem(trimmed);
  if (problem) throw new CallFailure('bad_request', `${what} ${JSON.stringify(path)} is not a valid Dropbox path: ${problem}.`);
  return trimmed;
}

/** True when one Dropbox path is the other or lies inside it ('' holds everything). */
export function remotePathsOverlap(a: string, b: string): boolean {
  const ka = pathLower(a);
  const kb = pathLower(b);
  return isSameOrBelow(ka, kb) || isSameOrBelow(kb, ka);
}

/**
 * Excluded subfolders, relative to the pair's Dropbox folder: each well-formed and not the folder
 * itself; duplicates (by path_lower) and ones inside another excluded folder are dropped.
 */
export function normalizeExcluded(paths: readonly string[]): string[] {
  const normalized = paths.map((p) => {
    const path = normalizeRemotePath(p, 'The excluded folder');
    if (path === '') throw new CallFailure('bad_request', 'The whole folder cannot be excluded; pause the pair or remove it instead.');
    return path;
  });
  const keys = normalized.map((p) => pathLower(p));
  return normalized.filter((_, i) => !keys.some((other, j) => (other === keys[i] ? j < i : isSameOrBelow(keys[i]!, other))));
}

/**
 * Checks a local folder for a new pair and returns its real path (what the pair stores).
 * `otherRoots` are the local folders of the existing pairs; `stateDir` is the app's state folder.
 */
export async function checkLocalFolder(localPath: string, opts: { stateDir: string; otherRoots: readonly string[] }): Promise<string> {
  if (!nodePath.isAbsolute(localPath)) throw new CallFailure('bad_request', `The folder must be given as an absolute path, not ${JSON.stringify(localPath)}.`);
  const stats = await stat(localPath).catch(() => undefined);
  if (!stats) throw new CallFailure('bad_request', `The folder ${localPath} does not exist.`);
  if (!stats.isDirectory()) throw new CallFailure('bad_request', `${localPath} is a file, not a folder.`);
  try {
    await access(localPath, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    throw new CallFailure('bad_request', `Twinfold cannot read and write in ${localPath}; check its permissions.`);
  }
  const real = await realpath(localPath);
  const foldCase = await fileSystemFoldsCase(real);
  const realState = await realpathOrNearest(nodePath.resolve(opts.stateDir));
  if (localPathsOverlap(real, realState, foldCase)) {
    throw new CallFailure('bad_request', `${localPath} holds Twinfold's own state (${opts.stateDir}) or lies inside it; choose another folder.`);
  }
  for (const other of opts.otherRoots) {
    const otherReal = await realpathOrNearest(other);
    if (localPathsOverlap(real, otherReal, foldCase)) {
      const relation =
        real.length === otherReal.length ? 'is already synced' : real.length < otherReal.length ? `contains the synced folder ${other}` : `is inside the synced folder ${other}`;
      throw new CallFailure('conflict', `${localPath} ${relation}; folder pairs must not overlap.`);
    }
  }
  return real;
}
