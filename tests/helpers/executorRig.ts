// One synced folder wired to the real Executor, for tests that run single ops: a temp folder with
// a StateIndex in its state folder, a LocalTree, and the Dropbox emulator through the real
// provider (wrapped in a HookedProvider, so a test can act at an exact moment of a transfer).
// `dropbox` is a second client on the same Dropbox folder: someone else changing things after
// the plan was made. Each rig has its own Dropbox folder, so rigs of one file never meet.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { Executor } from '../../src/main/core/engine/executor.js';
import { LocalTree } from '../../src/main/core/engine/localTree.js';
import type { LocalItem, PathKey, RemoteItem } from '../../src/main/core/engine/model.js';
import { mergeSynced } from '../../src/main/core/engine/planner.js';
import { StateIndex } from '../../src/main/core/index/index.js';
import { IgnoreRules, STATE_DIR_NAME } from '../../src/main/core/local/ignore.js';
import { DropboxProvider } from '../../src/main/core/remote/dropbox/dropboxProvider.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { contentHashOf } from '../../src/main/core/contentHash.js';
import { pathLower } from '../../src/main/core/paths.js';
import { HookedProvider } from './hostileProvider.js';

const TOKEN = 'test-token-executor';

/** The Dropbox content hash of a text, to compare with what Dropbox holds. */
export function hashOf(text: string): string {
  return contentHashOf(Buffer.from(text));
}

/** One emulator and one temp folder for a test file; `rig()` makes a fresh synced folder in them. */
export class ExecutorWorld {
  private rigs = 0;
  private readonly open: ExecutorRig[] = [];

  private constructor(private readonly emulator: Emulator, private readonly base: string) {}

  static async start(): Promise<ExecutorWorld> {
    const emulator = await startEmulator({ accessTokens: [TOKEN] });
    return new ExecutorWorld(emulator, await mkdtemp(nodePath.join(tmpdir(), 'twinfold-executor-')));
  }

  provider(remoteRoot: string): DropboxProvider {
    return new DropboxProvider({
      remoteRoot,
      credentials: { accessToken: TOKEN },
      fetch: rewritingFetch(this.emulator.url),
      logger: { warn: () => {} },
      retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 1 },
    });
  }

  async rig(): Promise<ExecutorRig> {
    const dir = nodePath.join(this.base, `rig-${++this.rigs}`);
    const root = nodePath.join(dir, 'root');
    const outside = nodePath.join(dir, 'outside');
    const scratch = nodePath.join(dir, 'scratch');
    await Promise.all([root, outside, scratch].map((d) => mkdir(d, { recursive: true })));
    const remoteRoot = `/Exec-${this.rigs}`;
    const dropbox = this.provider(remoteRoot);
    await dropbox.createFolder('');
    const index = StateIndex.open(nodePath.join(root, STATE_DIR_NAME, 'index.sqlite'));
    const rig = new ExecutorRig(root, outside, scratch, index, new HookedProvider(this.provider(remoteRoot)), dropbox);
    this.open.push(rig);
    return rig;
  }

  async close(): Promise<void> {
    for (const rig of this.open) rig.index.close();
    await this.emulator.close();
    await rm(this.base, { recursive: true, force: true });
  }
}

export class ExecutorRig {
  readonly local: LocalTree;
  readonly executor: Executor;
  private ignore: IgnoreRules | undefined;
  private scratchFiles = 0;

  constructor(
    readonly root: string,
    /** A folder beside the root, where a symlink inside the root can point. */
    readonly outside: string,
    private readonly scratch: string,
    readonly index: StateIndex,
    readonly provider: HookedProvider,
    readonly dropbox: DropboxProvider,
  ) {
    this.local = new LocalTree(root, () => ({ ignore: this.ignore!, hashCache: index.asHashCache() }));
    this.executor = new Executor({
      localRoot: root,
      stateDir: nodePath.join(root, STATE_DIR_NAME),
      provider,
      index,
      local: this.local,
      onProgress: () => {},
      signal: new AbortController().signal,
      now: () => 1_000,
    });
  }

  abs(localPath: string): string {
    return nodePath.join(this.root, localPath);
  }

  async write(localPath: string, content: string): Promise<void> {
    await mkdir(nodePath.dirname(this.abs(localPath)), { recursive: true });
    await writeFile(this.abs(localPath), content);
  }

  /** What the planner would look at: a full scan of the folder. */
  async scan(): Promise<void> {
    this.ignore ??= await IgnoreRules.load(this.root);
    await this.local.scanAll();
  }

  /** The scanned local item at `key`; fails when there is none. */
  item(key: PathKey): LocalItem {
    const item = this.local.get(key);
    if (!item) throw new Error(`no local item ${key}`);
    return item;
  }

  /** Someone else writes `remotePath` on Dropbox (update of `parentRev`, or add). */
  async put(remotePath: string, content: string, parentRev?: string): Promise<RemoteItem> {
    const file = nodePath.join(this.scratch, `put-${++this.scratchFiles}`);
    await writeFile(file, content);
    return this.dropbox.upload(file, remotePath, { parentRev });
  }

  /** What Dropbox holds at `key` now. */
  async remote(key: PathKey): Promise<RemoteItem | undefined> {
    return (await this.remoteTree()).get(key);
  }

  /** Dropbox's folder now: path_lower relative to the synced folder, without the slash -> hash or '<dir>'. */
  async remoteSnapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [key, item] of await this.remoteTree()) out[key.slice(1)] = item.kind === 'folder' ? '<dir>' : item.contentHash!;
    return out;
  }

  private async remoteTree(): Promise<Map<PathKey, RemoteItem>> {
    const tree = new Map<PathKey, RemoteItem>();
    let page = await this.dropbox.listAll();
    for (;;) {
      for (const change of page.changes) {
        if (change.kind === 'upsert') tree.set(change.item.key, change.item);
        else if (change.kind === 'delete') for (const key of [...tree.keys()]) if (key === change.key || key.startsWith(`${change.key}/`)) tree.delete(key);
      }
      if (!page.hasMore) return tree;
      page = await this.dropbox.listContinue(page.cursor);
    }
  }

  /** A file both sides hold and agree on, with its merge base recorded: the start of most ops. */
  async syncedFile(path: string, content: string): Promise<{ local: LocalItem; remote: RemoteItem }> {
    await this.write(path, content);
    const remote = await this.put(path, content);
    return this.recordBase(path, remote);
  }

  /** A folder both sides hold, with its merge base recorded. */
  async syncedFolder(path: string): Promise<{ local: LocalItem; remote: RemoteItem }> {
    await mkdir(this.abs(path), { recursive: true });
    const remote = await this.dropbox.createFolder(path);
    return this.recordBase(path, remote);
  }

  private async recordBase(path: string, remote: RemoteItem): Promise<{ local: LocalItem; remote: RemoteItem }> {
    await this.scan();
    const local = this.item(pathLower(path));
    this.index.putSynced(mergeSynced(local, remote));
    return { local, remote };
  }

  lastActivity(): ReturnType<StateIndex['recentActivity']>[number] | undefined {
    return this.index.recentActivity(1)[0];
  }
}
