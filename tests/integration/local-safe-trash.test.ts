// safeTrash on real temp folders: a save that lands at any step of a trash (before the private
// rename, after it, in place or as a new file) is never trashed; a folder goes only with exactly
// the entries that were checked; a crash between the private rename and the trash is repaired by
// recoverPendingTrash. Seams in the module run the user's save at each step, deterministically.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { LocalItem } from '../../src/main/core/engine/model.js';
import { expectedEntries, recoverPendingTrash, safeTrash, safeTrashSeams, PENDING_TRASH_DIR_NAME, type SafeTrashRequest } from '../../src/main/core/local/safeTrash.js';
import { withTempDir } from '../helpers/tempDir.js';

afterEach(() => {
  delete safeTrashSeams.beforePrivateRename;
  delete safeTrashSeams.afterPrivateRename;
});

/** An OS trash that moves items into `<dir>/os-trash`, recording what it got. */
function fakeOsTrash(dir: string, got: string[]) {
  return async (abs: string): Promise<string> => {
    const to = nodePath.join(dir, 'os-trash', `${got.length}-${nodePath.basename(abs)}`);
    await mkdir(nodePath.dirname(to), { recursive: true });
    const { rename } = await import('node:fs/promises');
    await rename(abs, to);
    got.push(to);
    return to;
  };
}

/** The local items below (and at) `rel`, as a scan records them. */
async function observe(root: string, rels: string[]): Promise<LocalItem[]> {
  return Promise.all(
    rels.map(async (rel) => {
      const stats = await lstat(nodePath.join(root, rel));
      const kind = stats.isDirectory() ? 'folder' : 'file';
      return { key: rel.toLowerCase(), path: rel, kind, size: kind === 'file' ? stats.size : 0, mtimeMs: stats.mtimeMs, inode: stats.ino } satisfies LocalItem;
    }),
  );
}

interface Setup {
  root: string;
  stateDir: string;
  trashed: string[];
  request(top: LocalItem, items: LocalItem[]): SafeTrashRequest;
}

function withRoot(fn: (s: Setup) => Promise<void>): Promise<void> {
  return withTempDir('safe-trash', async (dir) => {
    const root = nodePath.join(dir, 'root');
    const stateDir = nodePath.join(root, '.twinfold');
    await mkdir(stateDir, { recursive: true });
    const trashed: string[] = [];
    const osTrash = fakeOsTrash(dir, trashed);
    await fn({
      root,
      stateDir,
      trashed,
      request: (top, items) => ({
        localRoot: root,
        stateDir,
        path: top.path,
        expected: expectedEntries(top, items),
        leftOut: (path) => nodePath.posix.basename(path) === '.DS_Store',
        osTrash,
      }),
    });
  });
}

async function pendingPlaces(stateDir: string): Promise<string[]> {
  return readdir(nodePath.join(stateDir, PENDING_TRASH_DIR_NAME)).catch(() => []);
}

test('an unchanged file goes to the trash and leaves nothing in the private place', () =>
  withRoot(async ({ root, stateDir, trashed, request }) => {
    await writeFile(nodePath.join(root, 'old.txt'), 'old');
    const [item] = await observe(root, ['/old.txt']);
    const outcome = await safeTrash(request(item as LocalItem, [item as LocalItem]));
    assert.equal(outcome.trashed, true);
    assert.deepEqual([existsSync(nodePath.join(root, 'old.txt')), await readFile(trashed[0] ?? '', 'utf8'), await pendingPlaces(stateDir)], [false, 'old', []]);
  }));

// [description, the save, where it lands, expected outcome, content left at the path]
const fileRaces: [string, 'beforePrivateRename' | 'afterPrivateRename', (abs: string, privatePath: string) => Promise<void>, boolean, string][] = [
  ['saved in place just before the private rename', 'beforePrivateRename', (abs) => writeFile(abs, 'new version'), false, 'new version'],
  ['written through an open handle after the private rename', 'afterPrivateRename', (_abs, priv) => appendFile(priv, ' + more'), false, 'old + more'],
  ['saved as a new file (atomic save) after the private rename', 'afterPrivateRename', (abs) => writeFile(abs, 'new version'), true, 'new version'],
];
for (const [description, seam, save, trashedExpected, content] of fileRaces) {
  test(`a file ${description}: the new version stays in place, only the checked one is trashed`, () =>
    withRoot(async ({ root, stateDir, trashed, request }) => {
      const abs = nodePath.join(root, 'doc.txt');
      await writeFile(abs, 'old');
      const [item] = await observe(root, ['/doc.txt']);
      if (seam === 'beforePrivateRename') safeTrashSeams.beforePrivateRename = (a) => save(a, '');
      else safeTrashSeams.afterPrivateRename = (priv) => save(abs, priv);
      const outcome = await safeTrash(request(item as LocalItem, [item as LocalItem]));
      assert.equal(outcome.trashed, trashedExpected);
      assert.equal(await readFile(abs, 'utf8'), content);
      assert.deepEqual(await pendingPlaces(stateDir), []);
      // Whatever was trashed is the old version, exactly.
      for (const t of trashed) assert.equal(await readFile(t, 'utf8'), 'old');
    }));
}

test('a changed file whose name was reused meanwhile comes back as a conflicted copy beside it', () =>
  withRoot(async ({ root, request }) => {
    const abs = nodePath.join(root, 'doc.txt');
    await writeFile(abs, 'old');
    const [item] = await observe(root, ['/doc.txt']);
    safeTrashSeams.afterPrivateRename = async (priv) => {
      await appendFile(priv, ' edited'); // an edit through a handle opened before
      await writeFile(abs, 'another new file'); // and a new file with the same name
    };
    const outcome = await safeTrash(request(item as LocalItem, [item as LocalItem]));
    assert.equal(outcome.trashed, false);
    const restoredAs = outcome.trashed ? '' : (outcome.restoredAs ?? '');
    assert.match(restoredAs, /^\/doc \(.*'s conflicted copy \d{4}-\d{2}-\d{2}\)\.txt$/);
    assert.deepEqual([await readFile(abs, 'utf8'), await readFile(nodePath.join(root, restoredAs), 'utf8')], ['another new file', 'old edited']);
  }));

test('a folder with a new file saved into it just before the move is put back whole', () =>
  withRoot(async ({ root, stateDir, trashed, request }) => {
    await mkdir(nodePath.join(root, 'album/sub'), { recursive: true });
    await writeFile(nodePath.join(root, 'album/sub/1.jpg'), 'one');
    const items = await observe(root, ['/album', '/album/sub', '/album/sub/1.jpg']);
    safeTrashSeams.beforePrivateRename = (abs) => writeFile(nodePath.join(abs, 'sub', 'new.jpg'), 'new');
    const outcome = await safeTrash(request(items[0] as LocalItem, items));
    assert.deepEqual([outcome.trashed, trashed.length, await pendingPlaces(stateDir)], [false, 0, []]);
    assert.deepEqual((await readdir(nodePath.join(root, 'album/sub'))).sort(), ['1.jpg', 'new.jpg']);
  }));

// [description, change inside the private copy, trashed?]
const folderRows: [string, (priv: string) => Promise<void>, boolean][] = [
  ['nothing changed', async () => undefined, true],
  ['only an ignored .DS_Store appeared', (priv) => writeFile(nodePath.join(priv, '.DS_Store'), 'x'), true],
  ['a file inside was edited', (priv) => appendFile(nodePath.join(priv, 'sub/1.jpg'), '!'), false],
  ['a file inside is missing', async (priv) => {
    const { rename } = await import('node:fs/promises');
    // Moved out to the root: `priv` is <root>/.twinfold/trashing/<place>/album.
    await rename(nodePath.join(priv, 'sub/1.jpg'), nodePath.join(priv, '../../../..', 'moved-out.jpg'));
  }, false],
  ['an empty folder appeared', (priv) => mkdir(nodePath.join(priv, 'sub/new')), false],
];
for (const [description, change, trashedExpected] of folderRows) {
  test(`a folder when ${description} after the move: ${trashedExpected ? 'trashed' : 'put back'}`, () =>
    withRoot(async ({ root, stateDir, request }) => {
      await mkdir(nodePath.join(root, 'album/sub'), { recursive: true });
      await writeFile(nodePath.join(root, 'album/sub/1.jpg'), 'one');
      const items = await observe(root, ['/album', '/album/sub', '/album/sub/1.jpg']);
      safeTrashSeams.afterPrivateRename = change;
      const outcome = await safeTrash(request(items[0] as LocalItem, items));
      assert.equal(outcome.trashed, trashedExpected);
      assert.equal(existsSync(nodePath.join(root, 'album')), !trashedExpected);
      if (!trashedExpected) assert.deepEqual(await pendingPlaces(stateDir), []);
    }));
}

test('an item changed before the check is not moved at all', () =>
  withRoot(async ({ root, stateDir, trashed, request }) => {
    const abs = nodePath.join(root, 'doc.txt');
    await writeFile(abs, 'old');
    const [item] = await observe(root, ['/doc.txt']);
    await writeFile(abs, 'newer!');
    const outcome = await safeTrash(request(item as LocalItem, [item as LocalItem]));
    assert.deepEqual([outcome, trashed, await pendingPlaces(stateDir), await readFile(abs, 'utf8')], [{ trashed: false, reason: 'changed' }, [], [], 'newer!']);
  }));

/** A crash right after the private rename: the seam throws as if the process had died there. */
async function crashAfterPrivateRename(request: SafeTrashRequest): Promise<void> {
  safeTrashSeams.afterPrivateRename = async () => {
    throw new Error('killed');
  };
  await assert.rejects(safeTrash(request), /killed/);
  delete safeTrashSeams.afterPrivateRename;
}

test('after a crash between the private rename and the trash, start-up puts the item back', () =>
  withRoot(async ({ root, stateDir, trashed, request }) => {
    await mkdir(nodePath.join(root, 'docs/album'), { recursive: true });
    await writeFile(nodePath.join(root, 'docs/album/1.jpg'), 'one');
    await writeFile(nodePath.join(root, 'docs/note.txt'), 'note');
    const items = await observe(root, ['/docs/album', '/docs/album/1.jpg', '/docs/note.txt']);
    await crashAfterPrivateRename(request(items[0] as LocalItem, items.slice(0, 2)));
    await crashAfterPrivateRename(request(items[2] as LocalItem, [items[2] as LocalItem]));
    assert.deepEqual(await readdir(nodePath.join(root, 'docs')), []);

    const recovered = await recoverPendingTrash(root, stateDir);
    assert.deepEqual(recovered.map((r) => r.path).sort(), ['/docs/album', '/docs/note.txt']);
    assert.deepEqual([await readFile(nodePath.join(root, 'docs/album/1.jpg'), 'utf8'), await readFile(nodePath.join(root, 'docs/note.txt'), 'utf8')], ['one', 'note']);
    assert.deepEqual([trashed, await pendingPlaces(stateDir), await recoverPendingTrash(root, stateDir)], [[], [], []]);
  }));

test('recovery never replaces what took the name meanwhile, and recreates a deleted parent', () =>
  withRoot(async ({ root, stateDir, request }) => {
    await mkdir(nodePath.join(root, 'a'), { recursive: true });
    await mkdir(nodePath.join(root, 'gone'), { recursive: true });
    await writeFile(nodePath.join(root, 'a/doc.txt'), 'mine');
    await writeFile(nodePath.join(root, 'gone/x.txt'), 'x');
    const [doc, x] = await observe(root, ['/a/doc.txt', '/gone/x.txt']);
    await crashAfterPrivateRename(request(doc as LocalItem, [doc as LocalItem]));
    await crashAfterPrivateRename(request(x as LocalItem, [x as LocalItem]));
    await writeFile(nodePath.join(root, 'a/doc.txt'), 'someone else');
    const { rm } = await import('node:fs/promises');
    await rm(nodePath.join(root, 'gone'), { recursive: true });

    const recovered = await recoverPendingTrash(root, stateDir);
    const docCopy = recovered.find((r) => r.path.startsWith('/a/'))?.path ?? '';
    assert.match(docCopy, /^\/a\/doc \(.*'s conflicted copy .*\)\.txt$/);
    assert.deepEqual(
      [await readFile(nodePath.join(root, 'a/doc.txt'), 'utf8'), await readFile(nodePath.join(root, docCopy), 'utf8'), await readFile(nodePath.join(root, 'gone/x.txt'), 'utf8')],
      ['someone else', 'mine', 'x'],
    );
  }));
