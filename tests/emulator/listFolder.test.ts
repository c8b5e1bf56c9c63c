// list_folder, continue, get_latest_cursor and longpoll through the official SDK: scopes,
// pagination, the change feed's rules (moves, deletes, case-only renames), cursor resets,
// folder-gone errors, and longpoll wake-up and timeout behaviour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dropbox, files } from 'dropbox';
import { failure, routeError, startHarness } from './support.js';

type Entry = files.FileMetadataReference | files.FolderMetadataReference | files.DeletedMetadataReference;

/** Follows has_more to the end; returns every entry and the final cursor. */
async function drain(dbx: Dropbox, first: files.ListFolderResult): Promise<{ entries: Entry[]; cursor: string; pages: number }> {
  const entries: Entry[] = [...first.entries];
  let { cursor, has_more: more } = first;
  let pages = 1;
  while (more) {
    const next = (await dbx.filesListFolderContinue({ cursor })).result;
    entries.push(...next.entries);
    ({ cursor, has_more: more } = next);
    pages++;
  }
  return { entries, cursor, pages };
}

const summary = (entries: Entry[]) => entries.map((e) => `${e['.tag']}:${e.path_display}`);

test('list_folder: flat and recursive scopes', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/A/x.txt', contents: 'x' });
  await dbx.filesUpload({ path: '/A/B/y.txt', contents: 'y' });
  await dbx.filesUpload({ path: '/top.txt', contents: 't' });

  const flatRoot = (await dbx.filesListFolder({ path: '' })).result;
  assert.deepEqual(summary(flatRoot.entries).sort(), ['file:/top.txt', 'folder:/A']);
  assert.equal(flatRoot.has_more, false);

  const flatA = (await dbx.filesListFolder({ path: '/a' })).result;
  assert.deepEqual(summary(flatA.entries).sort(), ['file:/A/x.txt', 'folder:/A/B']);

  // A recursive listing of a folder includes the folder itself; the root is never listed.
  const deepA = (await dbx.filesListFolder({ path: '/a', recursive: true })).result;
  assert.deepEqual(summary(deepA.entries).sort(), ['file:/A/B/y.txt', 'file:/A/x.txt', 'folder:/A', 'folder:/A/B']);
  const deepRoot = (await dbx.filesListFolder({ path: '', recursive: true })).result;
  assert.equal(deepRoot.entries.length, 5);
  // Parents come before their children in a first listing.
  const order = summary(deepRoot.entries);
  assert.ok(order.indexOf('folder:/A/B') < order.indexOf('file:/A/B/y.txt'));

  await routeError(dbx.filesListFolder({ path: '/nope' }), 'path/not_found');
  await routeError(dbx.filesListFolder({ path: '/top.txt' }), 'path/not_folder');
  const byId = (await dbx.filesGetMetadata({ path: '/a' })).result as { id: string };
  assert.equal((await dbx.filesListFolder({ path: byId.id })).result.entries.length, 2);
});

test('limit paginates both the first listing and later changes', async (t) => {
  const { dbx } = await startHarness(t);
  for (let i = 0; i < 25; i++) await dbx.filesUpload({ path: `/p/f${String(i).padStart(2, '0')}.txt`, contents: String(i) });
  const first = (await dbx.filesListFolder({ path: '/p', limit: 10 })).result;
  assert.equal(first.entries.length, 10);
  assert.equal(first.has_more, true);
  const all = await drain(dbx, first);
  assert.equal(all.pages, 3);
  const names = all.entries.map((e) => e.name);
  assert.equal(new Set(names).size, 25);

  for (let i = 0; i < 12; i++) await dbx.filesUpload({ path: `/p/g${i}.txt`, contents: 'g' });
  const page = (await dbx.filesListFolderContinue({ cursor: all.cursor })).result;
  assert.equal(page.entries.length, 10);
  assert.equal(page.has_more, true);
  const rest = await drain(dbx, page);
  assert.equal(rest.entries.length, 12);
  assert.deepEqual((await dbx.filesListFolderContinue({ cursor: rest.cursor })).result, { entries: [], cursor: rest.cursor, has_more: false });
});

test('continue reports adds, edits and deletes in order, one entry per path', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/keep.txt', contents: 'k' });
  await dbx.filesUpload({ path: '/doomed.txt', contents: 'd' });
  const { cursor } = (await dbx.filesListFolder({ path: '' })).result;
  await dbx.filesUpload({ path: '/new.txt', contents: 'n' });
  await dbx.filesUpload({ path: '/keep.txt', contents: 'k2', mode: { '.tag': 'overwrite' } });
  await dbx.filesUpload({ path: '/keep.txt', contents: 'k3', mode: { '.tag': 'overwrite' } });
  await dbx.filesDeleteV2({ path: '/doomed.txt' });
  await dbx.filesUpload({ path: '/sub/inner.txt', contents: 'i' });
  const changes = (await dbx.filesListFolderContinue({ cursor })).result;
  // Flat scope: /sub/inner.txt is not listed, its implicitly created parent is.
  assert.deepEqual(summary(changes.entries), ['file:/new.txt', 'file:/keep.txt', 'deleted:/doomed.txt', 'folder:/sub']);
  assert.equal((changes.entries[1] as files.FileMetadataReference).size, 2);
});

test('a move is a delete at the old path plus the subtree at the new one; ids are kept', async (t) => {
  const { dbx } = await startHarness(t);
  const file = (await dbx.filesUpload({ path: '/Old/sub/f.txt', contents: 'f' })).result;
  const { cursor } = (await dbx.filesListFolder({ path: '', recursive: true })).result;
  await dbx.filesMoveV2({ from_path: '/old', to_path: '/New' });
  const changes = (await dbx.filesListFolderContinue({ cursor })).result.entries;
  assert.deepEqual(summary(changes), ['deleted:/Old', 'folder:/New', 'folder:/New/sub', 'file:/New/sub/f.txt']);
  assert.equal((changes[3] as files.FileMetadataReference).id, file.id);
  assert.equal((changes[3] as files.FileMetadataReference).content_hash, file.content_hash);
});

test('a deleted folder is one entry by default, or one per item when configured', async (t) => {
  const single = await startHarness(t);
  const perItem = await startHarness(t, { deletedFolderAsSingleEntry: false });
  for (const { dbx } of [single, perItem]) {
    await dbx.filesUpload({ path: '/F/a.txt', contents: 'a' });
    await dbx.filesUpload({ path: '/F/g/b.txt', contents: 'b' });
  }
  const run = async (dbx: Dropbox) => {
    const { cursor } = (await dbx.filesListFolder({ path: '', recursive: true })).result;
    await dbx.filesDeleteV2({ path: '/f' });
    return summary((await dbx.filesListFolderContinue({ cursor })).result.entries);
  };
  assert.deepEqual(await run(single.dbx), ['deleted:/F']);
  const many = await run(perItem.dbx);
  assert.deepEqual([...many].sort(), ['deleted:/F', 'deleted:/F/a.txt', 'deleted:/F/g', 'deleted:/F/g/b.txt']);
  assert.equal(many[many.length - 1], 'deleted:/F');
});

test('include_deleted adds earlier deletions to the first listing; later ones always show', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/was.txt', contents: 'w' });
  await dbx.filesUpload({ path: '/is.txt', contents: 'i' });
  await dbx.filesDeleteV2({ path: '/was.txt' });
  const plain = (await dbx.filesListFolder({ path: '' })).result;
  assert.deepEqual(summary(plain.entries), ['file:/is.txt']);
  const withDeleted = (await dbx.filesListFolder({ path: '', include_deleted: true })).result;
  assert.deepEqual(summary(withDeleted.entries).sort(), ['deleted:/was.txt', 'file:/is.txt']);
  await dbx.filesDeleteV2({ path: '/is.txt' });
  assert.deepEqual(summary((await dbx.filesListFolderContinue({ cursor: plain.cursor })).result.entries), ['deleted:/is.txt']);
});

test('a deleted and re-created folder is reported deleted first, so old children go', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/r/old.txt', contents: 'o' });
  const { cursor } = (await dbx.filesListFolder({ path: '', recursive: true })).result;
  await dbx.filesDeleteV2({ path: '/r' });
  await dbx.filesUpload({ path: '/r/new.txt', contents: 'n' });
  assert.deepEqual(summary((await dbx.filesListFolderContinue({ cursor })).result.entries), ['deleted:/r', 'folder:/r', 'file:/r/new.txt']);
});

test('case-only renames never show up in continue', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/case.txt', contents: 'c' });
  const { cursor } = (await dbx.filesListFolder({ path: '' })).result;
  await dbx.filesMoveV2({ from_path: '/case.txt', to_path: '/CASE.txt' });
  assert.deepEqual((await dbx.filesListFolderContinue({ cursor })).result.entries, []);
});

test('get_latest_cursor sees only what happens afterwards', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/before.txt', contents: 'b' });
  const { cursor } = (await dbx.filesListFolderGetLatestCursor({ path: '' })).result;
  await dbx.filesUpload({ path: '/after.txt', contents: 'a' });
  assert.deepEqual(summary((await dbx.filesListFolderContinue({ cursor })).result.entries), ['file:/after.txt']);
});

test('continue on a listed folder that is gone: path/not_found; replaced: reset', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesCreateFolderV2({ path: '/watched' });
  const { cursor } = (await dbx.filesListFolder({ path: '/watched' })).result;
  await dbx.filesDeleteV2({ path: '/watched' });
  assert.deepEqual(await routeError(dbx.filesListFolderContinue({ cursor }), 'path/not_found'), { '.tag': 'path', path: { '.tag': 'not_found' } });
  // The longpoll says there is news, so the client calls continue and learns the folder is gone.
  assert.deepEqual((await dbx.filesListFolderLongpoll({ cursor, timeout: 30 })).result, { changes: true });
  await dbx.filesCreateFolderV2({ path: '/watched' });
  await routeError(dbx.filesListFolderContinue({ cursor }), 'reset');
});

test('resetCursors: continue and longpoll answer reset, even a longpoll already waiting', async (t) => {
  const { dbx, emu } = await startHarness(t);
  const { cursor } = (await dbx.filesListFolder({ path: '' })).result;
  const waiting = failure(dbx.filesListFolderLongpoll({ cursor, timeout: 30 }));
  await emu.longpollsHeld();
  emu.resetCursors();
  const held = await waiting;
  assert.equal(held.status, 409);
  assert.deepEqual(held.error.error, { '.tag': 'reset' });
  await routeError(dbx.filesListFolderContinue({ cursor }), 'reset');
  await routeError(dbx.filesListFolderLongpoll({ cursor, timeout: 30 }), 'reset');
  // A fresh listing works again.
  const fresh = (await dbx.filesListFolder({ path: '' })).result;
  assert.equal((await dbx.filesListFolderContinue({ cursor: fresh.cursor })).result.has_more, false);
});

test('longpoll wakes within 300 ms of a change in its scope, and only then', async (t) => {
  const { dbx, emu } = await startHarness(t);
  await dbx.filesCreateFolderV2({ path: '/watch' });
  await dbx.filesCreateFolderV2({ path: '/elsewhere' });
  const { cursor } = (await dbx.filesListFolder({ path: '/watch' })).result;
  let answeredAt = 0;
  const poll = dbx.filesListFolderLongpoll({ cursor, timeout: 30 }).then((r) => {
    answeredAt = performance.now();
    return r.result;
  });
  await emu.longpollsHeld();
  // Outside the listed folder: no wake-up.
  await dbx.filesUpload({ path: '/elsewhere/x.txt', contents: 'x' });
  await dbx.usersGetCurrentAccount();
  assert.equal(answeredAt, 0);
  const changedAt = performance.now();
  await dbx.filesUpload({ path: '/watch/y.txt', contents: 'y' });
  assert.deepEqual(await poll, { changes: true });
  assert.ok(answeredAt - changedAt < 300, `longpoll answered ${Math.round(answeredAt - changedAt)} ms after the change`);
  // A cursor that is already behind is answered at once.
  const startedAt = performance.now();
  assert.deepEqual((await dbx.filesListFolderLongpoll({ cursor, timeout: 30 })).result, { changes: true });
  assert.ok(performance.now() - startedAt < 300);
});

test('longpoll honours its timeout, answers changes=false, and may carry backoff', async (t) => {
  // 10 ms per timeout second: timeout=30 lasts 300 ms.
  const { dbx } = await startHarness(t, { longpollSecondMs: 10, longpollBackoffSec: 5 });
  const { cursor } = (await dbx.filesListFolder({ path: '' })).result;
  const startedAt = performance.now();
  const result = (await dbx.filesListFolderLongpoll({ cursor, timeout: 30 })).result;
  const elapsed = performance.now() - startedAt;
  assert.deepEqual(result, { changes: false, backoff: 5 });
  assert.ok(elapsed >= 290 && elapsed < 2000, `answered after ${Math.round(elapsed)} ms`);
  for (const timeout of [29, 481]) {
    const bad = await failure(dbx.filesListFolderLongpoll({ cursor, timeout }));
    assert.equal(bad.status, 400);
    assert.equal(bad.error, `Error in call to API function "files/list_folder/longpoll": request body: timeout: ${timeout} is not within range [30, 480]`);
  }
});

test('longpoll jitter adds a bounded random wait after a timeout', async (t) => {
  const { dbx } = await startHarness(t, { longpollSecondMs: 1, longpollJitterMs: 150 });
  const { cursor } = (await dbx.filesListFolder({ path: '' })).result;
  const startedAt = performance.now();
  assert.deepEqual((await dbx.filesListFolderLongpoll({ cursor, timeout: 30 })).result, { changes: false });
  assert.ok(performance.now() - startedAt < 30 + 150 + 500);
});
