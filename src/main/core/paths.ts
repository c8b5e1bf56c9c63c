// Dropbox path semantics shared by the engine and the emulator: normalisation, case folding,
// validation of names, and resolving untrusted remote paths strictly inside a local root.
import * as nodePath from 'node:path';

/** Lower-cases one code point at a time, like Python 2's unicode.lower() that Dropbox uses:
 * no context-sensitive final sigma, and U+0130 folds to a plain "i". No Unicode normalisation. */
export function foldCase(s: string): string {
  // toLowerCase agrees with Python except for those two cases; taking it directly matters for
  // speed and memory, as every path of a 100k-file tree goes through here.
  if (!/[\u03a3\u0130]/.test(s)) {
    const lower = s.toLowerCase();
    return lower === s ? s : lower;
  }
  let out = '';
  for (const ch of s) out += ch === '\u0130' ? 'i' : ch.toLowerCase();
  return out;
}

/** The key Dropbox compares paths by (`path_lower`): NFC, then case-folded. */
export function pathLower(path: string): string {
  return foldCase(path.normalize('NFC'));
}

/** Names Dropbox refuses with `path/disallowed_name` (compared case-insensitively). */
const DISALLOWED_NAMES = new Set(['desktop.ini', 'thumbs.db', '.ds_store', 'icon\r', '.dropbox', '.dropbox.attr']);

export function isDisallowedName(name: string): boolean {
  return DISALLOWED_NAMES.has(pathLower(name));
}

export type NameProblem = 'empty' | 'dot' | 'too_long' | 'bad_character' | 'trailing_space' | 'disallowed';

/** Why a single path component is unusable on Dropbox, or null when it is fine. */
export function nameProblem(name: string): NameProblem | null {
  if (name.length === 0) return 'empty';
  if (name === '.' || name === '..') return 'dot';
  if ([...name].length > 255) return 'too_long';
  // eslint-disable-next-line no-control-regex -- NUL and DEL are exactly what Dropbox refuses
  if (/[\\/\u0000\u007f]/.test(name)) return 'bad_character';
  if (name.endsWith(' ')) return 'trailing_space';
  if (isDisallowedName(name)) return 'disallowed';
  return null;
}

/** Joins Dropbox path components: ('' , 'a') -> '/a'. The root is ''. */
export function joinRemote(parent: string, name: string): string {
  return parent === '' || parent === '/' ? `/${name}` : `${parent}/${name}`;
}

export function remoteParent(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '' : path.slice(0, i);
}

export function remoteBasename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `child` is `ancestor` itself or lies below it (both path_lower keys). */
export function isSameOrBelow(child: string, ancestor: string): boolean {
  return ancestor === '' || child === ancestor || child.startsWith(`${ancestor}/`);
}

/** Number of components in a key: '/a/b' → 2, the root '' → 0. */
export function keyDepth(key: string): number {
  let n = 0;
  for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) n++;
  return n;
}

/** Code-unit order of keys: deterministic everywhere, and a parent sorts before its children. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class UnsafeRemotePathError extends Error {
  constructor(readonly remotePath: string, reason: string) {
    super(`refused remote path ${JSON.stringify(remotePath)}: ${reason}`);
    this.name = 'UnsafeRemotePathError';
  }
}

/**
 * Maps a remote path relative to the synced folder ('/a/b.txt') to an absolute local path that
 * is guaranteed to lie inside `localRoot`. Anything else (.., absolute tricks, NUL, backslashes,
 * empty components) throws: remote names are untrusted input.
 */
export function resolveInsideRoot(localRoot: string, relativeRemotePath: string): string {
  if (!relativeRemotePath.startsWith('/')) throw new UnsafeRemotePathError(relativeRemotePath, 'does not start with /');
  const parts = relativeRemotePath.slice(1).split('/');
  for (const part of parts) {
    const problem = nameProblem(part);
    if (problem === 'empty' || problem === 'dot' || problem === 'bad_character') {
      throw new UnsafeRemotePathError(relativeRemotePath, `component ${JSON.stringify(part)} is not a plain name`);
    }
    if (nodePath.sep === '\\' && /[<>:"|?*]/.test(part)) {
      throw new UnsafeRemotePathError(relativeRemotePath, `component ${JSON.stringify(part)} is not valid on Windows`);
    }
  }
  const root = nodePath.resolve(localRoot);
  const resolved = nodePath.resolve(root, ...parts);
  const rel = nodePath.relative(root, resolved);
  if (rel === '' || rel === '..' || rel.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(rel)) {
    throw new UnsafeRemotePathError(relativeRemotePath, 'resolves outside the sync root');
  }
  return resolved;
}
