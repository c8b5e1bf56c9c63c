// Selective sync: Dropbox subfolders this device does not sync. The engine plans without them on
// all three sides (nothing below them is downloaded, uploaded or deleted); this module answers
// "is this key excluded?" and splits trees into what is planned and what is left out.
import type { PathKey, Tree } from './model.js';
import { pathLower, remoteParent } from '../paths.js';

export interface ExcludedSplit<T> {
  /** What the planner sees. The input tree itself when nothing is excluded. */
  included: Tree<T>;
  /** Items at or below an excluded key. */
  excluded: Tree<T>;
  /** The excluded keys that hold at least one item in the tree. */
  presentRoots: Set<PathKey>;
}

/** The key of an excluded path: '/A/b/' and '/a/B' are the same folder. */
export function exclusionKey(path: string): PathKey {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return pathLower(trimmed);
}

export class Exclusions {
  private readonly keys: ReadonlySet<PathKey>;

  constructor(paths: readonly string[] = []) {
    this.keys = new Set(paths.map(exclusionKey).filter((key) => key !== '' && key !== '/'));
  }

  /** The excluded key at or above `key`, if any. Walks up the ancestors: O(depth), not O(exclusions). */
  rootOf(key: PathKey): PathKey | undefined {
    if (this.keys.size === 0) return undefined;
    for (let k = key; k !== ''; k = remoteParent(k)) if (this.keys.has(k)) return k;
    return undefined;
  }

  split<T extends { key: PathKey }>(tree: Tree<T>): ExcludedSplit<T> {
    const excluded: Tree<T> = new Map();
    const presentRoots = new Set<PathKey>();
    if (this.keys.size === 0) return { included: tree, excluded, presentRoots };
    const included: Tree<T> = new Map();
    for (const [key, item] of tree) {
      const root = this.rootOf(key);
      if (root === undefined) {
        included.set(key, item);
      } else {
        excluded.set(key, item);
        presentRoots.add(root);
      }
    }
    return { included, excluded, presentRoots };
  }
}
