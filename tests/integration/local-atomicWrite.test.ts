// atomicWrite on a real temp folder: temp paths, committing downloads (content, mtime, parents,
// replacement, the inode moving rather than a copy) and renames that never overwrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { commitDownloadedFile, renameNoReplace, TargetExistsError, tempPathFor } from '../../src/main/core/local/atomicWrite.js';
import { withTempDir } from '../helpers/tempDir.js';

const withTemp = (fn: (dir: string) => Promise<void>) => withTempDir('atomic', fn);

test('tempPathFor gives distinct paths in <stateDir>/tmp and creates that folder', () =>
  withTemp(async (dir) => {
    const stateDir = nodePath.join(dir, '.twinfold');
    const paths = await Promise.all([tempPathFor(stateDir), tempPathFor(stateDir), tempPathFor(stateDir)]);
    assert.deepEqual(paths.map((p) => nodePath.dirname(p)), Array(3).fill(nodePath.join(stateDir, 'tmp')));
    assert.equal(new Set(paths).size, 3);
    assert.ok((await stat(nodePath.join(stateDir, 'tmp'))).isDirectory());
    assert.deepEqual(paths.map((p) => existsSync(p)), [false, false, false]);
  }));

test('commitDownloadedFile renames the temp file into new folders and sets its mtime', () =>
  withTemp(async (dir) => {
    const temp = await tempPathFor(nodePath.join(dir, '.twinfold'));
    await writeFile(temp, 'downloaded');
    const tempInode = (await stat(temp)).ino;
    const final = nodePath.join(dir, 'new', 'nested', 'file.txt');
    const mtime = new Date('2023-05-06T07:08:09.123Z');
    await commitDownloadedFile(temp, final, mtime);
    const after = await stat(final);
    // Rounded: the seconds+nanoseconds round trip through a float leaves 122.999 for 123.
    assert.deepEqual(
      [await readFile(final, 'utf8'), Math.round(after.mtimeMs), after.ino, existsSync(temp)],
      ['downloaded', mtime.getTime(), tempInode, false],
    );
  }));

test('commitDownloadedFile replaces an older version in one step', () =>
  withTemp(async (dir) => {
    const final = nodePath.join(dir, 'doc.txt');
    await writeFile(final, 'old version');
    const temp = await tempPathFor(nodePath.join(dir, '.twinfold'));
    await writeFile(temp, 'new version');
    await commitDownloadedFile(temp, final, new Date('2024-01-01T00:00:00Z'));
    assert.deepEqual([await readFile(final, 'utf8'), await readdir(dir)], ['new version', ['.twinfold', 'doc.txt']]);
  }));

test('commitDownloadedFile with replace: false puts a new file in place but never replaces one', () =>
  withTemp(async (dir) => {
    const stateDir = nodePath.join(dir, '.twinfold');
    const fresh = await tempPathFor(stateDir);
    await writeFile(fresh, 'new file');
    await commitDownloadedFile(fresh, nodePath.join(dir, 'sub', 'new.txt'), new Date('2024-01-01T00:00:00Z'), { replace: false });
    const blocked = await tempPathFor(stateDir);
    await writeFile(blocked, 'would overwrite');
    await writeFile(nodePath.join(dir, 'mine.txt'), 'user edit');
    await assert.rejects(commitDownloadedFile(blocked, nodePath.join(dir, 'mine.txt'), new Date(), { replace: false }), TargetExistsError);
    assert.deepEqual(
      [await readFile(nodePath.join(dir, 'sub', 'new.txt'), 'utf8'), await readFile(nodePath.join(dir, 'mine.txt'), 'utf8'), await readFile(blocked, 'utf8')],
      ['new file', 'user edit', 'would overwrite'],
    );
  }));

test('commitDownloadedFile refuses to replace a folder', () =>
  withTemp(async (dir) => {
    await mkdir(nodePath.join(dir, 'taken', 'child'), { recursive: true });
    const temp = await tempPathFor(nodePath.join(dir, '.twinfold'));
    await writeFile(temp, 'x');
    await assert.rejects(commitDownloadedFile(temp, nodePath.join(dir, 'taken'), new Date()));
    assert.ok((await stat(nodePath.join(dir, 'taken', 'child'))).isDirectory());
  }));

type Setup = Record<string, string | null>;

// [description, files (content) and folders (null), from, to, expected outcome, expected listing after]
const renameRows: [string, Setup, string, string, 'ok' | 'EEXIST' | 'ENOENT', string[]][] = [
  ['a file to a free name', { 'a.txt': 'A' }, 'a.txt', 'b.txt', 'ok', ['b.txt=A']],
  ['a file into another existing folder', { 'a.txt': 'A', 'sub': null }, 'a.txt', 'sub/a.txt', 'ok', ['sub/', 'sub/a.txt=A']],
  ['a file onto an existing file', { 'a.txt': 'A', 'b.txt': 'B' }, 'a.txt', 'b.txt', 'EEXIST', ['a.txt=A', 'b.txt=B']],
  ['a file onto an existing folder', { 'a.txt': 'A', 'b': null }, 'a.txt', 'b', 'EEXIST', ['a.txt=A', 'b/']],
  ['a file onto another hard link of itself', { 'a.txt': 'A' }, 'a.txt', 'a-link.txt', 'EEXIST', ['a-link.txt=A', 'a.txt=A']],
  ['a folder to a free name', { 'd/x.txt': 'X' }, 'd', 'e', 'ok', ['e/', 'e/x.txt=X']],
  ['a folder onto an empty folder (plain rename would replace it)', { 'd/x.txt': 'X', 'e': null }, 'd', 'e', 'EEXIST', ['d/', 'd/x.txt=X', 'e/']],
  ['a folder onto a file', { 'd/x.txt': 'X', 'e': 'E' }, 'd', 'e', 'EEXIST', ['d/', 'd/x.txt=X', 'e=E']],
  ['a missing source', { 'b.txt': 'B' }, 'a.txt', 'c.txt', 'ENOENT', ['b.txt=B']],
  ['a case-only rename on a case-sensitive file system', { 'readme.md': 'R' }, 'readme.md', 'README.md', 'ok', ['README.md=R']],
];

/** Every entry below dir as 'path=content' for files and 'path/' for folders, sorted. */
async function listing(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(`${rel}/`, ...(await listing(nodePath.join(dir, entry.name), `${rel}/`)));
    else out.push(`${rel}=${await readFile(nodePath.join(dir, entry.name), 'utf8')}`);
  }
  return out.sort();
}

for (const [description, setup, from, to, outcome, after] of renameRows) {
  test(`renameNoReplace: ${description}`, () =>
    withTemp(async (dir) => {
      for (const [rel, content] of Object.entries(setup)) {
        const abs = nodePath.join(dir, rel);
        await mkdir(content === null ? abs : nodePath.dirname(abs), { recursive: true });
        if (content !== null) await writeFile(abs, content);
      }
      if (description.includes('hard link')) await link(nodePath.join(dir, 'a.txt'), nodePath.join(dir, 'a-link.txt'));
      const fromAbs = nodePath.join(dir, from);
      const inodeBefore = existsSync(fromAbs) ? (await stat(fromAbs)).ino : undefined;
      let result: string = 'ok';
      try {
        await renameNoReplace(fromAbs, nodePath.join(dir, to));
      } catch (error) {
        if (error instanceof TargetExistsError) assert.equal(error.code, 'EEXIST');
        result = (error as NodeJS.ErrnoException).code ?? String(error);
      }
      assert.deepEqual([result, await listing(dir)], [outcome, after]);
      // A move keeps the inode: the engine recognises renames by it.
      if (outcome === 'ok') assert.equal((await stat(nodePath.join(dir, to))).ino, inodeBefore);
    }));
}
