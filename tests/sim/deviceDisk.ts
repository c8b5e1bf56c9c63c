// The only way the simulation touches a device's folder: a small interface, implemented here on a
// real folder (under /dev/shm when there is one), so it can move to an in-memory fs later. It is
// synchronous so a user's edit can happen anywhere, even inside an engine event between two ops.
import { type Dirent, closeSync, futimesSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';

export interface DiskEntry {
  /** Relative path as spelled on disk: '/a/b.txt'. */
  path: string;
  kind: 'file' | 'folder';
  /** Files only. */
  content?: string;
}

export interface DeviceDisk {
  readonly root: string;
  /** Everything visible to the user, i.e. outside the engine's `.twinfold` folder, parents first. */
  list(): DiskEntry[];
  /** How a user saves: rewrite in place (same inode) or write a temp file and rename it over. */
  write(rel: string, content: string, how: 'inPlace' | 'atomic', mtimeMs: number): void;
  mkdir(rel: string): void;
  /** Removes a file, or a folder with everything in it. */
  remove(rel: string): void;
  /** Renames unless something with exactly that name exists; false when it did not rename. */
  rename(from: string, to: string): boolean;
  /** Contents of every file in the engine's trash folder. */
  trashContents(): string[];
}

const STATE_DIR = '.twinfold';

export class FolderDisk implements DeviceDisk {
  constructor(readonly root: string) {}

  private abs(rel: string): string {
    return nodePath.join(this.root, ...rel.split('/').filter((p) => p !== ''));
  }

  list(): DiskEntry[] {
    const out: DiskEntry[] = [];
    const walk = (rel: string): void => {
      const entries = readdirSync(this.abs(rel), { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const childRel = `${rel}/${entry.name}`;
        if (childRel === `/${STATE_DIR}`) continue;
        if (entry.isDirectory()) {
          out.push({ path: childRel, kind: 'folder' });
          walk(childRel);
        } else {
          out.push({ path: childRel, kind: 'file', content: readFileSync(this.abs(childRel), 'utf8') });
        }
      }
    };
    walk('');
    return out;
  }

  write(rel: string, content: string, how: 'inPlace' | 'atomic', mtimeMs: number): void {
    const target = this.abs(rel);
    const mtime = new Date(mtimeMs);
    if (how === 'inPlace') {
      const fd = openSync(target, 'w');
      try {
        writeFileSync(fd, content);
        futimesSync(fd, mtime, mtime);
      } finally {
        closeSync(fd);
      }
      return;
    }
    const temp = nodePath.join(nodePath.dirname(target), `.~save-${nodePath.basename(target)}`);
    writeFileSync(temp, content);
    utimesSync(temp, mtime, mtime);
    renameSync(temp, target);
  }

  mkdir(rel: string): void {
    mkdirSync(this.abs(rel));
  }

  remove(rel: string): void {
    rmSync(this.abs(rel), { recursive: true });
  }

  rename(from: string, to: string): boolean {
    // readdir, not lstat: on a case-insensitive disk lstat would find the source itself.
    const names = readdirSync(nodePath.dirname(this.abs(to)));
    if (names.includes(nodePath.basename(this.abs(to)))) return false;
    renameSync(this.abs(from), this.abs(to));
    return true;
  }

  trashContents(): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = nodePath.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else out.push(readFileSync(full, 'utf8'));
      }
    };
    walk(nodePath.join(this.root, STATE_DIR, 'trash'));
    return out;
  }
}

/** A folder for one run: RAM-backed when the machine has /dev/shm. */
export async function simBaseDir(): Promise<string> {
  const shm = await lstat('/dev/shm').catch(() => undefined);
  if (shm?.isDirectory()) return '/dev/shm';
  return tmpdir();
}
