// Keeps the emulator's state in a data directory: state.json (account, namespace, change log,
// tokens) replaced atomically via temp file + rename, and blobs/ for contents. A kill at any
// moment leaves either the old or the new state, never a torn one.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAccountIdentity, type AccountIdentity } from './account.js';
import { DirBlobStore } from './blobs.js';
import type { NamespaceSnapshot } from './namespace.js';

export interface SavedState {
  version: 1;
  account: AccountIdentity;
  namespace: NamespaceSnapshot;
  tokens: unknown;
}

const STATE_FILE = 'state.json';

export class StateDir {
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private source: (() => SavedState) | undefined;

  private constructor(readonly dir: string, readonly blobs: DirBlobStore) {}

  static async open(dir: string): Promise<StateDir> {
    await mkdir(dir, { recursive: true });
    const blobs = await DirBlobStore.open(join(dir, 'blobs'));
    // Temp files left by a kill mid-write are garbage: the rename never happened.
    for (const sub of [dir, join(dir, 'blobs')]) {
      for (const name of await readdir(sub)) if (name.endsWith('.tmp')) await unlink(join(sub, name)).catch(() => undefined);
    }
    return new StateDir(dir, blobs);
  }

  async load(): Promise<SavedState | undefined> {
    const file = join(this.dir, STATE_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let state: Partial<SavedState>;
    try {
      state = JSON.parse(text) as Partial<SavedState>;
    } catch (err) {
      throw new Error(`emulator state ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (state.version !== 1 || !isAccountIdentity(state.account) || typeof state.namespace !== 'object' || state.namespace === null) {
      throw new Error(`emulator state ${file} is not a state file this version can read`);
    }
    return state as SavedState;
  }

  /** Where save() takes the state from (set once the emulator is assembled). */
  setSource(state: () => SavedState): void {
    this.source = state;
  }

  /**
   * Writes the current state. Calls made while a write is running share one follow-up write, which
   * captures the state when it starts, so a resolved save() always covers the caller's changes.
   */
  save(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.chain.then(() => {
      this.queued = undefined;
      return this.writeNow();
    });
    this.queued = next;
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async writeNow(): Promise<void> {
    const source = this.source;
    if (!source) return;
    const target = join(this.dir, STATE_FILE);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(source()), { flush: true });
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}
