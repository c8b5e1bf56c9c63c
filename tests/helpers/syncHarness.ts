// Test harness for the sync engine: an emulator on loopback and any number of "devices", each a
// temp folder with its own state index, provider and engine, all syncing the same Dropbox folder.
import { mkdtemp, rm, readdir, readFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { SyncEngine, type SyncEngineOptions } from '../../src/main/core/engine/syncEngine.js';
import { StateIndex } from '../../src/main/core/index/index.js';
import { DropboxProvider } from '../../src/main/core/remote/dropbox/dropboxProvider.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { contentHashOf } from '../../src/main/core/contentHash.js';
import type { EngineStatus } from '../../src/main/core/engine/status.js';
import { pathLower } from '../../src/main/core/paths.js';

export const TEST_TOKEN = 'test-token-harness';

export interface Device {
  name: string;
  root: string;
  stateDir: string;
  index: StateIndex;
  provider: DropboxProvider;
  engine: SyncEngine;
  /** False for a device that syncs with syncOnce() only. */
  live: boolean;
  log: string[];
}

export class SyncWorld {
  readonly devices: Device[] = [];
  private readonly dirs: string[] = [];

  private constructor(readonly emulator: Emulator, readonly remoteRoot: string) {}

  static async create(opts: { remoteRoot?: string; emulator?: EmulatorOptions } = {}): Promise<SyncWorld> {
    const emulator = await startEmulator({ accessTokens: [TEST_TOKEN], ...opts.emulator });
    return new SyncWorld(emulator, opts.remoteRoot ?? '/Sync');
  }

  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(nodePath.join(tmpdir(), `twinfold-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  provider(): DropboxProvider {
    return new DropboxProvider({
      remoteRoot: this.remoteRoot,
      credentials: { accessToken: TEST_TOKEN },
      fetch: rewritingFetch(this.emulator.url),
      logger: { warn: () => {} },
      retry: { baseDelayMs: 10, maxDelayMs: 200 },
    });
  }

  /** A device with its own folder; `root` lets a test reuse a folder (restart after a stop). */
  async device(name: string, options: Partial<SyncEngineOptions> & { root?: string } = {}): Promise<Device> {
    const root = options.root ?? (await this.tempDir(name));
    const stateDir = nodePath.join(root, '.twinfold');
    const index = StateIndex.open(nodePath.join(stateDir, 'index.sqlite'));
    const provider = this.provider();
    const log: string[] = [];
    const engine = new SyncEngine({
      localRoot: root,
      provider,
      index,
      quietMs: 50,
      deletionPolicy: 'propagate',
      host: name,
      live: true,
      longpollTimeoutSec: 30,
      offlineRetryMs: 20,
      log: (line) => log.push(line),
      ...options,
    });
    const device = { name, root, stateDir, index, provider, engine, live: options.live ?? true, log };
    this.devices.push(device);
    return device;
  }

  async stopDevice(device: Device): Promise<void> {
    await device.engine.stop();
    device.index.close();
    this.devices.splice(this.devices.indexOf(device), 1);
  }

  async close(): Promise<void> {
    for (const device of [...this.devices]) await this.stopDevice(device);
    await this.emulator.close();
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** Resolves when `predicate` holds after a status event or a poll (bounded: fails after timeoutMs). */
export async function waitFor(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The visible tree of a folder: relative path -> file content (utf8) or '<dir>'; skips .twinfold. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(nodePath.join(root, rel), { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (childRel === '.twinfold') continue;
      if (entry.isDirectory()) {
        out[childRel] = '<dir>';
        await walk(childRel);
      } else if (entry.isFile()) {
        out[childRel] = await readFile(nodePath.join(root, childRel), 'utf8');
      }
    }
  }
  await walk('');
  return out;
}

export async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

/** The synced Dropbox folder as the emulator has it: lower-cased relative path -> content hash or '<dir>'. */
export async function remoteSnapshot(world: SyncWorld): Promise<Record<string, string>> {
  const provider = world.provider();
  const out: Record<string, string> = {};
  let page = await provider.listAll();
  for (;;) {
    for (const change of page.changes) {
      if (change.kind === 'upsert') out[change.item.key.slice(1)] = change.item.kind === 'folder' ? '<dir>' : change.item.contentHash!;
      else if (change.kind === 'delete') for (const k of Object.keys(out)) if (k === change.key.slice(1) || k.startsWith(`${change.key.slice(1)}/`)) delete out[k];
    }
    if (!page.hasMore) return out;
    page = await provider.listContinue(page.cursor);
  }
}

function hashedSnapshot(snap: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, content] of Object.entries(snap)) out[pathLower(path)] = content === '<dir>' ? content : contentHashOf(Buffer.from(content));
  return out;
}

/**
 * Waits until Dropbox and every live device hold the same tree and every live device is idle:
 * the real end state of a sync, not just "nobody is busy right now". Returns the first device's
 * tree (relative path -> utf8 content or '<dir>').
 */
export async function converged(world: SyncWorld, timeoutMs = 20_000): Promise<Record<string, string>> {
  let last: Record<string, string> = {};
  let why = '';
  await waitFor(
    'devices and Dropbox to converge',
    async () => {
      const live = world.devices.filter((d) => d.live);
      // A file renamed or trashed between listing and reading means "not settled yet": look again.
      const snaps = await Promise.all(live.map((d) => snapshot(d.root))).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (!snaps) {
        why = 'a device was still changing files';
        return false;
      }
      last = snaps[0] ?? {};
      const remote = JSON.stringify(sorted(await remoteSnapshot(world)));
      const mismatch = snaps.findIndex((snap) => JSON.stringify(sorted(hashedSnapshot(snap))) !== remote);
      const busy = live.find((d) => !isIdle(d.engine.getStatus()));
      why = mismatch >= 0 ? `${live[mismatch]!.name} differs from Dropbox: ${JSON.stringify(Object.keys(snaps[mismatch]!))} vs ${remote}` : busy ? `${busy.name} is ${busy.engine.getStatus().state}` : '';
      return why === '';
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${why}`);
  });
  return last;
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function isIdle(status: EngineStatus): boolean {
  return status.state === 'idle' && status.transfers.length === 0;
}

export { contentHashOf };
