// LocalWatcher on a real temp folder: create, modify, delete and rename files and folders, and
// check which paths the batches name. Batches may split when the machine is slow, so each test
// waits (bounded) until the union of batches covers what it expects, then compares exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { coalesceEvents } from '../../src/main/core/local/coalesce.js';
import { IgnoreRules } from '../../src/main/core/local/ignore.js';
import { LocalWatcher } from '../../src/main/core/local/watcher.js';

const TIMEOUT_MS = 10_000;
/** Bounds every test, including waits on a single event that never comes. */
const TEST = { timeout: 3 * TIMEOUT_MS };

interface Harness {
  root: string;
  watcher: LocalWatcher;
  write(rel: string, content?: string): Promise<void>;
  /** Resolves with the minimal cover of all batch paths once it includes every expected path. */
  batchesCovering(expected: string[]): Promise<string[]>;
}

async function withWatcher(setup: Record<string, string | null>, rules: string, fn: (h: Harness) => Promise<void>): Promise<void> {
  const root = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-watch-'));
  const write = async (rel: string, content = 'x'): Promise<void> => {
    const abs = nodePath.join(root, rel);
    await mkdir(nodePath.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  };
  for (const [rel, content] of Object.entries(setup)) {
    if (content === null) await mkdir(nodePath.join(root, rel), { recursive: true });
    else await write(rel, content);
  }
  const watcher = new LocalWatcher(root, { ignore: new IgnoreRules(rules), quietMs: 200 });
  const errors: Error[] = [];
  watcher.on('error', (error) => errors.push(error));
  const seen: string[] = [];
  watcher.on('batch', ({ paths }) => seen.push(...paths));
  const batchesCovering = (expected: string[]): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const cover = (): string[] => coalesceEvents(seen.map((path) => ({ type: 'change' as const, path }))).paths;
      const check = (): void => {
        const now = cover();
        if (expected.every((p) => now.includes(p))) {
          clearTimeout(timer);
          watcher.off('batch', check);
          resolve(now);
        }
      };
      const timer = setTimeout(() => {
        watcher.off('batch', check);
        reject(new Error(`timed out waiting for ${JSON.stringify(expected)}; batches so far named ${JSON.stringify(cover())}`));
      }, TIMEOUT_MS);
      watcher.on('batch', check);
      check();
    });
  try {
    let ready = false;
    watcher.once('ready', () => (ready = true));
    await watcher.start();
    assert.ok(ready, "'ready' is emitted by the time start() resolves");
    await fn({ root, watcher, write, batchesCovering });
    assert.deepEqual(errors, []);
  } finally {
    await watcher.close();
    await rm(root, { recursive: true, force: true });
  }
}

test('new files and folders: a new folder covers what was created inside it', TEST, () =>
  withWatcher({ 'old.txt': 'o' }, '', async (h) => {
    await h.write('new.txt');
    await h.write('fresh/inner/deep.txt');
    assert.deepEqual(await h.batchesCovering(['/fresh', '/new.txt']), ['/fresh', '/new.txt']);
  }));

test('a modified file', TEST, () =>
  withWatcher({ 'doc.txt': 'v1', 'dir/nested.txt': 'n1' }, '', async (h) => {
    await appendFile(nodePath.join(h.root, 'doc.txt'), 'v2');
    await appendFile(nodePath.join(h.root, 'dir/nested.txt'), 'n2');
    assert.deepEqual(await h.batchesCovering(['/dir/nested.txt', '/doc.txt']), ['/dir/nested.txt', '/doc.txt']);
  }));

test('deleted files and folders', TEST, () =>
  withWatcher({ 'gone.txt': 'g', 'tree/a.txt': 'a', 'tree/sub/b.txt': 'b', 'keep.txt': 'k' }, '', async (h) => {
    await rm(nodePath.join(h.root, 'gone.txt'));
    await rm(nodePath.join(h.root, 'tree'), { recursive: true });
    assert.deepEqual(await h.batchesCovering(['/gone.txt', '/tree']), ['/gone.txt', '/tree']);
  }));

test('renamed files and folders name both the old and the new path', TEST, () =>
  withWatcher({ 'a.txt': 'a', 'album/1.jpg': '1', 'album/2.jpg': '2' }, '', async (h) => {
    await rename(nodePath.join(h.root, 'a.txt'), nodePath.join(h.root, 'b.txt'));
    await rename(nodePath.join(h.root, 'album'), nodePath.join(h.root, 'Album 2024'));
    const expected = ['/Album 2024', '/a.txt', '/album', '/b.txt'];
    assert.deepEqual(await h.batchesCovering(expected), expected);
  }));

test('the state folder and ignored paths produce no batches', TEST, () =>
  withWatcher({ '.twinfold/tmp': null, 'build': null, 'lib/build': null }, 'build/\n*.log\n', async (h) => {
    await h.write('.twinfold/tmp/dl-1.tmp', 'partial download');
    await h.write('.twinfold/index.db', 'state');
    await h.write('build/out.js');
    await h.write('lib/build/out.o');
    await h.write('lib/build/new/deeper.o');
    await h.write('debug.log');
    await h.write('lib/.DS_Store');
    await h.write('~$report.docx');
    await h.write('lib/main.c');
    assert.deepEqual(await h.batchesCovering(['/lib/main.c']), ['/lib/main.c']);
    // Events are not strictly ordered across folders: a second, later write flushes out stragglers.
    await h.write('sentinel.txt');
    assert.deepEqual(await h.batchesCovering(['/sentinel.txt']), ['/lib/main.c', '/sentinel.txt']);
  }));

test("names chokidar's editor-save handling would hide ('notes~', '.x.swp') are watched", TEST, () =>
  withWatcher({}, '', async (h) => {
    await h.write('notes~');
    await h.write('.draft.txt.swp');
    assert.deepEqual(await h.batchesCovering(['/.draft.txt.swp', '/notes~']), ['/.draft.txt.swp', '/notes~']);
  }));

test('hints arrive before the batch; flush emits the pending batch at once; close stops the batches', TEST, () =>
  withWatcher({}, '', async (h) => {
    // A quiet period far longer than the test timeout: only flush() can deliver in time.
    const slow = new LocalWatcher(h.root, { ignore: new IgnoreRules(), quietMs: 60_000 });
    const batches: string[][] = [];
    slow.on('batch', ({ paths }) => batches.push(paths));
    try {
      await slow.start();
      const hinted = new Promise((resolve) => slow.once('hint', resolve));
      await h.write('now.txt');
      assert.deepEqual(await hinted, { type: 'add', path: '/now.txt' });
      assert.deepEqual(batches, []);
      slow.flush();
      assert.deepEqual(batches, [['/now.txt']]);
      const hintedLater = new Promise((resolve) => slow.once('hint', resolve));
      await h.write('later.txt');
      await hintedLater;
    } finally {
      await slow.close();
    }
    // The pending '/later.txt' was dropped by close.
    slow.flush();
    assert.deepEqual(batches, [['/now.txt']]);
  }));

test('closing a watcher while it starts ends its start: an engine stopped during start-up is not stuck', TEST, async () => {
  const root = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-watch-close-'));
  try {
    for (let i = 0; i < 200; i += 1) await mkdir(nodePath.join(root, `d${i}`, 'sub'), { recursive: true });
    const watcher = new LocalWatcher(root, { ignore: new IgnoreRules(), quietMs: 200 });
    const started = watcher.start();
    await watcher.close();
    await started;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
