// `npm run bench`: the engine's speed and memory figures, printed as JSON. Runs against a
// `twinfold emulator` child process on loopback, with real temp folders and real engines.
//   --edits N        propagation latency samples (default 30)
//   --files N        small files in the initial upload (default 10000)
//   --big-mib N      size of the big file sent up and down (default 1024)
//   --rescan N       unchanged files in the startup rescan (default 100000)
//   --quiet-ms N     quiet period of the live engines (default 100)
//   --only a,b       run only some parts: latency, upload, big, rescan
// Each part runs in its own child process (--part), so every figure comes with that part's peak RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdir, mkdtemp, open, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SyncEngine } from '../src/main/core/engine/syncEngine.js';
import { LocalTree } from '../src/main/core/engine/localTree.js';
import { mergeSynced, plan } from '../src/main/core/engine/planner.js';
import { StateIndex } from '../src/main/core/index/index.js';
import { DropboxProvider } from '../src/main/core/remote/dropbox/dropboxProvider.js';
import { rewritingFetch } from '../src/main/core/remote/dropbox/rewriteFetch.js';
import { IgnoreRules } from '../src/main/core/local/ignore.js';
import type { RemoteItem } from '../src/main/core/engine/model.js';
import { tuneHeapForLongRunningSync } from '../src/main/core/heapTuning.js';

const TOKEN = 'bench-token';
const repoRoot = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '../..');

const { values } = parseArgs({
  options: {
    edits: { type: 'string', default: '30' },
    files: { type: 'string', default: '10000' },
    'big-mib': { type: 'string', default: '1024' },
    rescan: { type: 'string', default: '100000' },
    'quiet-ms': { type: 'string', default: '100' },
    only: { type: 'string' },
    part: { type: 'string' },
    dir: { type: 'string' },
  },
});
const parts = new Set((values.only ?? 'latency,upload,big,rescan').split(','));
const num = (v: string | undefined) => Number(v);

async function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [nodePath.join(repoRoot, 'bin/twinfold.js'), 'emulator', '--port', '0', '--access-token', TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  return { url, child };
}

async function tempDir(name: string): Promise<string> {
  return mkdtemp(nodePath.join(tmpdir(), `twinfold-bench-${name}-`));
}

function engineFor(url: string, root: string, remoteRoot: string, live: boolean, quietMs: number): { engine: SyncEngine; index: StateIndex } {
  const index = StateIndex.open(nodePath.join(root, '.twinfold', 'index.sqlite'));
  const provider = new DropboxProvider({ remoteRoot, credentials: { accessToken: TOKEN }, fetch: rewritingFetch(url), logger: { warn: () => {} } });
  const engine = new SyncEngine({ localRoot: root, provider, index, quietMs, deletionPolicy: 'propagate', host: 'bench', live, transferConcurrency: 8 });
  return { engine, index };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(url: string, edits: number, quietMs: number) {
  const a = await tempDir('lat-a');
  const b = await tempDir('lat-b');
  const A = engineFor(url, a, '/lat', true, quietMs);
  const B = engineFor(url, b, '/lat', true, quietMs);
  await A.engine.start();
  await B.engine.start();
  await Promise.all([A.engine.whenIdle(), B.engine.whenIdle()]);
  const samples: number[] = [];
  for (let i = 0; i < edits; i++) {
    const content = `edit ${i} ${Date.now()}`;
    const target = nodePath.join(b, 'note.txt');
    const arrived = new Promise<void>((resolve) => {
      const check = async () => {
        if ((await readFile(target, 'utf8').catch(() => '')) === content) {
          B.engine.off('status', onStatus);
          resolve();
        }
      };
      const onStatus = () => void check();
      B.engine.on('status', onStatus);
    });
    const t0 = performance.now();
    await writeFile(nodePath.join(a, 'note.txt'), content);
    await arrived;
    samples.push(performance.now() - t0);
    await Promise.all([A.engine.whenIdle(), B.engine.whenIdle()]);
  }
  await Promise.all([A.engine.stop(), B.engine.stop()]);
  A.index.close();
  B.index.close();
  await Promise.all([rm(a, { recursive: true, force: true }), rm(b, { recursive: true, force: true })]);
  const sorted = [...samples].sort((x, y) => x - y);
  return { edits, quietMs, p50Ms: Math.round(percentile(sorted, 50)), p95Ms: Math.round(percentile(sorted, 95)), maxMs: Math.round(sorted.at(-1)!), note: 'includes the quiet period' };
}

async function initialUpload(url: string, files: number) {
  const root = await tempDir('upload');
  for (let d = 0; d < Math.ceil(files / 500); d++) {
    const dir = nodePath.join(root, `dir${d}`);
    await mkdir(dir);
    await Promise.all(Array.from({ length: Math.min(500, files - d * 500) }, (_, i) => writeFile(nodePath.join(dir, `f${i}.txt`), `file ${d}/${i} `.repeat(20))));
  }
  const { engine, index } = engineFor(url, root, '/upload', false, 0);
  const t0 = performance.now();
  await engine.syncOnce();
  const seconds = (performance.now() - t0) / 1000;
  const errors = index.errors().length;
  index.close();
  await rm(root, { recursive: true, force: true });
  return { files, seconds: round(seconds), filesPerSec: Math.round(files / seconds), errors };
}

async function bigFile(url: string, mib: number) {
  const up = await tempDir('big-up');
  const down = await tempDir('big-down');
  const handle = await open(nodePath.join(up, 'big.bin'), 'w');
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < mib / 4; i++) {
    chunk.fill(i % 251);
    await handle.write(chunk);
  }
  await handle.close();
  const U = engineFor(url, up, '/big', false, 0);
  let t0 = performance.now();
  await U.engine.syncOnce();
  const upSec = (performance.now() - t0) / 1000;
  U.index.close();
  const D = engineFor(url, down, '/big', false, 0);
  t0 = performance.now();
  await D.engine.syncOnce();
  const downSec = (performance.now() - t0) / 1000;
  D.index.close();
  await Promise.all([rm(up, { recursive: true, force: true }), rm(down, { recursive: true, force: true })]);
  const mb = (mib * 1024 * 1024) / 1e6;
  return { mib, upSeconds: round(upSec), upMBps: round(mb / upSec), downSeconds: round(downSec), downMBps: round(mb / downSec) };
}

/** Startup with N unchanged files: scan (hash cache hits), load both trees, plan (nothing to do). */
/** First start of a folder of `count` files: hash everything and record it as synced on both sides. */
async function prepareRescan(root: string, count: number) {
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (let d = 0; d < Math.ceil(count / 1000); d++) {
    const dir = nodePath.join(root, `d${d}`);
    await mkdir(dir);
    await Promise.all(
      Array.from({ length: Math.min(1000, count - d * 1000) }, async (_, i) => {
        const file = nodePath.join(dir, `f${i}`);
        await writeFile(file, `${d}-${i}`);
        // Unchanged files are old ones: a file written in the last seconds is rehashed on purpose.
        await utimes(file, anHourAgo, anHourAgo);
      }),
    );
  }
  const index = StateIndex.open(nodePath.join(root, '.twinfold', 'index.sqlite'));
  const ignore = await IgnoreRules.load(root);
  const first = new LocalTree(root, () => ({ ignore, hashCache: index.asHashCache() }));
  await first.scanAll();
  index.transaction(() => {
    const changes = [];
    for (const item of first.tree().values()) {
      const remote: RemoteItem = { key: item.key, path: item.path, kind: item.kind, id: `id:${item.key}`, rev: item.kind === 'file' ? '0123456789' : undefined, size: item.size, contentHash: item.contentHash };
      changes.push({ kind: 'upsert' as const, item: remote });
      index.putSynced(mergeSynced(item, remote));
    }
    index.applyRemoteChanges(changes, 'cursor');
  });
  index.close();
  return { prepared: count };
}

/** Startup with unchanged files: scan (hash cache hits), load both trees, plan (nothing to do). */
async function rescan(root: string) {
  const t0 = performance.now();
  const index = StateIndex.open(nodePath.join(root, '.twinfold', 'index.sqlite'));
  const ignore = await IgnoreRules.load(root);
  const tree = new LocalTree(root, () => ({ ignore, hashCache: index.asHashCache() }));
  await tree.scanAll();
  const ops = plan({ local: tree.tree(), remote: index.allRemote(), synced: index.allSynced(), deletionPolicy: 'propagate', host: 'bench', today: '2026-01-01' });
  const seconds = (performance.now() - t0) / 1000;
  index.close();
  return { files: tree.tree().size, seconds: round(seconds), opsPlanned: ops.length };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Runs one part in this process and prints its figures with this process's peak RSS. */
async function runPart(part: string): Promise<void> {
  // Measure the engine as the daemon runs it.
  tuneHeapForLongRunningSync();
  let figures: unknown;
  if (part === 'rescan-prepare' || part === 'rescan') {
    figures = part === 'rescan' ? await rescan(values.dir!) : await prepareRescan(values.dir!, num(values.rescan));
  } else {
    const { url, child } = await startEmulatorProcess();
    try {
      if (part === 'latency') figures = await latency(url, num(values.edits), num(values['quiet-ms']));
      else if (part === 'upload') figures = await initialUpload(url, num(values.files));
      else if (part === 'big') figures = await bigFile(url, num(values['big-mib']));
      else throw new Error(`unknown part ${part}`);
    } finally {
      child.kill('SIGTERM');
    }
  }
  console.log(JSON.stringify({ ...(figures as object), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

/** Each part runs in a child process of its own, so its peak RSS is its own. */
function runChild(part: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const args = [fileURLToPath(import.meta.url), '--part', part, ...extra];
  for (const flag of ['edits', 'files', 'big-mib', 'rescan', 'quiet-ms'] as const) args.push(`--${flag}`, String(values[flag]));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`bench part ${part} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  if (values.part) return runPart(values.part);
  const result: Record<string, unknown> = { node: process.version, cpus: (await import('node:os')).cpus().length };
  if (parts.has('latency')) result.propagationLatency = await runChild('latency');
  if (parts.has('upload')) result.initialUpload = await runChild('upload');
  if (parts.has('big')) result.bigFile = await runChild('big');
  if (parts.has('rescan')) {
    const dir = await tempDir('rescan');
    try {
      await runChild('rescan-prepare', ['--dir', dir]);
      result.startupRescan = await runChild('rescan', ['--dir', dir]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  result.goals = { latencyP50Ms: 300, latencyP95Ms: 1000, rescanSeconds: 5, peakRssMB: 200 };
  console.log(JSON.stringify(result, null, 2));
}

await main();
