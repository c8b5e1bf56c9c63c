// The local scanner on real temp folders: tree shape, keys and spellings, ignores, problems
// (symlinks, case conflicts, invalid names, unreadable, unstable, special files), the hash
// cache, statLocal for watcher hints, abort, and the speed of a scan where nothing changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, lstat, mkdir, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { contentHashOf } from '../../src/main/core/contentHash.js';
import type { LocalItem, Tree } from '../../src/main/core/engine/model.js';
import { MemoryHashCache } from '../../src/main/core/local/hashCache.js';
import { hashFile } from '../../src/main/core/local/hashFile.js';
import { IgnoreRules } from '../../src/main/core/local/ignore.js';
import { LocalRootError, scanLocal, statLocal, statLocalMany, type ScanFs, type ScanOptions } from '../../src/main/core/local/scanner.js';
import { withTempDir } from '../helpers/tempDir.js';

/** An old mtime, as a download (which sets the Dropbox client_modified time) leaves. */
const OLD = new Date('2024-01-02T03:04:05Z');
/** A scan clock a minute ahead: files written by the test are then safely older than their hashes. */
const A_MINUTE_LATER = () => Date.now() + 60_000;

const withRoot = (fn: (root: string) => Promise<void>) => withTempDir('scan', fn);

/** Creates files (content given) and folders (content null) below root. */
async function make(root: string, spec: Record<string, string | null>): Promise<void> {
  for (const [rel, content] of Object.entries(spec)) {
    const abs = nodePath.join(root, rel);
    if (content === null) await mkdir(abs, { recursive: true });
    else {
      await mkdir(nodePath.dirname(abs), { recursive: true });
      await writeFile(abs, content);
    }
  }
}

function opts(extra: Partial<ScanOptions> = {}): ScanOptions {
  return { ignore: new IgnoreRules(), hashCache: new MemoryHashCache(), ...extra };
}

/** The tree as [key, path, kind, size, hash] rows, sorted by key, for one deep-equal. */
function rows(tree: Tree<LocalItem>): [string, string, string, number, string | undefined][] {
  return [...tree.values()]
    .map((i): [string, string, string, number, string | undefined] => [i.key, i.path, i.kind, i.size, i.contentHash])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Counts calls to the real file-system functions. */
function countingFs(): { fs: Partial<ScanFs>; calls: { readdir: string[]; hashFile: string[] } } {
  const calls = { readdir: [] as string[], hashFile: [] as string[] };
  return {
    calls,
    fs: {
      readdir: async (abs) => {
        calls.readdir.push(abs);
        const { readdir } = await import('node:fs/promises');
        return readdir(abs, { withFileTypes: true });
      },
      hashFile: (abs, signal) => {
        calls.hashFile.push(abs);
        return hashFile(abs, signal);
      },
    },
  };
}

test('scan returns files and folders keyed by path_lower, spelled as on disk, with content hashes', () =>
  withRoot(async (root) => {
    await make(root, { 'Docs/Report.TXT': 'hello', 'Docs/Sub': null, 'empty.bin': '', 'Ünïcode/ä.md': 'x' });
    const { tree, problems } = await scanLocal(root, opts());
    assert.deepEqual(problems, []);
    assert.deepEqual(rows(tree), [
      ['/docs', '/Docs', 'folder', 0, undefined],
      ['/docs/report.txt', '/Docs/Report.TXT', 'file', 5, contentHashOf(Buffer.from('hello'))],
      ['/docs/sub', '/Docs/Sub', 'folder', 0, undefined],
      ['/empty.bin', '/empty.bin', 'file', 0, contentHashOf(new Uint8Array())],
      ['/ünïcode', '/Ünïcode', 'folder', 0, undefined],
      ['/ünïcode/ä.md', '/Ünïcode/ä.md', 'file', 1, contentHashOf(Buffer.from('x'))],
    ]);
    const report = tree.get('/docs/report.txt');
    assert.ok(report && report.inode > 0 && report.mtimeMs > 0);
  }));

test('keys are NFC while paths keep the on-disk (NFD) spelling', () =>
  withRoot(async (root) => {
    const nfd = 'Cafe\u0301.txt';
    await make(root, { [nfd]: 'c' });
    const { tree } = await scanLocal(root, opts());
    assert.deepEqual(rows(tree), [['/caf\u00e9.txt', `/${nfd}`, 'file', 1, contentHashOf(Buffer.from('c'))]]);
  }));

test('ignored items are skipped and ignored folders are never listed', () =>
  withRoot(async (root) => {
    await make(root, {
      '.twinfold/tmp/dl-1.tmp': 'partial',
      'build/out.js': 'o',
      'src/build/deep/x.o': 'o',
      'src/main.c': 'm',
      'src/.DS_Store': 'junk',
      '~$doc.docx': 'lock',
      'notes.log': 'l',
      '.twinfoldignore': 'build/\n*.log\n',
    });
    const { fs, calls } = countingFs();
    const { tree, problems } = await scanLocal(root, opts({ ignore: new IgnoreRules('build/\n*.log\n'), fs }));
    assert.deepEqual(problems, []);
    assert.deepEqual([...tree.keys()].sort(), ['/.twinfoldignore', '/src', '/src/main.c']);
    assert.deepEqual(calls.readdir.map((abs) => nodePath.relative(root, abs)).sort(), ['', 'src']);
  }));

test('symlinks are reported and never followed', () =>
  withRoot((root) =>
    withTempDir('outside', async (outside) => {
      await make(outside, { 'secret.txt': 's' });
      await make(root, { 'real.txt': 'r' });
      await symlink(outside, nodePath.join(root, 'linkdir'));
      await symlink('real.txt', nodePath.join(root, 'link.txt'));
      await symlink('/nonexistent/target', nodePath.join(root, 'dangling'));
      const { tree, problems } = await scanLocal(root, opts());
      assert.deepEqual([...tree.keys()], ['/real.txt']);
      assert.deepEqual(problems, [
        { kind: 'symlink', path: '/dangling' },
        { kind: 'symlink', path: '/link.txt' },
        { kind: 'symlink', path: '/linkdir' },
      ]);
    })));

test('names differing only in case or Unicode form: the first in sorted order wins, the others conflict', () =>
  withRoot(async (root) => {
    const nfc = '\u00e9.txt';
    const nfd = 'e\u0301.txt';
    await make(root, { 'A.txt': 'upper', 'a.txt': 'lower', [nfc]: 'nfc', [nfd]: 'nfd', 'Dir/x': 'x', 'dir/y': 'y' });
    const { tree, problems } = await scanLocal(root, opts());
    assert.deepEqual(
      [...tree.values()].map((i) => [i.key, i.path]).sort(),
      [['/a.txt', '/A.txt'], ['/dir', '/Dir'], ['/dir/x', '/Dir/x'], ['/\u00e9.txt', `/${nfd}`]],
    );
    assert.deepEqual(problems, [
      { kind: 'case_conflict', path: '/a.txt', keptPath: '/A.txt' },
      { kind: 'case_conflict', path: '/dir', keptPath: '/Dir' },
      { kind: 'case_conflict', path: `/${nfc}`, keptPath: `/${nfd}` },
    ]);
  }));

test('names Dropbox refuses are problems and stay out of the tree with their subtree', () =>
  withRoot(async (root) => {
    await make(root, { 'ok.txt': 'o', 'trailing ': 't', '.dropbox': 'd', 'a\u007fb': 'del', 'back\\slash': 'b', 'bad dir /inner.txt': 'i' });
    const { tree, problems } = await scanLocal(root, opts());
    assert.deepEqual([...tree.keys()], ['/ok.txt']);
    assert.deepEqual(problems, [
      { kind: 'invalid_name', path: '/.dropbox', reason: 'disallowed' },
      { kind: 'invalid_name', path: '/a\u007fb', reason: 'bad_character' },
      { kind: 'invalid_name', path: '/back\\slash', reason: 'bad_character' },
      { kind: 'invalid_name', path: '/bad dir ', reason: 'trailing_space' },
      { kind: 'invalid_name', path: '/trailing ', reason: 'trailing_space' },
    ]);
  }));

test('a name that is not valid UTF-8 is reported, not silently dropped', () =>
  withRoot(async (root) => {
    writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff]), Buffer.from('.txt')]), 'x');
    await make(root, { 'ok.txt': 'o' });
    const { tree, problems } = await scanLocal(root, opts());
    assert.deepEqual([...tree.keys()], ['/ok.txt']);
    assert.deepEqual(problems.map((p) => [p.kind, p.kind === 'unreadable' ? p.code : '']), [['unreadable', 'EILSEQ']]);
  }));

test('sockets and other special files are problems', () =>
  withRoot(async (root) => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(nodePath.join(root, 'app.sock'), resolve));
    try {
      await make(root, { 'ok.txt': 'o' });
      const { tree, problems } = await scanLocal(root, opts());
      assert.deepEqual([[...tree.keys()], problems], [['/ok.txt'], [{ kind: 'special_file', path: '/app.sock' }]]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }));

test('unreadable folders and files are problems and the rest of the scan goes on (injected EACCES)', () =>
  withRoot(async (root) => {
    await make(root, { 'locked/inner.txt': 'i', 'secret.txt': 's', 'ok/fine.txt': 'f' });
    const eacces = (abs: string): Error => Object.assign(new Error(`EACCES: permission denied, open '${abs}'`), { code: 'EACCES' });
    const { fs } = countingFs();
    const { tree, problems } = await scanLocal(root, opts({
      fs: {
        readdir: async (abs) => {
          if (abs.endsWith('locked')) throw eacces(abs);
          return fs.readdir!(abs);
        },
        hashFile: async (abs, signal) => {
          if (abs.endsWith('secret.txt')) throw eacces(abs);
          return hashFile(abs, signal);
        },
      },
    }));
    assert.deepEqual([...tree.keys()].sort(), ['/ok', '/ok/fine.txt']);
    assert.deepEqual(problems.map((p) => [p.kind, p.path, p.kind === 'unreadable' ? p.code : '']), [
      ['unreadable', '/locked', 'EACCES'],
      ['unreadable', '/secret.txt', 'EACCES'],
    ]);
  }));

test('unreadable folders and files on a real file system (skipped as root, who can read anything)', { skip: process.getuid?.() === 0 && 'running as root' }, () =>
  withRoot(async (root) => {
    await make(root, { 'locked/inner.txt': 'i', 'secret.txt': 's', 'ok.txt': 'o' });
    await chmod(nodePath.join(root, 'locked'), 0o000);
    await chmod(nodePath.join(root, 'secret.txt'), 0o000);
    try {
      const { tree, problems } = await scanLocal(root, opts());
      assert.deepEqual([...tree.keys()], ['/ok.txt']);
      assert.deepEqual(problems.map((p) => [p.kind, p.path]), [['unreadable', '/locked'], ['unreadable', '/secret.txt']]);
    } finally {
      await chmod(nodePath.join(root, 'locked'), 0o755);
    }
  }));

test('a file that changes while hashed is hashed once more, then reported unstable', () =>
  withRoot(async (root) => {
    await make(root, { 'growing.log': 'start', 'calm.txt': 'c' });
    const hashed: string[] = [];
    const { tree, problems } = await scanLocal(root, opts({
      fs: {
        hashFile: async (abs, signal) => {
          hashed.push(nodePath.basename(abs));
          // Appending before the hasher's final fstat: the writer outpaces every attempt.
          if (abs.endsWith('growing.log')) await appendFile(abs, '+more');
          return hashFile(abs, signal);
        },
      },
    }));
    assert.deepEqual([[...tree.keys()], problems], [['/calm.txt'], [{ kind: 'unstable', path: '/growing.log' }]]);
    assert.deepEqual(hashed.sort(), ['calm.txt', 'growing.log', 'growing.log']);
  }));

test('a file that changes once while hashed is hashed again and kept with its final content', () =>
  withRoot(async (root) => {
    await make(root, { 'saved.txt': 'v1' });
    let calls = 0;
    const { tree, problems } = await scanLocal(root, opts({
      fs: {
        hashFile: async (abs, signal) => {
          if (calls++ === 0) await writeFile(abs, 'version 2');
          return hashFile(abs, signal);
        },
      },
    }));
    assert.deepEqual(problems, []);
    assert.deepEqual(rows(tree), [['/saved.txt', '/saved.txt', 'file', 9, contentHashOf(Buffer.from('version 2'))]]);
    assert.equal(calls, 2);
  }));

test('unchanged files come from the hash cache; changed and freshly written ones are hashed', () =>
  withRoot(async (root) => {
    await make(root, { 'a.txt': 'aaa', 'b.txt': 'bbb', 'fresh.txt': 'new' });
    await utimes(nodePath.join(root, 'a.txt'), OLD, OLD);
    await utimes(nodePath.join(root, 'b.txt'), OLD, OLD);
    // fresh.txt changed within the racy margin of the scan: its entry cannot vouch for it.
    const inAMinute = new Date(A_MINUTE_LATER());
    await utimes(nodePath.join(root, 'fresh.txt'), inAMinute, inAMinute);
    const cache = new MemoryHashCache();
    const first = countingFs();
    await scanLocal(root, opts({ hashCache: cache, fs: first.fs, now: A_MINUTE_LATER }));
    assert.deepEqual([first.calls.hashFile.length, cache.size], [3, 3]);

    await writeFile(nodePath.join(root, 'b.txt'), 'bbbb');
    await utimes(nodePath.join(root, 'b.txt'), OLD, new Date(OLD.getTime() + 1000));
    const second = countingFs();
    const { tree } = await scanLocal(root, opts({ hashCache: cache, fs: second.fs, now: A_MINUTE_LATER }));
    assert.deepEqual(second.calls.hashFile.map((abs) => nodePath.basename(abs)).sort(), ['b.txt', 'fresh.txt']);
    assert.equal(tree.get('/b.txt')?.contentHash, contentHashOf(Buffer.from('bbbb')));
    assert.equal(tree.get('/a.txt')?.contentHash, contentHashOf(Buffer.from('aaa')));
  }));

test('a new file on a freed inode with the same size and mtime is hashed, not taken from the cache', () =>
  withRoot(async (root) => {
    // What the engine does when a download replaces a deleted file: same size, same mtime second
    // (client_modified), and the file system hands out the inode just freed.
    const write = async (name: string, content: string): Promise<number> => {
      const abs = nodePath.join(root, name);
      await writeFile(abs, content);
      await utimes(abs, OLD, OLD);
      return (await lstat(abs)).ino;
    };
    const cache = new MemoryHashCache();
    let reused = false;
    for (let attempt = 0; attempt < 50 && !reused; attempt++) {
      const oldIno = await write('old.txt', 'old content');
      await scanLocal(root, opts({ hashCache: cache }));
      await unlink(nodePath.join(root, 'old.txt'));
      const newIno = await write('new.txt', 'NEW CONTENT');
      reused = newIno === oldIno;
      if (!reused) await unlink(nodePath.join(root, 'new.txt'));
    }
    if (!reused) return assert.fail('the file system never reused an inode; cannot set up the race');
    const { tree } = await scanLocal(root, opts({ hashCache: cache }));
    assert.equal(tree.get('/new.txt')?.contentHash, contentHashOf(Buffer.from('NEW CONTENT')));
  }));

test('statLocal finds a path by any spelling of its key and returns its subtree', () =>
  withRoot(async (root) => {
    await make(root, { 'Photos/2024/IMG_1.JPG': 'jpg', 'Photos/2024/notes.txt': 'n', 'Photos/other.txt': 'o' });
    const folder = await statLocal(root, '/photos/2024', opts());
    assert.equal(folder.key, '/photos/2024');
    assert.deepEqual(
      [...folder.tree.values()].map((i) => i.path).sort(),
      ['/Photos/2024', '/Photos/2024/IMG_1.JPG', '/Photos/2024/notes.txt'],
    );
    const file = await statLocal(root, 'PHOTOS/2024/img_1.jpg', opts());
    assert.deepEqual(rows(file.tree), [['/photos/2024/img_1.jpg', '/Photos/2024/IMG_1.JPG', 'file', 3, contentHashOf(Buffer.from('jpg'))]]);
  }));

// [description, relPath asked about, expected key, expected paths in the subtree, expected problem kinds]
const statRows: [string, string, string, string[], string[]][] = [
  ['a deleted file', '/gone.txt', '/gone.txt', [], []],
  ['below a deleted folder', '/nodir/x.txt', '/nodir/x.txt', [], []],
  ['below a file', '/file.txt/x', '/file.txt/x', [], []],
  ['an ignored file', '/dir/.DS_Store', '/dir/.ds_store', [], []],
  ['below an ignored folder', '/.twinfold/tmp/x', '/.twinfold/tmp/x', [], []],
  ['below a symlink', '/link/file.txt', '/link/file.txt', [], []],
  ['the symlink itself', '/link', '/link', [], ['symlink']],
  ['a case conflict at the target', '/dir/same.txt', '/dir/same.txt', ['/dir/SAME.txt'], ['case_conflict']],
  ['the root', '/', '', ['/dir', '/dir/SAME.txt', '/file.txt'], ['case_conflict', 'symlink']],
];

for (const [description, relPath, key, paths, problemKinds] of statRows) {
  test(`statLocal of ${description}`, () =>
    withRoot(async (root) => {
      await make(root, { 'file.txt': 'f', 'dir/SAME.txt': 'S', 'dir/same.txt': 's', 'dir/.DS_Store': 'j', '.twinfold/tmp/x': 'p' });
      await symlink(nodePath.join(root, 'dir'), nodePath.join(root, 'link'));
      const result = await statLocal(root, relPath, opts());
      assert.deepEqual(
        [result.key, [...result.tree.values()].map((i) => i.path).sort(), result.problems.map((p) => p.kind)],
        [key, paths, problemKinds],
      );
    }));
}

test('statLocalMany answers each path and lists a shared parent once', () =>
  withRoot(async (root) => {
    await make(root, { 'big/a.txt': 'a', 'big/b.txt': 'b', 'big/c.txt': 'c' });
    const { fs, calls } = countingFs();
    const results = await statLocalMany(root, ['/big/a.txt', '/big/b.txt', '/big/missing'], opts({ fs }));
    assert.deepEqual(results.map((r) => [r.key, [...r.tree.keys()]]), [
      ['/big/a.txt', ['/big/a.txt']],
      ['/big/b.txt', ['/big/b.txt']],
      ['/big/missing', []],
    ]);
    assert.deepEqual(calls.readdir.map((abs) => nodePath.relative(root, abs)).sort(), ['', 'big']);
  }));

test('a missing root is an error, not an empty tree', async () => {
  await assert.rejects(scanLocal(nodePath.join(tmpdir(), 'twinfold-no-such-root-' + process.pid), opts()), LocalRootError);
});

test('an aborted scan rejects with the abort reason', () =>
  withRoot(async (root) => {
    await make(root, { 'a/b/c.txt': 'c' });
    const controller = new AbortController();
    const reason = new Error('stop now');
    const { fs } = countingFs();
    const scan = scanLocal(root, opts({
      signal: controller.signal,
      fs: { readdir: async (abs) => { controller.abort(reason); return fs.readdir!(abs); } },
    }));
    await assert.rejects(scan, (error) => error === reason);
  }));

/** Creates `count` small files in folders of 100 with old mtimes, returns after warming a cache. */
async function warmTree(root: string, count: number): Promise<MemoryHashCache> {
  for (let d = 0; d < count / 100; d++) {
    const dir = nodePath.join(root, `d${d}`);
    await mkdir(dir);
    await Promise.all(Array.from({ length: 100 }, async (_, f) => {
      const file = nodePath.join(dir, `f${f}.txt`);
      await writeFile(file, `${d}/${f}`);
      await utimes(file, OLD, OLD);
    }));
  }
  const cache = new MemoryHashCache();
  await scanLocal(root, opts({ hashCache: cache, now: A_MINUTE_LATER }));
  return cache;
}

test('a scan of 5,000 unchanged files hashes nothing and is fast', () =>
  withRoot(async (root) => {
    const cache = await warmTree(root, 5000);
    const { fs, calls } = countingFs();
    const started = performance.now();
    const { tree, problems } = await scanLocal(root, opts({ hashCache: cache, fs: { hashFile: fs.hashFile! } }));
    const elapsed = performance.now() - started;
    assert.deepEqual([tree.size, problems.length, calls.hashFile.length], [5000 + 50, 0, 0]);
    // 100k files must take at most 5 s; 5k gets the same per-file budget with a wide margin.
    assert.ok(elapsed < 2500, `5,000 unchanged files took ${elapsed.toFixed(0)} ms`);
  }));

// By hand: TWINFOLD_SCAN_BENCH=100000 npx tsx --test --test-name-pattern=benchmark tests/integration/local-scanner.test.ts
const benchCount = Number(process.env.TWINFOLD_SCAN_BENCH ?? 0);
test(`benchmark: rescan of ${benchCount} unchanged files`, { skip: benchCount === 0 && 'set TWINFOLD_SCAN_BENCH=<files> to run' }, (t) =>
  withRoot(async (root) => {
    const cache = await warmTree(root, benchCount);
    const times: number[] = [];
    for (let run = 1; run <= 5; run++) {
      const started = performance.now();
      const { tree } = await scanLocal(root, opts({ hashCache: cache }));
      times.push(performance.now() - started);
      t.diagnostic(`run ${run}: ${tree.size} items in ${times.at(-1)?.toFixed(0)} ms`);
    }
    assert.ok(Math.min(...times) < 5000, `best of 5 rescans took ${Math.min(...times).toFixed(0)} ms`);
  }));
