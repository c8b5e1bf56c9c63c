// The state of one folder pair on disk: taking its locks (the state folder, and the local folder's
// own `.twinfold` when the state lives elsewhere) and claiming an index for exactly one pair.
// Shared by the CLI and the app's pair manager, so both refuse to share a folder with the other.
import { realpathSync } from 'node:fs';
import { access, constants, mkdir, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { StateIndex } from './index/index.js';
import { lockStateDir, type LockOptions, type StateLock, type StateLostError } from './stateLock.js';
import { STATE_DIR_NAME } from './local/ignore.js';
import { StateFailure, stateFailureMessage } from './errors.js';

/**
 * Creates a state folder (private), or throws a StateFailure saying which folder and why: "the disk
 * holding X is read-only", not "ENOENT mkdir".
 */
export async function makeStateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new StateFailure(stateFailureMessage(await rootCause(err, dir), dir, 'create the state folder'), { cause: err });
  }
}

/** mkdir can say ENOENT where the real trouble is that the nearest existing folder is not writable. */
async function rootCause(err: unknown, dir: string): Promise<unknown> {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return err;
  let ancestor = nodePath.dirname(dir);
  while (!(await stat(ancestor).catch(() => undefined)) && nodePath.dirname(ancestor) !== ancestor) ancestor = nodePath.dirname(ancestor);
  return access(ancestor, constants.W_OK).then(
    () => err,
    (denied: unknown) => denied,
  );
}

/**
 * Locks the state folder and, when it is elsewhere, the folder's own `.twinfold` too: temp files
 * and the trash always live there, so two daemons must never share a local folder either. The
 * pair is lost when either folder is deleted or replaced.
 */
export async function lockPair(stateDir: string, localRoot: string, opts: LockOptions = {}): Promise<StateLock> {
  const localStateDir = nodePath.join(localRoot, STATE_DIR_NAME);
  const first = await lockStateDir(stateDir, opts);
  if (nodePath.resolve(localStateDir) === nodePath.resolve(stateDir)) return first;
  try {
    await mkdir(localStateDir, { recursive: true, mode: 0o700 });
    return bothLocks(first, await lockStateDir(localStateDir, opts));
  } catch (err) {
    await first.release();
    throw err;
  }
}

function bothLocks(first: StateLock, second: StateLock): StateLock {
  return {
    stateDir: first.stateDir,
    get lost() {
      return first.lost ?? second.lost;
    },
    onLost(listener) {
      let told = false;
      const once = (err: StateLostError) => {
        if (told) return;
        told = true;
        listener(err);
      };
      const offs = [first.onLost(once), second.onLost(once)];
      return () => offs.forEach((off) => off());
    },
    release: async () => (await second.release(), await first.release()),
  };
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
    if (existing !== undefined && existing !== value && !(name === 'local_root' && realpathOrSelf(existing) === value)) throw new StateClaimedError(name, existing);
  }
  index.transaction(() => {
    for (const [name, value] of fields) index.setMeta(name, value);
  });
}

/** An index claimed through a symlink (before roots were resolved) still belongs to the real folder. */
function realpathOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
