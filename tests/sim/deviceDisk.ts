// The only way the simulation touches a device's folder: a small interface, implemented here on a
// real folder (under /dev/shm when there is one), so it can move to an in-memory fs later.
import { lstat, mkdir, open, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
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
  list(): Promise<DiskEntry[]>;
  /** How a user saves: rewrite in place (same inode) or write a temp file and rename it over. */
  write(rel: string, content: string, how: 'inPlace' | 'atomic', mtimeMs: number): Promise<void>;
  mkdir(rel: string): Promise<void>;
  /** Removes a file, or a folder with everything in it. */
  remove(rel: string): Promise<void>;
  /** Renames unless something with exactly that name exists; false when it did not rename. */
  rename(from: string, to: string): Promise<boolean>;
  /** Contents of every file in the engine's trash folder. */
  trashContents(): Promise<string[]>;
}

const STATE_DIR = '.twinfold';

export class FolderDisk implements DeviceDisk {
  constructor(readonly root: string) {}

  private abs(rel: string): string {
    return nodePath.join(this.root, ...rel.split('/').filter((p) => p !== ''));
  }

  async list(): Promise<DiskEntry[]> {
    const out: DiskEntry[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(this.abs(rel), { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const childRel = `${rel}/${entry.name}`;
        if (childRel === `/${STATE_DIR}`) continue;
        if (entry.isDirectory()) {
          out.push({ path: childRel, kind: 'folder' });
          await walk(childRel);
        } else {
          out.push({ path: childRel, kind: 'file', content: await readFile(this.abs(childRel), 'utf8') });
        }
      }
    };
    await walk('');
    return out;
  }

  async write(rel: string, content: string, how: 'inPlace' | 'atomic', mtimeMs: number): Promise<void> {
    const target = this.abs(rel);
    const mtime = new Date(mtimeMs);
    if (how === 'inPlace') {
      const handle = await open(target, 'w');
      try {
        await handle.writeFile(content);
        await handle.utimes(mtime, mtime);
      } finally {
        await handle.close();
      }
      return;
    }
    const temp = nodePath.join(nodePath.dirname(target), `.~save-${nodePath.basename(target)}`);
    await writeFile(temp, content);
    await utimes(temp, mtime, mtime);
    await rename(temp, target);
  }

  async mkdir(rel: string): Promise<void> {
    await mkdir(this.abs(rel));
  }

  async remove(rel: string): Promise<void> {
    await rm(this.abs(rel), { recursive: true });
  }

  async rename(from: string, to: string): Promise<boolean> {
    // readdir, not lstat: on a case-insensitive disk lstat would find the source itself.
    const names = await readdir(nodePath.dirname(this.abs(to)));
    if (names.includes(nodePath.basename(this.abs(to)))) return false;
    await rename(this.abs(from), this.abs(to));
    return true;
  }

  async trashContents(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const full = nodePath.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else out.push(await readFile(full, 'utf8'));
      }
    };
    await walk(nodePath.join(this.root, STATE_DIR, 'trash'));
    return out;
  }
}

/** A folder for one run: RAM-backed when the machine has /dev/shm. */
export async function simBaseDir(): Promise<string> {
  const shm = await lstat('/dev/shm').catch(() => undefined);
  if (shm?.isDirectory()) return '/dev/shm';
  const { tmpdir } = await import('node:os');
  return tmpdir();
}
