// What happens on this device when a synced folder becomes excluded (selective sync): local copies
// identical to the synced version go to the trash (they stay on Dropbox), anything changed or new
// stays on disk untouched, and the folder's merge base is dropped so it is no longer synced.
// Nothing the user made is ever removed: only exact copies of what Dropbox keeps.
import { lstat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { LocalItem, PathKey, SyncedItem, Tree } from './model.js';
import type { LocalTree } from './localTree.js';
import type { StateIndex } from '../index/index.js';
import { isSameOrBelow, pathLower, remoteParent, resolveInsideRoot } from '../paths.js';
import { moveToTrash } from '../local/trash.js';

export interface LeaveExcludedDeps {
  localRoot: string;
  /** The sync root's hidden folder; its `trash` is the fallback when the OS trash fails. */
  stateDir: string;
  local: LocalTree;
  index: StateIndex;
  now(): number;
  log(line: string): void;
}

/** The wording shown for a local item kept under an excluded folder. */
export const KEPT_EXCLUDED_DETAIL = 'kept, not synced because excluded';

/**
 * `leaving` holds the merge-base entries below excluded keys, grouped by nothing in particular;
 * `rootOf` maps each to its excluded key. Every root is handled, then its entries are forgotten.
 */
export async function leaveExcluded(deps: LeaveExcludedDeps, leaving: Tree<SyncedItem>, rootOf: (key: PathKey) => PathKey | undefined): Promise<void> {
  const roots = new Set<PathKey>();
  for (const key of leaving.keys()) {
    const root = rootOf(key);
    if (root !== undefined) roots.add(root);
  }
  for (const root of [...roots].sort()) await leaveOne(deps, root, leaving);
}

async function leaveOne(deps: LeaveExcludedDeps, root: PathKey, leaving: Tree<SyncedItem>): Promise<void> {
  const { local, index } = deps;
  const top = local.get(root);
  if (top) {
    // Look again now: only what is on disk at this moment may be compared and trashed.
    await local.refresh([top.path]);
    const below = [...local.tree().values()].filter((item) => isSameOrBelow(item.key, root));
    const problems = local.problems().map((p) => pathLower(p.path)).filter((key) => isSameOrBelow(key, root));
    for (const item of largestIdenticalParts(root, below, problems, leaving)) {
      await trashItem(deps, item, item.kind === 'folder' ? 'an unchanged folder' : 'an unchanged copy');
    }
    await local.refresh([top.path]);
  }
  index.deleteSyncedSubtree(root);
}

/**
 * The biggest pieces below `root` that hold nothing but identical copies: a folder goes as a
 * whole when everything in it is identical, else its identical children are considered. A folder
 * holding something kept (changed, new, or unreadable) stays, so it is never empty afterwards.
 */
export function largestIdenticalParts(root: PathKey, below: readonly LocalItem[], problemKeys: readonly PathKey[], leaving: Tree<SyncedItem>): LocalItem[] {
  const holdsKept = new Set<PathKey>();
  const markKept = (key: PathKey): void => {
    for (let k = key; k !== '' && !holdsKept.has(k); k = remoteParent(k)) {
      holdsKept.add(k);
      if (k === root) break;
    }
  };
  for (const item of below) if (!isIdentical(item, leaving.get(item.key))) markKept(item.key);
  for (const key of problemKeys) markKept(key);
  return below
    .filter((item) => !holdsKept.has(item.key) && (item.key === root || holdsKept.has(remoteParent(item.key))))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function isIdentical(item: LocalItem, synced: SyncedItem | undefined): boolean {
  if (!synced || synced.kind !== item.kind) return false;
  return item.kind === 'folder' || (item.contentHash !== undefined && item.contentHash === synced.contentHash);
}

async function trashItem(deps: LeaveExcludedDeps, item: LocalItem, what: string): Promise<void> {
  const abs = resolveInsideRoot(deps.localRoot, item.path);
  try {
    if (item.kind === 'file') {
      // The file must be the very one that was compared: a save since then makes it the user's.
      const now = await lstat(abs);
      if (now.ino !== item.inode || now.size !== item.size || now.mtimeMs !== item.mtimeMs) {
        deps.log(`${item.path}: ${KEPT_EXCLUDED_DETAIL} (it changed while being removed)`);
        return;
      }
    }
    const result = await moveToTrash(abs, nodePath.join(deps.stateDir, 'trash'));
    const place = result.where === 'os' ? 'the trash' : 'the Twinfold trash';
    const detail = `excluded from sync: ${what} moved to ${place}${result.location ? ` (${result.location})` : ''}; it stays on Dropbox`;
    deps.index.addActivity({ time: deps.now(), action: 'delete_local', path: item.path, detail });
    deps.log(`${item.path}: ${detail}`);
  } catch (err) {
    // Left in place: it is then one more local item kept under the excluded folder.
    deps.log(`${item.path}: could not move it to the trash (${err instanceof Error ? err.message : String(err)}); ${KEPT_EXCLUDED_DETAIL}`);
  }
}
