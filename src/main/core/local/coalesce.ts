// Turns a burst of file-watcher events into the smallest set of paths to re-stat. Events are
// only hints: the scanner's statLocal looks at each path (and, for a folder, its subtree) afresh,
// so what happened matters less than where.
import { pathLower } from '../paths.js';

export type WatchEventType = 'add' | 'addDir' | 'change' | 'unlink' | 'unlinkDir';

export interface WatchEvent {
  type: WatchEventType;
  /** Relative to the synced folder, '/' separated, e.g. '/a/b.txt'. */
  path: string;
}

/**
 * Paths to re-stat, sorted, none below another. Paths are compared by key (NFC + case folding)
 * because statLocal resolves a path by its key: 'a.txt' renamed to 'A.txt' needs one re-stat.
 * Of several spellings of one key the smallest is kept, so the result does not depend on order.
 * An event for the root itself ('' or '/') yields [''], a full rescan.
 */
export function coalesceEvents(events: readonly WatchEvent[]): { paths: string[] } {
  const byKey = new Map<string, string>();
  for (const event of events) {
    const trimmed = event.path.replace(/\/+$/, '');
    const path = trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
    const key = pathLower(path);
    const known = byKey.get(key);
    if (known === undefined || path < known) byKey.set(key, path);
  }
  const paths: string[] = [];
  for (const [key, path] of byKey) {
    if (!hasAncestorIn(key, byKey)) paths.push(path);
  }
  return { paths: paths.sort() };
}

/** True when a proper ancestor of `key` (the root '' included) is itself in `keys`. */
function hasAncestorIn(key: string, keys: ReadonlyMap<string, unknown>): boolean {
  for (let cut = key.lastIndexOf('/'); cut >= 0; cut = key.lastIndexOf('/', cut - 1)) {
    if (keys.has(key.slice(0, cut))) return true;
    if (cut === 0) break;
  }
  return false;
}
