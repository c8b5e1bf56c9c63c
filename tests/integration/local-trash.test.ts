// moveToTrash: the real OS (XDG) trash in a throwaway HOME, the fallback folder when no OS trash
// is usable, and the checks around both. The trash package reads HOME and XDG_DATA_HOME when it
// is first imported, so runs against the real package happen in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import * as nodePath from 'node:path';
import { moveToTrash, osTrashCouldLandInside, TrashError, type TrashResult } from '../../src/main/core/local/trash.js';
import { withTempDir } from '../helpers/tempDir.js';

const TRASH_MODULE = new URL('../../src/main/core/local/trash.js', import.meta.url).href;
const DATE_DIR = /^\d{4}-\d{2}-\d{2}$/;

const withTemp = (fn: (dir: string) => Promise<void>) => withTempDir('trash', fn);

/** Only the loader flags (tsx under `tsx --test`, none when running compiled tests). */
function loaderArgs(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if ((arg === '--require' || arg === '--import' || arg === '--loader') && i + 1 < argv.length) out.push(arg, argv[++i] as string);
    else if (/^--(require|import|loader)=/.test(arg)) out.push(arg);
  }
  return out;
}

/** Runs moveToTrash in a fresh Node process with the given environment. */
function trashInChild(absPath: string, fallbackDir: string, env: Record<string, string>): Promise<TrashResult> {
  const script = `
    const { moveToTrash } = await import(process.env.TRASH_MODULE);
    const result = await moveToTrash(process.env.TRASH_TARGET, process.env.TRASH_FALLBACK, undefined, { origin: process.env.TRASH_ORIGIN });
    process.stdout.write(JSON.stringify(result));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loaderArgs(), '--input-type=module', '-e', script], {
      env: { ...process.env, ...env, TRASH_MODULE, TRASH_TARGET: absPath, TRASH_FALLBACK: fallbackDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as TrashResult);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

test('a file and a folder go to the XDG trash of the user, names with glob characters included', () =>
  withTemp(async (dir) => {
    const home = nodePath.join(dir, 'home');
    const dataHome = nodePath.join(home, '.local', 'share');
    const root = nodePath.join(dir, 'sync');
    await mkdir(home);
    await mkdir(nodePath.join(root, 'album'), { recursive: true });
    // A pattern-looking name next to a file it would match: only the named file may move.
    const tricky = nodePath.join(root, 'report [draft] *.txt');
    await writeFile(tricky, 'draft');
    await writeFile(nodePath.join(root, 'report d .txt'), 'bystander');
    await writeFile(nodePath.join(root, 'album', '1.jpg'), 'jpg');
    const env = { HOME: home, XDG_DATA_HOME: dataHome };

    const fileResult = await trashInChild(tricky, nodePath.join(root, '.twinfold', 'trash'), env);
    const folderResult = await trashInChild(nodePath.join(root, 'album'), nodePath.join(root, '.twinfold', 'trash'), env);

    const trashFiles = nodePath.join(dataHome, 'Trash', 'files');
    assert.deepEqual([fileResult.where, folderResult.where], ['os', 'os']);
    assert.equal(nodePath.dirname(fileResult.location ?? ''), trashFiles);
    assert.equal(await readFile(fileResult.location ?? '', 'utf8'), 'draft');
    assert.equal(await readFile(nodePath.join(folderResult.location ?? '', '1.jpg'), 'utf8'), 'jpg');
    assert.equal((await readdir(nodePath.join(dataHome, 'Trash', 'info'))).length, 2);
    assert.deepEqual((await readdir(root)).sort(), ['report d .txt']);
  }));

test('without a usable OS trash the item is renamed into the dated fallback folder', () =>
  withTemp(async (dir) => {
    const home = nodePath.join(dir, 'home');
    const root = nodePath.join(dir, 'sync');
    await mkdir(home);
    await mkdir(root);
    // A file where the trash's data folder should be: no OS trash can be created (even for root).
    const notADir = nodePath.join(dir, 'not-a-dir');
    await writeFile(notADir, '');
    const target = nodePath.join(root, 'old notes.txt');
    await writeFile(target, 'keep me');
    const fallback = nodePath.join(root, '.twinfold', 'trash');

    const result = await trashInChild(target, fallback, { HOME: home, XDG_DATA_HOME: notADir });

    assert.equal(result.where, 'fallback');
    assert.match(result.osError ?? '', /./);
    const rel = nodePath.relative(fallback, result.location ?? '').split(nodePath.sep);
    assert.equal(rel.length, 3);
    assert.match(rel[0] as string, DATE_DIR);
    assert.equal(rel[2], 'old notes.txt');
    assert.equal(await readFile(result.location ?? '', 'utf8'), 'keep me');
    assert.equal(existsSync(target), false);
  }));

// [description, injected OS trash, expected where]
const injected: [string, (abs: string, dir: string) => Promise<string | undefined>, TrashResult['where']][] = [
  ['the OS trash moves it', async (abs, dir) => {
    const to = nodePath.join(dir, 'os-trash-item');
    await rename(abs, to);
    return to;
  }, 'os'],
  ['the OS trash throws', async () => {
    throw new Error('no trash here');
  }, 'fallback'],
  ['the OS trash quietly leaves it in place', async () => undefined, 'fallback'],
];

for (const [description, osTrash, where] of injected) {
  test(`moveToTrash when ${description}`, () =>
    withTemp(async (dir) => {
      const target = nodePath.join(dir, 'item.txt');
      await writeFile(target, 'content');
      const result = await moveToTrash(target, nodePath.join(dir, 'fallback'), (abs) => osTrash(abs, dir));
      assert.deepEqual([result.where, existsSync(target), await readFile(result.location ?? '', 'utf8')], [where, false, 'content']);
    }));
}

test('two items with the same name trashed on the same day do not collide', () =>
  withTemp(async (dir) => {
    const fallback = nodePath.join(dir, 'fallback');
    const fail = async (): Promise<undefined> => {
      throw new Error('no trash');
    };
    const locations: string[] = [];
    for (const content of ['first', 'second']) {
      await writeFile(nodePath.join(dir, 'same.txt'), content);
      locations.push((await moveToTrash(nodePath.join(dir, 'same.txt'), fallback, fail)).location ?? '');
    }
    assert.notEqual(locations[0], locations[1]);
    assert.deepEqual(await Promise.all(locations.map((l) => readFile(l, 'utf8'))), ['first', 'second']);
  }));

test('a missing path rejects with ENOENT', () =>
  withTemp(async (dir) => {
    await assert.rejects(moveToTrash(nodePath.join(dir, 'nope'), nodePath.join(dir, 'fallback')), { code: 'ENOENT' });
  }));

test('when both the OS trash and the fallback fail, the item stays where it was', () =>
  withTemp(async (dir) => {
    const target = nodePath.join(dir, 'precious.txt');
    await writeFile(target, 'precious');
    const blocked = nodePath.join(dir, 'blocked');
    await writeFile(blocked, 'a file, so no folder can be made below it');
    const fail = async (): Promise<undefined> => {
      throw new Error('no trash');
    };
    await assert.rejects(moveToTrash(target, nodePath.join(blocked, 'trash'), fail), (error: unknown) => {
      assert.ok(error instanceof TrashError);
      assert.match(error.message, /OS trash failed \(no trash\); fallback failed/);
      return true;
    });
    assert.equal(await readFile(target, 'utf8'), 'precious');
  }));

// A drive mounted at (or inside) the synced folder has its OS trash at its top, inside the folder.
// Devices are faked per folder: `mounts` lists the folders that are a drive's top.
function fakeDevices(mounts: string[], homeDevice: number): (abs: string) => Promise<number> {
  return async (abs) => {
    if (abs === nodePath.resolve(homedir())) return homeDevice;
    const top = mounts.filter((m) => abs === m || abs.startsWith(`${m}${nodePath.sep}`)).sort((a, b) => b.length - a.length)[0];
    return top === undefined ? 1 : 100 + mounts.indexOf(top);
  };
}

// [description, drive tops, home device, expected]
const landingRows: [string, (root: string) => string[], number, boolean][] = [
  ['an ordinary folder on the home drive', () => [], 1, false],
  ['the synced folder is the top of another drive', (root) => [root], 1, true],
  ['a drive mounted on a folder inside the synced folder', (root) => [nodePath.join(root, 'mnt')], 1, true],
  ['the synced folder is the top of the home drive (home trash is used)', (root) => [root], 100, false],
  ['the synced folder lies inside another drive whose top is outside it', (root) => [nodePath.dirname(root)], 1, false],
];
for (const [description, tops, homeDevice, expected] of landingRows) {
  test(`osTrashCouldLandInside: ${description} -> ${expected}`, async () => {
    const root = nodePath.resolve('/data/sync');
    const item = nodePath.join(root, 'mnt', 'docs', 'a.txt');
    assert.equal(await osTrashCouldLandInside(item, root, fakeDevices(tops(root), homeDevice), 'linux'), expected);
  });
}

test('on Windows the recycle bin at a drive top is used even on the home drive', async () => {
  const root = nodePath.resolve('/data/sync');
  assert.equal(await osTrashCouldLandInside(nodePath.join(root, 'a.txt'), root, fakeDevices([root], 100), 'win32'), true);
});

test('where the OS trash would land inside the synced folder, the fallback is used and the OS trash is not asked', () =>
  withTemp(async (dir) => {
    const root = nodePath.join(dir, 'sync');
    await mkdir(root);
    const target = nodePath.join(root, 'item.txt');
    await writeFile(target, 'content');
    let asked = false;
    const osTrash = async (): Promise<undefined> => {
      asked = true;
    };
    const result = await moveToTrash(target, nodePath.join(root, '.twinfold', 'trash'), osTrash, { keepOutOf: root, devOf: fakeDevices([root], 1) });
    assert.deepEqual([result.where, asked, existsSync(target), await readFile(result.location ?? '', 'utf8')], ['fallback', false, false, 'content']);
    assert.match(result.osError ?? '', /inside the synced folder/);
  }));

test('an item moved aside before trashing is shown in the XDG trash with the path the user had', () =>
  withTemp(async (dir) => {
    const home = nodePath.join(dir, 'home');
    const dataHome = nodePath.join(home, '.local', 'share');
    const aside = nodePath.join(dir, 'sync', '.twinfold', 'trashing', 'x');
    await mkdir(home);
    await mkdir(aside, { recursive: true });
    await writeFile(nodePath.join(aside, 'é 1.txt'), 'content');
    const origin = nodePath.join(dir, 'sync', 'My Docs', 'é 1.txt');

    const result = await trashInChild(nodePath.join(aside, 'é 1.txt'), nodePath.join(dir, 'fallback'), { HOME: home, XDG_DATA_HOME: dataHome, TRASH_ORIGIN: origin });

    assert.equal(result.where, 'os');
    const infoDir = nodePath.join(dataHome, 'Trash', 'info');
    const [info] = await readdir(infoDir);
    const text = await readFile(nodePath.join(infoDir, info ?? ''), 'utf8');
    assert.match(text, /^Path=(.*)$/m);
    assert.equal(decodeURIComponent(/^Path=(.*)$/m.exec(text)?.[1] ?? ''), origin);
    assert.match(text, /My%20Docs\/%C3%A9%201\.txt/);
  }));
