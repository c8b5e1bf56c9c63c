// One process per state folder: two daemons syncing the same pair would race each other's
// renames and uploads. The lock is a file holding the owner's pid, taken with O_EXCL; a lock
// whose process is gone (after kill -9) is taken over.
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';

export class StateLockedError extends Error {
  constructor(readonly stateDir: string, readonly pid: number) {
    super(`another Twinfold process (pid ${pid}) is already syncing with the state folder ${stateDir}`);
    this.name = 'StateLockedError';
  }
}

export interface StateLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockStateDir(stateDir: string): Promise<StateLock> {
  const lockPath = nodePath.join(stateDir, 'lock');
  // The pid is written to a private file first and linked into place, so nobody ever sees a
  // lock without its owner (and mistakes it for a stale one).
  const mine = `${lockPath}.${process.pid}`;
  await writeFile(mine, String(process.pid), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await link(mine, lockPath);
        return { release: () => rm(lockPath, { force: true }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new StateLockedError(stateDir, pid);
        await rm(lockPath, { force: true });
      }
    }
  } finally {
    await rm(mine, { force: true });
  }
  throw new Error(`could not take the lock ${lockPath}`);
}

/** The pid holding the lock, if that process is still running. */
export async function lockOwner(stateDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(nodePath.join(stateDir, 'lock'), 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}
