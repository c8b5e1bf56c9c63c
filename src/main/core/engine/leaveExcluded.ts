// What happens on this device when a synced folder becomes excluded (selective sync): local copies
// identical to the synced version go to the trash (they stay on Dropbox), anything changed or new
// stays on disk untouched, and the folder's merge base is dropped so it is no longer synced.
// Nothing the user made is ever removed: only exact copies of what Dropbox keeps. A folder is
// never trashed as a whole, as it may hold what the scan leaves out (ignored files, OS junk such
// as .DS_Store, anything made since the scan): its identical files go one by one, each checked
// again just before, and then the folders left empty are removed with a plain rmdir.
import { lstat, rmdir } from 'node:fs/promises';
import type { LocalItem, PathKey, SyncedItem, Tree } from './model.js';
import type { LocalTree } from './localTree.js';
import type { StateIndex } from '../index/index.js';
import { compareKeys, isSameOrBelow, pathLower, remoteParent, resolveInsideRoot } from '../paths.js';
import { errorMessage } from '../errors.js';
import { trashPlaceName } from '../local/trash.js';
import { expectedEntries, safeTrash } from '../local/safeTrash.js';

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
 * The one note for the local files kept under excluded folder `root`, e.g. "2 files stay on this
 * device, not synced because excluded: new.txt, two.jpg" (at most three named, relative to it).
 */
export function keptExcludedSummary(root: PathKey, files: readonly LocalItem[]): string {
  const depth = root.split('/').length;
  const names = files.map((f) => f.path.split('/').slice(depth).join('/')).sort();
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return `${names.length} ${names.length === 1 ? 'file stays' : 'files stay'} on this device, not synced because excluded: ${shown}`;
}

/**
 * `leaving` holds the merge-base entries at or below the excluded keys `roots` (as split by
 * Exclusions). Every root is handled, then its entries are forgotten.
 */
export async function leaveExcluded(deps: LeaveExcludedDeps, leaving: Tree<SyncedItem>, roots: ReadonlySet<PathKey>): Promise<void> {
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
    const { files, folders } = identicalItems(largestIdenticalParts(root, below, problems, leaving), below);
    for (const file of files) await trashFile(deps, file);
    // Deepest first, so a folder's emptied subfolders are gone before it is tried.
    for (const folder of folders) await removeIfEmpty(deps, folder);
    await local.refresh([top.path]);
  }
  index.deleteSyncedSubtree(root);
}

/**
 * The files and folders that make up `parts`: files in key order, folders deepest first (a key
 * sorts after every key it lies below, so descending order puts children before parents).
 */
function identicalItems(parts: readonly LocalItem[], below: readonly LocalItem[]): { files: LocalItem[]; folders: LocalItem[] } {
  const all = new Map<PathKey, LocalItem>();
  for (const part of parts) {
    if (part.kind === 'file') all.set(part.key, part);
    else for (const item of below) if (isSameOrBelow(item.key, part.key)) all.set(item.key, item);
  }
  const sorted = [...all.values()].sort((a, b) => compareKeys(a.key, b.key));
  return { files: sorted.filter((i) => i.kind === 'file'), folders: sorted.filter((i) => i.kind === 'folder').reverse() };
}

/**
 * The biggest pieces below `root` that hold nothing scanned but identical copies: a folder is one
 * piece when everything scanned in it is identical, else its identical children are considered.
 * A folder holding something kept (changed, new, or unreadable) stays. The scan does not see
 * everything (ignored files, OS junk), so a piece is never trashed whole: see identicalItems.
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
    .sort((a, b) => compareKeys(a.key, b.key));
}

function isIdentical(item: LocalItem, synced: SyncedItem | undefined): boolean {
  if (!synced || synced.kind !== item.kind) return false;
  return item.kind === 'folder' || (item.contentHash !== undefined && item.contentHash === synced.contentHash);
}

async function trashFile(deps: LeaveExcludedDeps, item: LocalItem): Promise<void> {
  try {
    // The file must be the very one that was compared: a save since then makes it the user's.
    const outcome = await safeTrash({ localRoot: deps.localRoot, stateDir: deps.stateDir, path: item.path, expected: expectedEntries(item, [item]) });
    if (!outcome.trashed) {
      const where = outcome.restoredAs === undefined ? '' : `, now ${outcome.restoredAs}`;
      if (outcome.reason === 'changed') deps.log(`${item.path}: ${KEPT_EXCLUDED_DETAIL} (it changed while being removed${where})`);
      return;
    }
    const { result } = outcome;
    const detail = `excluded from sync: an unchanged copy moved to ${trashPlaceName(result)}${result.location ? ` (${result.location})` : ''}; it stays on Dropbox`;
    deps.index.addActivity({ time: deps.now(), action: 'delete_local', path: item.path, detail });
    deps.log(`${item.path}: ${detail}`);
  } catch (err) {
    // Left in place (or already gone): a file still there is one more local item kept under the excluded folder.
    deps.log(`${item.path}: could not move it to the trash (${errorMessage(err)}); ${KEPT_EXCLUDED_DETAIL}`);
  }
}

/**
 * Removes a folder whose identical files were trashed, only if it is now empty: a plain rmdir,
 * never recursive. Not empty means it holds something the scan did not compare (ignored, junk,
 * new, or kept): it stays on disk, not synced.
 */
async function removeIfEmpty(deps: LeaveExcludedDeps, item: LocalItem): Promise<void> {
  const abs = resolveInsideRoot(deps.localRoot, item.path);
  try {
    const now = await lstat(abs);
    // Another folder (or a link) in its place since the scan is not ours to remove.
    if (!now.isDirectory() || now.ino !== item.inode) return;
    await rmdir(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') deps.log(`${item.path}: holds items that are not synced; ${KEPT_EXCLUDED_DETAIL}`);
    else if (code !== 'ENOENT') deps.log(`${item.path}: could not remove the emptied folder (${errorMessage(err)}); ${KEPT_EXCLUDED_DETAIL}`);
    return;
  }
  const detail = 'excluded from sync: removed here as it was empty; it stays on Dropbox';
  deps.index.addActivity({ time: deps.now(), action: 'delete_local', path: item.path, detail });
  deps.log(`${item.path}: ${detail}`);
}
