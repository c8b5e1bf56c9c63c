// The per-user registry of folders being synced right now, by any Twinfold process (the app,
// `serve`, `twinfold sync`): it lets a new pair see pairs run by OTHER processes and refuse to
// overlap them. An entry is `<id>.json` (root, state folder, pid) beside `<id>.lock`, a file lock
// its process holds while the pair runs: an entry whose lock is free belongs to a process that is
// gone (even after kill -9) and is swept away.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { defaultSecretsDir } from './secrets/fileStore.js';
import { STATE_DIR_NAME } from './local/ignore.js';
import { fileSystemFoldsCase, isSameOrInside, localPathsOverlap, realpathOrNearest } from './localPaths.js';
import { isFileLockHeld, takeFileLock } from './stateLock.js';

/** One running pair: real paths, as the file system compares them. */
export interface ActiveRoot {
  root: string;
  stateDir: string;
  foldCase: boolean;
  pid: number;
}

/** Where the registry lives by default: beside the user's settings, shared by every Twinfold. */
export function activeRootsDir(env: NodeJS.ProcessEnv = process.env): string {
  return nodePath.join(defaultSecretsDir(env), 'active');
}

/** Why a pair cannot run beside `other`, said for people. */
export class PairOverlapError extends Error {
  constructor(
    message: string,
    readonly other: ActiveRoot,
  ) {
    super(message);
    this.name = 'PairOverlapError';
  }
}

function who(other: ActiveRoot): string {
  return other.pid === process.pid ? 'by this Twinfold' : `by another Twinfold process (pid ${other.pid})`;
}

/**
 * Why a pair (`root` with its state in `stateDir`) cannot run beside `other`, or undefined. A state
 * folder may only lie inside a synced folder as (or inside) its `.twinfold`, which is never synced.
 */
export function overlapProblem(mine: Omit<ActiveRoot, 'pid'>, other: ActiveRoot): string | undefined {
  const fold = mine.foldCase || other.foldCase;
  // Said as the state folder's own lock says it.
  if (isSameOrInside(mine.stateDir, other.stateDir, fold) && isSameOrInside(other.stateDir, mine.stateDir, fold)) {
    return `${other.pid === process.pid ? 'this Twinfold' : `another Twinfold process (pid ${other.pid})`} is already syncing with the state folder ${mine.stateDir}`;
  }
  if (localPathsOverlap(mine.root, other.root, fold)) {
    const relation = isSameOrInside(other.root, mine.root, fold)
      ? isSameOrInside(mine.root, other.root, fold)
        ? 'is already synced'
        : `contains the folder ${other.root}, synced`
      : `is inside the folder ${other.root}, synced`;
    return `${mine.root} ${relation} ${who(other)}; folder pairs must not overlap`;
  }
  const stateInside = (state: string, root: string) => isSameOrInside(state, root, fold) && !isSameOrInside(state, nodePath.join(root, STATE_DIR_NAME), fold);
  if (stateInside(mine.stateDir, other.root)) return `the state folder ${mine.stateDir} is inside ${other.root}, synced ${who(other)}; choose a state folder outside it`;
  if (isSameOrInside(mine.root, other.stateDir, fold)) return `${mine.root} lies inside the state folder ${other.stateDir} of a pair synced ${who(other)}; choose another folder`;
  if (isSameOrInside(other.stateDir, mine.root, fold) && !isSameOrInside(other.stateDir, nodePath.join(mine.root, STATE_DIR_NAME), fold)) {
    return `${mine.root} holds the state folder ${other.stateDir} of a pair synced ${who(other)}; choose another folder`;
  }
  return undefined;
}

/** A pair's folders as the registry compares them: real paths, and whether the file system folds case. */
export async function pairPaths(localRoot: string, stateDir: string): Promise<Omit<ActiveRoot, 'pid'>> {
  const root = await realpathOrNearest(nodePath.resolve(localRoot));
  return { root, stateDir: await realpathOrNearest(nodePath.resolve(stateDir)), foldCase: await fileSystemFoldsCase(root) };
}

/**
 * Why a pair's own state folder cannot be used, or undefined: inside the synced folder (other than
 * its never-synced `.twinfold`) it would be uploaded, index, WAL and lock, and sync itself forever.
 */
export function ownStateProblem(mine: Omit<ActiveRoot, 'pid'>): string | undefined {
  const fold = mine.foldCase;
  if (isSameOrInside(mine.root, mine.stateDir, fold)) return `the folder ${mine.root} lies inside its own state folder ${mine.stateDir}; choose a state folder elsewhere`;
  if (isSameOrInside(mine.stateDir, mine.root, fold) && !isSameOrInside(mine.stateDir, nodePath.join(mine.root, STATE_DIR_NAME), fold)) {
    return `the state folder ${mine.stateDir} is inside the synced folder ${mine.root}, so it would be uploaded; choose a state folder outside it (or leave --state out)`;
  }
  return undefined;
}

function parseEntry(text: string): ActiveRoot | undefined {
  try {
    const e = JSON.parse(text) as Partial<ActiveRoot>;
    if (typeof e.root === 'string' && typeof e.stateDir === 'string' && typeof e.foldCase === 'boolean' && typeof e.pid === 'number') {
      return { root: e.root, stateDir: e.stateDir, foldCase: e.foldCase, pid: e.pid };
    }
  } catch {
    // A damaged entry is treated like a missing one; its lock decides whether it is swept.
  }
  return undefined;
}

/** Removes an entry whose process is gone; the lock is taken first so a live one is never touched. */
async function sweep(dir: string, id: string): Promise<void> {
  const lockPath = nodePath.join(dir, `${id}.lock`);
  const lock = (() => {
    try {
      return takeFileLock(lockPath, { mustExist: true });
    } catch {
      return undefined;
    }
  })();
  if (!lock) return;
  try {
    await rm(nodePath.join(dir, `${id}.json`), { force: true });
    await rm(lockPath, { force: true });
  } finally {
    lock.close();
  }
}

/** The pairs running now, in any process; entries of dead processes are swept on the way. */
export async function listActiveRoots(dir: string, except?: string): Promise<ActiveRoot[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const live: ActiveRoot[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const id = name.slice(0, -'.json'.length);
    if (id === except) continue;
    if (!isFileLockHeld(nodePath.join(dir, `${id}.lock`))) {
      await sweep(dir, id);
      continue;
    }
    const entry = parseEntry(await readFile(nodePath.join(dir, name), 'utf8').catch(() => ''));
    if (entry) live.push(entry);
  }
  return live;
}

/** Throws PairOverlapError when a running pair (any process) is in the way of `mine`. */
export async function checkAgainstActiveRoots(dir: string, mine: Omit<ActiveRoot, 'pid'>, except?: string): Promise<void> {
  for (const other of await listActiveRoots(dir, except)) {
    const problem = overlapProblem(mine, other);
    if (problem) throw new PairOverlapError(problem, other);
  }
}

export interface ActiveRootClaim {
  release(): Promise<void>;
}

/**
 * Registers a pair as running, then checks the others: registering first means two processes
 * starting overlapping pairs at the same moment cannot both pass (at worst both refuse).
 */
export async function claimActiveRoot(dir: string, mine: Omit<ActiveRoot, 'pid'>): Promise<ActiveRootClaim> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const id = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const lockPath = nodePath.join(dir, `${id}.lock`);
  const lock = takeFileLock(lockPath);
  if (!lock) throw new Error(`the registry entry ${lockPath} is unexpectedly locked`);
  const release = async () => {
    await rm(nodePath.join(dir, `${id}.json`), { force: true });
    await rm(lockPath, { force: true });
    lock.close();
  };
  try {
    const temp = nodePath.join(dir, `.${id}.tmp`);
    await writeFile(temp, JSON.stringify({ ...mine, pid: process.pid }), { mode: 0o600 });
    await rename(temp, nodePath.join(dir, `${id}.json`));
    await checkAgainstActiveRoots(dir, mine, id);
  } catch (err) {
    await release();
    throw err;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await release();
    },
  };
}
