// The state of one folder pair on disk: taking its locks (the state folder, and the local folder's
// own `.twinfold` when the state lives elsewhere) and claiming an index for exactly one pair.
// Shared by the CLI and the app's pair manager, so both refuse to share a folder with the other.
import { mkdir } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { StateIndex } from './index/index.js';
import { lockStateDir, type StateLock } from './stateLock.js';
import { STATE_DIR_NAME } from './local/ignore.js';

/**
 * Locks the state folder and, when it is elsewhere, the folder's own `.twinfold` too: temp files
 * and the trash always live there, so two daemons must never share a local folder either.
 */
export async function lockPair(stateDir: string, localRoot: string): Promise<StateLock> {
  const localStateDir = nodePath.join(localRoot, STATE_DIR_NAME);
  const first = await lockStateDir(stateDir);
  if (nodePath.resolve(localStateDir) === nodePath.resolve(stateDir)) return first;
  try {
    await mkdir(localStateDir, { recursive: true, mode: 0o700 });
    const second = await lockStateDir(localStateDir);
    return { release: async () => (await second.release(), await first.release()) };
  } catch (err) {
    await first.release();
    throw err;
  }
}

/** Who a state index belongs to; an absent field is not checked (e.g. the account before sign-in). */
export interface PairIdentity {
  local_root?: string;
  remote_root?: string;
  account_id?: string;
}

/** The index already belongs to another pair: reusing it would mix up two merge bases. */
export class StateClaimedError extends Error {
  constructor(readonly field: keyof PairIdentity, readonly existing: string) {
    super(`the sync state belongs to another pair (${field.replace('_', ' ')} ${existing})`);
    this.name = 'StateClaimedError';
  }
}

/** Records `identity` in the index, or throws StateClaimedError (changing nothing) when it differs. */
export function claimPairState(index: StateIndex, identity: PairIdentity): void {
  const fields = Object.entries(identity).filter((entry): entry is [keyof PairIdentity, string] => entry[1] !== undefined);
  for (const [name, value] of fields) {
    const existing = index.getMeta(name);
    if (existing !== undefined && existing !== value) throw new StateClaimedError(name, existing);
  }
  index.transaction(() => {
    for (const [name, value] of fields) index.setMeta(name, value);
  });
}
