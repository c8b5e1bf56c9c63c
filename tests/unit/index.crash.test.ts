// Crash safety of the state index: a child process writes in a tight loop and is killed with
// SIGKILL at arbitrary points; every reopen must find the state of one whole transaction.
// The same file is the child: run with TWINFOLD_INDEX_CRASH_CHILD=<db path>, it only writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { RemoteItem, SyncedItem } from '../../src/main/core/engine/model.js';
import { StateIndex, type RemoteChange } from '../../src/main/core/index/index.js';

const CHILD_ENV = 'TWINFOLD_INDEX_CRASH_CHILD';
const FILES = 40;
const ACTIVITY_LIMIT = 25;

// Everything written for generation g, so the checker can tell which transaction it sees.
const rev = (g: number): string => g.toString(16).padStart(10, '0');
const remoteFiles = (g: number): RemoteItem[] =>
  Array.from({ length: FILES }, (_, j) => ({ key: `/batch/f${j}`, path: `/Batch/F${j}`, kind: 'file', id: `id:f${j}`, rev: rev(g), size: g }));
const remoteFolder = (g: number): RemoteItem => ({ key: '/batch', path: '/Batch', kind: 'folder', id: `id:batch-${g}` });
const syncedItems = (g: number): SyncedItem[] => [
  { key: '/s', path: '/S', kind: 'folder', rev: rev(g) },
  ...Array.from({ length: FILES }, (_, j): SyncedItem => ({ key: `/s/f${j}`, path: `/S/f${j}`, kind: 'file', rev: rev(g), size: g, mtimeMs: g + 0.5 })),
];

/** The child: continues from the stored generation, and prints each generation once it is committed. */
function writeForever(dbPath: string): void {
  const index = StateIndex.open(dbPath, { activityLimit: ACTIVITY_LIMIT });
  let g = Number(index.remoteCursor()?.slice('gen-'.length) ?? '0');
  for (;;) {
    g++;
    // Children before the parent and a delete first: the out-of-order shape of a real feed page.
    const page: RemoteChange[] = [{ kind: 'delete', key: '/batch' }, ...remoteFiles(g).map((item): RemoteChange => ({ kind: 'upsert', item })), { kind: 'upsert', item: remoteFolder(g) }];
    index.applyRemoteChanges(page, `gen-${g}`);
    index.transaction(() => {
      index.deleteSyncedSubtree('/s');
      for (const item of syncedItems(g)) index.putSynced(item);
      index.setMeta('synced_gen', String(g));
    });
    index.addActivity({ time: g, action: 'download', path: `/gen-${g}` });
    index.putCachedHash({ dev: 1, ino: g % 100, size: g, mtimeMs: g, ctimeMs: g }, `hash-${g}`, g + 10_000);
    process.stdout.write(`${g}\n`); // synchronous on a Linux pipe
  }
}

/** Runs the child until it has reported `commits` generations, then SIGKILLs it. Returns the highest generation it reported. */
async function runAndKill(dbPath: string, commits: number): Promise<number> {
  const here = fileURLToPath(import.meta.url);
  const loader = here.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
  const env: NodeJS.ProcessEnv = { ...process.env, [CHILD_ENV]: dbPath };
  delete env.NODE_TEST_CONTEXT; // the child is a plain script, not a test-runner subprocess
  const child = spawn(process.execPath, [...loader, here], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = 0;
  let highest = 0;
  let pending = '';
  let stderr = '';
  let killed = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      highest = Math.max(highest, Number(line));
      seen++;
    }
    if (seen >= commits && !killed) killed = child.kill('SIGKILL');
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  assert.equal(signal, 'SIGKILL', `child ended by itself (code ${code}): ${stderr}`);
  return highest;
}

/** Checks that every table shows one whole transaction and nothing was lost that was reported committed. */
function assertConsistent(dbPath: string, reported: number): number {
  const raw = new Database(dbPath);
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  raw.close();
  const index = StateIndex.open(dbPath, { activityLimit: ACTIVITY_LIMIT });
  try {
    const g = Number(index.remoteCursor()?.slice('gen-'.length));
    assert.ok(g >= reported && g <= reported + 1, `cursor gen-${g}, child reported ${reported} committed`);
    assert.deepEqual([...index.allRemote().values()], [remoteFolder(g), ...remoteFiles(g).sort((a, b) => (a.key < b.key ? -1 : 1))], 'remote tree matches its cursor');
    const s = Number(index.getMeta('synced_gen'));
    assert.ok(s === g || s === g - 1, `synced generation ${s} next to remote ${g}`);
    assert.deepEqual([...index.allSynced().values()], syncedItems(s).sort((a, b) => (a.key < b.key ? -1 : 1)), 'synced tree matches its generation');
    const activity = index.recentActivity(1000);
    assert.ok(activity.length <= ACTIVITY_LIMIT);
    assert.ok(activity[0] === undefined || activity[0].time >= s - 1);
    return g;
  } finally {
    index.close();
  }
}

const childDb = process.env[CHILD_ENV];
if (childDb !== undefined) {
  writeForever(childDb);
} else {
  test('kill -9 while writing: every reopen sees whole transactions and nothing reported as committed is lost', async () => {
    const root = mkdtempSync(join(tmpdir(), 'twinfold-index-crash-'));
    try {
      const dbPath = join(root, 'state.db');
      let previous = 0;
      // Different kill points per round; each round continues the same database.
      for (const commits of [3, 29, 11]) {
        const reported = await runAndKill(dbPath, commits);
        assert.ok(reported > previous, 'the child made progress');
        previous = assertConsistent(dbPath, reported);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}
