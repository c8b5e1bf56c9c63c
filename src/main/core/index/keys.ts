// Key arithmetic for the index: subtree bounds for range scans and re-rooting paths on a move.
// Pure functions, no SQLite.
import type { PathKey } from '../engine/model.js';
import { IndexError } from './errors.js';

export { isSameOrBelow, keyDepth } from '../paths.js';

/**
 * Exclusive bounds of the keys strictly below `key`: every such key starts with `key + '/'`, and
 * under SQLite's BINARY collation (memcmp of UTF-8) those are exactly the keys in
 * (key + '/', key + '0'), because '0' (0x30) is the byte right after '/' (0x2F). Whatever follows
 * the '/' (including multi-byte UTF-8) cannot leave the range, and siblings such as '/a b' or
 * '/a-b' (bytes below '/') and '/ab' (above '0') fall outside it. Lets the query use the primary
 * key index instead of a LIKE scan (LIKE would also treat '%' and '_' in names as wildcards).
 */
export function belowBounds(key: PathKey): [lower: string, upper: string] {
  return [`${key}/`, `${key}0`];
}

/** Refuses keys the index must never store: the root '' and anything not shaped like '/x/y'. */
export function assertItemKey(key: PathKey): void {
  if (!key.startsWith('/') || key.endsWith('/')) throw new IndexError(`invalid index key ${JSON.stringify(key)}`);
}

/**
 * The path of `path` after the item `depth` components deep that contains it moved to `toPath`:
 * the first `depth` components are replaced, the rest kept as spelled. Counted in components,
 * not characters, because a display path and its key can differ in length (NFC, case folding).
 */
export function rebasePath(path: string, depth: number, toPath: string): string {
  // Find the slash that starts component depth + 1; everything from there on is kept.
  let slash = -1;
  for (let n = 0; n <= depth; n++) {
    slash = path.indexOf('/', slash + 1);
    if (slash < 0) return toPath;
  }
  return toPath + path.slice(slash);
}

