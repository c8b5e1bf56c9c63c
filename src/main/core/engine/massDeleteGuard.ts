// The mass-delete guard: one pass that would delete most of the synced files is far more often
// a mistake (an unmounted disk, a wiped folder, a wrong remote path) than an intention.
import type { Op, SyncedItem, Tree } from './model.js';
import { remoteParent } from '../paths.js';

export interface MassDeletePolicy {
  /** Share of the synced files above which a pass is held back. */
  ratio: number;
  /** Passes deleting at most this many files always go through. */
  floor: number;
}

export const DEFAULT_MASS_DELETE_POLICY: MassDeletePolicy = { ratio: 0.5, floor: 10 };

export type MassDeleteVerdict =
  | { blocked: false }
  | { blocked: true; deleting: number; total: number; side: 'local' | 'remote' | 'both' };

/** Counts the synced files the pass would delete (a folder delete counts every file below it). */
export function checkMassDelete(ops: Op[], synced: Tree<SyncedItem>, policy = DEFAULT_MASS_DELETE_POLICY): MassDeleteVerdict {
  const deleteRoots = new Map<string, 'local' | 'remote'>();
  for (const op of ops) {
    if (op.type === 'trashLocal') deleteRoots.set(op.key, 'local');
    if (op.type === 'deleteRemote') deleteRoots.set(op.key, 'remote');
  }
  if (deleteRoots.size === 0) return { blocked: false };
  let total = 0;
  let deleting = 0;
  const sides = new Set<'local' | 'remote'>();
  for (const item of synced.values()) {
    if (item.kind !== 'file') continue;
    total += 1;
    const side = deletingSide(item.key, deleteRoots);
    if (side) {
      deleting += 1;
      sides.add(side);
    }
  }
  if (deleting <= policy.floor || deleting <= total * policy.ratio) return { blocked: false };
  const side = sides.size === 2 ? 'both' : sides.has('local') ? 'local' : 'remote';
  return { blocked: true, deleting, total, side };
}

/** The side deleting `key`, found by walking up its ancestors (O(depth), not O(deletes)). */
function deletingSide(key: string, deleteRoots: Map<string, 'local' | 'remote'>): 'local' | 'remote' | undefined {
  for (let k = key; k !== ''; k = remoteParent(k)) {
    const side = deleteRoots.get(k);
    if (side) return side;
  }
  return undefined;
}
