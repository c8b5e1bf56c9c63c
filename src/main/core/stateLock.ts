// One process per state folder: two daemons syncing the same pair would race each other's
// renames and uploads. The lock is a real OS file lock, taken through SQLite (Node has no flock):
// `lock.sqlite` opened in exclusive locking mode with a write transaction held for the life of the
// lock. The kernel drops it when the process dies (even by kill -9), and a second process gets
// SQLITE_BUSY at once. `lock.pid` beside it only names the holder in messages.
//
// A held lock also watches its folder: when the folder or the lock file is deleted or replaced,
// the lock is lost (another process could now take a fresh one) and the holder must stop.
import Database from 'better-sqlite3';
import { lstatSync, type Stats } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import * as nodePath from 'node:path';

export const LOCK_FILE_NAME = 'lock.sqlite';
export const PID_FILE_NAME = 'lock.pid';

export class StateLockedError extends Error {
  constructor(readonly stateDir: string, readonly pid: number | undefined) {
    super(`another Twinfold process (${pid === undefined ? 'its pid is unknown' : `pid ${pid}`}) is already syncing with the state folder ${stateDir}`);
    this.name = 'StateLockedError';
  }
}

/** The folder holding a lock was deleted or replaced while it was held. */
export class StateLostError extends Error {
  constructor(readonly stateDir: string) {
    super(`the state folder ${stateDir} was deleted while syncing; stopped to keep your files safe`);
    this.name = 'StateLostError';
  }
}

export interface StateLock {
  readonly stateDir: string;
  /** The loss of the folder, once it happened (see onLost). */
  readonly lost: StateLostError | undefined;
  /** Calls `listener` once if the folder or its lock file disappears or is replaced; returns an unsubscribe. */
  onLost(listener: (err: StateLostError) => void): () => void;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How often the folder and the lock file are compared with the ones locked (default 2 s). */
  checkEveryMs?: number;
}

const DEFAULT_CHECK_MS = 2000;

type Identity = Pick<Stats, 'dev' | 'ino'>;

function identityOf(path: string): Identity | undefined {
  try {
    const { dev, ino } = lstatSync(path);
    return { dev, ino };
  } catch {
    return undefined;
  }
}

function sameIdentity(a: Identity | undefined, b: Identity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

function isBusy(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY');
}

async function readPid(stateDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(nodePath.join(stateDir, PID_FILE_NAME), 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** An OS file lock held through SQLite; closing it lets the next process take it. */
export interface FileLock {
  close(): void;
}

/**
 * Opens `lockPath` (created if missing, unless `mustExist`) and takes its write lock; undefined when
 * another connection, in this process or another, holds it.
 */
export function takeFileLock(lockPath: string, opts: { mustExist?: boolean } = {}): FileLock | undefined {
  const db = new Database(lockPath, { timeout: 0, fileMustExist: opts.mustExist ?? false });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (err) {
    db.close();
    if (isBusy(err)) return undefined;
    throw err;
  }
}

/** Whether someone holds the lock of an existing `lockPath`, found without taking it. */
export function isFileLockHeld(lockPath: string): boolean {
  let db: Database.Database;
  try {
    db = new Database(lockPath, { timeout: 0, readonly: true, fileMustExist: true });
  } catch {
    return false;
  }
  try {
    // Reading needs a shared lock, which a held exclusive one refuses.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (err) {
    if (isBusy(err)) return true;
    throw err;
  } finally {
    db.close();
  }
}

/** Locks `stateDir` (which must exist) for this process, or throws StateLockedError naming the holder. */
export async function lockStateDir(stateDir: string, opts: LockOptions = {}): Promise<StateLock> {
  const lockPath = nodePath.join(stateDir, LOCK_FILE_NAME);
  // A holder that deleted the lock file while we opened it leaves us locking an orphan: the file
  // at the path must be the one we locked, the same before and after taking it.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const before = identityOf(lockPath);
    const db = takeFileLock(lockPath);
    if (!db) throw new StateLockedError(stateDir, await readPid(stateDir));
    const file = identityOf(lockPath);
    if (before !== undefined && !sameIdentity(before, file)) {
      db.close();
      continue;
    }
    try {
      await writePid(stateDir);
    } catch (err) {
      db.close();
      throw err;
    }
    return new HeldLock(stateDir, db, identityOf(stateDir), file, opts.checkEveryMs ?? DEFAULT_CHECK_MS);
  }
  throw new Error(`could not take the lock ${lockPath}: it keeps being replaced`);
}

/** Written beside the lock and renamed into place, so a reader never sees half a pid. */
async function writePid(stateDir: string): Promise<void> {
  const pidPath = nodePath.join(stateDir, PID_FILE_NAME);
  const temp = `${pidPath}.${process.pid}`;
  await writeFile(temp, String(process.pid), { mode: 0o600 });
  await rename(temp, pidPath);
}

class HeldLock implements StateLock {
  private readonly events = new EventEmitter<{ lost: [StateLostError] }>();
  private readonly timer: NodeJS.Timeout;
  private released = false;
  lost: StateLostError | undefined;

  constructor(
    readonly stateDir: string,
    private readonly db: FileLock,
    private readonly dirIdentity: Identity | undefined,
    private readonly fileIdentity: Identity | undefined,
    checkEveryMs: number,
  ) {
    this.timer = setInterval(() => this.check(), checkEveryMs);
    // Watching must never keep a process alive that is otherwise done.
    this.timer.unref();
  }

  onLost(listener: (err: StateLostError) => void): () => void {
    if (this.lost) {
      const lost = this.lost;
      queueMicrotask(() => listener(lost));
      return () => {};
    }
    this.events.once('lost', listener);
    return () => this.events.off('lost', listener);
  }

  private check(): void {
    const dirOk = sameIdentity(this.dirIdentity, identityOf(this.stateDir));
    const fileOk = sameIdentity(this.fileIdentity, identityOf(nodePath.join(this.stateDir, LOCK_FILE_NAME)));
    if (dirOk && fileOk) return;
    clearInterval(this.timer);
    this.lost = new StateLostError(this.stateDir);
    this.events.emit('lost', this.lost);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    // The pid file goes while the lock is still ours; the lock file itself stays, because a
    // process waiting on it would otherwise lock an orphan while a third one creates a new file.
    if (!this.lost && (await readPid(this.stateDir)) === process.pid) await rm(nodePath.join(this.stateDir, PID_FILE_NAME), { force: true });
    this.db.close();
  }
}

/** Who holds the lock of `stateDir`, if anyone: its pid when known. Takes no lock itself. */
export async function lockOwner(stateDir: string): Promise<{ pid: number | undefined } | undefined> {
  return isFileLockHeld(nodePath.join(stateDir, LOCK_FILE_NAME)) ? { pid: await readPid(stateDir) } : undefined;
}
