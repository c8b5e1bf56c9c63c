// Files routes through the official SDK: upload and its conflict rules, metadata, ids and revs,
// content_hash, names Dropbox refuses, folders, deletes (single and batch), moves and downloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { failure, patternBytes, routeError, startHarness, TOKEN } from './support.js';

const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const REV = /^[0-9a-f]{9,}$/;

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

test('upload returns FileMetadata without a tag, with Dropbox field formats', async (t) => {
  const { dbx } = await startHarness(t);
  const { result } = await dbx.filesUpload({ path: '/Notes/Todo.TXT', contents: Buffer.from('buy milk'), client_modified: '2020-02-03T04:05:06Z' });
  assert.equal((result as unknown as Record<string, unknown>)['.tag'], undefined);
  assert.equal(result.name, 'Todo.TXT');
  assert.equal(result.path_lower, '/notes/todo.txt');
  assert.equal(result.path_display, '/Notes/Todo.TXT');
  assert.match(result.id, /^id:[A-Za-z0-9_-]{10,}$/);
  assert.match(result.rev, REV);
  assert.equal(result.size, 8);
  assert.equal(result.is_downloadable, true);
  assert.equal(result.client_modified, '2020-02-03T04:05:06Z');
  assert.match(result.server_modified, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(result.content_hash, sha256(sha256(Buffer.from('buy milk'))).toString('hex'));
  assert.deepEqual(Object.keys(result), ['name', 'path_lower', 'path_display', 'id', 'client_modified', 'server_modified', 'rev', 'size', 'is_downloadable', 'content_hash']);
});

test('content_hash: the empty file and a file spanning several 4 MiB blocks', async (t) => {
  const { dbx } = await startHarness(t);
  const empty = await dbx.filesUpload({ path: '/empty', contents: Buffer.alloc(0) });
  assert.equal(empty.result.content_hash, EMPTY_HASH);
  assert.equal(empty.result.size, 0);

  const block = 4 * 1024 * 1024;
  const data = patternBytes(2 * block + 1000);
  const expected = sha256(Buffer.concat([sha256(data.subarray(0, block)), sha256(data.subarray(block, 2 * block)), sha256(data.subarray(2 * block))])).toString('hex');
  const big = await dbx.filesUpload({ path: '/big.bin', contents: data });
  assert.equal(big.result.content_hash, expected);
  const down = await dbx.filesDownload({ path: '/big.bin' });
  assert.ok(((down.result as unknown as { fileBinary: Buffer }).fileBinary).equals(data));
});

test('upload creates missing parent folders, which get ids and appear in get_metadata', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/a/B/c.txt', contents: 'c' });
  for (const [path, display] of [['/a', '/a'], ['/a/b', '/a/B']] as const) {
    const { result } = await dbx.filesGetMetadata({ path });
    assert.equal(result['.tag'], 'folder');
    assert.equal(result.path_display, display);
    assert.match((result as { id: string }).id, /^id:/);
  }
});

test('the namespace is case-insensitive and case-preserving, NFC and NFD alike', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/Docs/Readme.TXT', contents: 'v1' });
  const lower = await dbx.filesGetMetadata({ path: '/docs/readme.txt' });
  assert.equal(lower.result.path_display, '/Docs/Readme.TXT');
  // A new file in an existing folder keeps the folder's case, whatever the client typed.
  const other = await dbx.filesUpload({ path: '/DOCS/new.txt', contents: 'n' });
  assert.equal(other.result.path_display, '/Docs/new.txt');
  // Overwriting through another case keeps the first name.
  const over = await dbx.filesUpload({ path: '/docs/README.txt', contents: 'v2', mode: { '.tag': 'overwrite' } });
  assert.equal(over.result.path_display, '/Docs/Readme.TXT');
  // "é" composed and decomposed are one name.
  const nfd = 'Cafe\u0301.txt';
  await dbx.filesUpload({ path: `/${nfd}`, contents: 'x' });
  const nfc = await dbx.filesGetMetadata({ path: '/CAF\u00c9.TXT' });
  assert.equal(nfc.result.name, nfd);
  assert.equal(nfc.result.path_lower, '/caf\u00e9.txt');
});

test('ids survive edits and moves; a new file at a reused name gets a new id; revs change with content', async (t) => {
  const { dbx } = await startHarness(t);
  const v1 = (await dbx.filesUpload({ path: '/f.txt', contents: 'one' })).result;
  const v2 = (await dbx.filesUpload({ path: '/f.txt', contents: 'two', mode: { '.tag': 'overwrite' } })).result;
  assert.equal(v2.id, v1.id);
  assert.notEqual(v2.rev, v1.rev);
  assert.match(v2.rev, REV);
  const moved = (await dbx.filesMoveV2({ from_path: '/f.txt', to_path: '/dir/g.txt' })).result.metadata;
  assert.equal((moved as { id: string }).id, v1.id);
  const byId = await dbx.filesGetMetadata({ path: v1.id });
  assert.equal(byId.result.path_display, '/dir/g.txt');
  await dbx.filesDeleteV2({ path: '/dir/g.txt' });
  const again = (await dbx.filesUpload({ path: '/dir/g.txt', contents: 'two' })).result;
  assert.notEqual(again.id, v1.id);
});

test('write modes: add, overwrite, update and identical content', async (t) => {
  const { dbx } = await startHarness(t);
  const first = (await dbx.filesUpload({ path: '/doc.txt', contents: 'original' })).result;

  // Identical content is a no-op: no conflict, no new rev.
  const same = (await dbx.filesUpload({ path: '/doc.txt', contents: 'original' })).result;
  assert.equal(same.rev, first.rev);

  // add + different content: a conflict whose error inlines UploadWriteFailed.
  const err = await routeError(dbx.filesUpload({ path: '/doc.txt', contents: 'changed' }), 'path/conflict/file');
  assert.deepEqual(err.reason, { '.tag': 'conflict', conflict: { '.tag': 'file' } });
  assert.match(String(err.upload_session_id), /^pid_upload_session:/);
  // The data stays in that session: it can be committed elsewhere with upload_session/finish.
  const retried = await dbx.filesUploadSessionFinish({ cursor: { session_id: String(err.upload_session_id), offset: 7 }, commit: { path: '/doc-retry.txt' }, contents: Buffer.alloc(0) });
  assert.equal(retried.result.size, 7);

  // add + autorename numbers the name.
  assert.equal((await dbx.filesUpload({ path: '/doc.txt', contents: 'b', autorename: true })).result.name, 'doc (1).txt');
  assert.equal((await dbx.filesUpload({ path: '/doc.txt', contents: 'c', autorename: true })).result.name, 'doc (2).txt');

  // overwrite replaces and keeps the id.
  const over = (await dbx.filesUpload({ path: '/doc.txt', contents: 'overwritten', mode: { '.tag': 'overwrite' } })).result;
  assert.equal(over.id, first.id);
  assert.notEqual(over.rev, first.rev);

  // update replaces only on the current rev.
  const updated = (await dbx.filesUpload({ path: '/doc.txt', contents: 'updated', mode: { '.tag': 'update', update: over.rev } })).result;
  assert.equal(updated.id, first.id);
  await routeError(dbx.filesUpload({ path: '/doc.txt', contents: 'stale', mode: { '.tag': 'update', update: over.rev } }), 'path/conflict/file');
  const copy = (await dbx.filesUpload({ path: '/doc.txt', contents: 'stale', mode: { '.tag': 'update', update: over.rev }, autorename: true })).result;
  assert.equal(copy.name, 'doc (conflicted copy).txt');
  const copy2 = (await dbx.filesUpload({ path: '/doc.txt', contents: 'stale 2', mode: { '.tag': 'update', update: over.rev }, autorename: true })).result;
  assert.equal(copy2.name, 'doc (conflicted copy 2).txt');
  assert.equal(((await dbx.filesGetMetadata({ path: '/doc.txt' })).result as { size: number }).size, 7);
});

test('strict_conflict and stale revs of deleted files', async (t) => {
  const { dbx } = await startHarness(t);
  const f = (await dbx.filesUpload({ path: '/s.txt', contents: 'same' })).result;
  await routeError(dbx.filesUpload({ path: '/s.txt', contents: 'same', strict_conflict: true }), 'path/conflict/file');
  await dbx.filesDeleteV2({ path: '/s.txt' });
  await routeError(dbx.filesUpload({ path: '/s.txt', contents: 'new', mode: { '.tag': 'update', update: f.rev }, strict_conflict: true }), 'path/conflict/file');
  const written = (await dbx.filesUpload({ path: '/s.txt', contents: 'new', mode: { '.tag': 'update', update: f.rev } })).result;
  assert.equal(written.size, 3);
});

test('folders and files in the way', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesCreateFolderV2({ path: '/Thing' });
  await routeError(dbx.filesUpload({ path: '/thing', contents: 'x', mode: { '.tag': 'overwrite' } }), 'path/conflict/folder');
  assert.equal((await dbx.filesUpload({ path: '/thing', contents: 'x', autorename: true })).result.name, 'thing (1)');
  await dbx.filesUpload({ path: '/file.txt', contents: 'f' });
  await routeError(dbx.filesUpload({ path: '/file.txt/inner.txt', contents: 'x' }), 'path/conflict/file_ancestor');
  await routeError(dbx.filesCreateFolderV2({ path: '/file.txt/sub' }), 'path/conflict/file_ancestor');
});

test('names Dropbox refuses: disallowed_name and malformed_path', async (t) => {
  const { dbx } = await startHarness(t);
  for (const name of ['desktop.ini', 'Thumbs.db', '.DS_Store', 'Icon\r', '.dropbox']) {
    const err = await routeError(dbx.filesUpload({ path: `/x/${name}`, contents: 'x' }), 'path/disallowed_name');
    assert.deepEqual(err.reason, { '.tag': 'disallowed_name' });
  }
  await routeError(dbx.filesCreateFolderV2({ path: '/desktop.ini/sub' }), 'path/disallowed_name');
  for (const path of [`/${'a'.repeat(256)}`, '/a//b', '/trailing ', '/back\\slash', '/dot/./x']) {
    await routeError(dbx.filesUpload({ path, contents: 'x' }), 'path/malformed_path');
  }
  await routeError(dbx.filesGetMetadata({ path: `/${'a'.repeat(256)}` }), 'path/malformed_path');
  await routeError(dbx.filesGetMetadata({ path: '/desktop.ini' }), 'path/not_found');
  // 255 characters is still fine.
  assert.equal((await dbx.filesUpload({ path: `/${'a'.repeat(255)}`, contents: 'x' })).result.name.length, 255);
});

test('get_metadata: not_found, include_deleted, ids and revs', async (t) => {
  const { dbx } = await startHarness(t);
  const err = await routeError(dbx.filesGetMetadata({ path: '/missing.txt' }), 'path/not_found');
  assert.deepEqual(err, { '.tag': 'path', path: { '.tag': 'not_found' } });
  const f = (await dbx.filesUpload({ path: '/Gone/File.txt', contents: 'x' })).result;
  await dbx.filesDeleteV2({ path: '/gone' });
  await routeError(dbx.filesGetMetadata({ path: '/gone/file.txt' }), 'path/not_found');
  const deleted = await dbx.filesGetMetadata({ path: '/gone/file.txt', include_deleted: true });
  assert.deepEqual(deleted.result, { '.tag': 'deleted', name: 'File.txt', path_lower: '/gone/file.txt', path_display: '/Gone/File.txt' });
  const byRev = await dbx.filesGetMetadata({ path: `rev:${f.rev}` });
  assert.equal((byRev.result as { rev: string }).rev, f.rev);
  await routeError(dbx.filesGetMetadata({ path: f.id }), 'path/not_found');
});

test('create_folder_v2: FolderMetadata without a tag, conflicts and autorename', async (t) => {
  const { dbx } = await startHarness(t);
  const { result } = await dbx.filesCreateFolderV2({ path: '/New Folder' });
  assert.deepEqual(Object.keys(result.metadata), ['name', 'path_lower', 'path_display', 'id']);
  assert.equal(result.metadata.path_display, '/New Folder');
  const err = await routeError(dbx.filesCreateFolderV2({ path: '/new folder' }), 'path/conflict/folder');
  assert.deepEqual(err, { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'folder' } } });
  assert.equal((await dbx.filesCreateFolderV2({ path: '/New Folder', autorename: true })).result.metadata.name, 'New Folder (1)');
  await dbx.filesUpload({ path: '/plain.txt', contents: 'p' });
  await routeError(dbx.filesCreateFolderV2({ path: '/plain.txt' }), 'path/conflict/file');
});

test('delete_v2: metadata from before, folder contents go too, parent_rev, lookups', async (t) => {
  const { dbx } = await startHarness(t);
  const f = (await dbx.filesUpload({ path: '/d/one.txt', contents: '1' })).result;
  await dbx.filesUpload({ path: '/d/sub/two.txt', contents: '2' });
  await routeError(dbx.filesDeleteV2({ path: '/d/one.txt', parent_rev: '0123456789abc' }), 'path_write/conflict/file');
  const gone = await dbx.filesDeleteV2({ path: '/d/one.txt', parent_rev: f.rev });
  assert.equal(gone.result.metadata['.tag'], 'file');
  assert.equal((gone.result.metadata as { rev: string }).rev, f.rev);
  const folder = await dbx.filesDeleteV2({ path: '/D' });
  assert.equal(folder.result.metadata['.tag'], 'folder');
  assert.equal(folder.result.metadata.path_display, '/d');
  await routeError(dbx.filesGetMetadata({ path: '/d/sub/two.txt' }), 'path/not_found');
  await routeError(dbx.filesDeleteV2({ path: '/d' }), 'path_lookup/not_found');
});

test('delete_batch launches a job whose check reports each entry in order', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesUpload({ path: '/b1', contents: '1' });
  await dbx.filesUpload({ path: '/b2', contents: '2' });
  const launch = await dbx.filesDeleteBatch({ entries: [{ path: '/b1' }, { path: '/missing' }, { path: '/B2' }] });
  assert.equal(launch.result['.tag'], 'async_job_id');
  const jobId = (launch.result as { async_job_id: string }).async_job_id;
  const check = await dbx.filesDeleteBatchCheck({ async_job_id: jobId });
  assert.equal(check.result['.tag'], 'complete');
  const entries = (check.result as unknown as { entries: Array<Record<string, unknown>> }).entries;
  assert.deepEqual(entries.map((e) => e['.tag']), ['success', 'failure', 'success']);
  assert.equal((entries[0]!.metadata as { path_display: string }).path_display, '/b1');
  assert.deepEqual(entries[1]!.failure, { '.tag': 'path_lookup', path_lookup: { '.tag': 'not_found' } });
  await routeError(dbx.filesDeleteBatchCheck({ async_job_id: 'dbjid:nope' }), 'invalid_async_job_id');
});

test('move_v2: subtrees, conflicts, autorename, moving into itself, case-only renames', async (t) => {
  const { dbx } = await startHarness(t);
  const inner = (await dbx.filesUpload({ path: '/Src/Deep/file.txt', contents: 'x' })).result;
  await dbx.filesUpload({ path: '/taken.txt', contents: 't' });
  await dbx.filesUpload({ path: '/free.txt', contents: 'f' });

  const moved = await dbx.filesMoveV2({ from_path: '/src', to_path: '/Dest/Renamed' });
  assert.equal(moved.result.metadata.path_display, '/Dest/Renamed');
  const child = await dbx.filesGetMetadata({ path: inner.id });
  assert.equal(child.result.path_display, '/Dest/Renamed/Deep/file.txt');
  await routeError(dbx.filesGetMetadata({ path: '/src' }), 'path/not_found');

  const conflict = await routeError(dbx.filesMoveV2({ from_path: '/free.txt', to_path: '/TAKEN.txt' }), 'to/conflict/file');
  assert.deepEqual(conflict, { '.tag': 'to', to: { '.tag': 'conflict', conflict: { '.tag': 'file' } } });
  assert.equal((await dbx.filesMoveV2({ from_path: '/free.txt', to_path: '/taken.txt', autorename: true })).result.metadata.name, 'taken (1).txt');
  await routeError(dbx.filesMoveV2({ from_path: '/dest', to_path: '/dest/renamed/inside' }), 'cant_move_folder_into_itself');
  await routeError(dbx.filesMoveV2({ from_path: '/nothing', to_path: '/x' }), 'from_lookup/not_found');
  await routeError(dbx.filesMoveV2({ from_path: '/taken.txt', to_path: '/desktop.ini' }), 'to/disallowed_name');

  // Case-only rename: 200, but the old name stays.
  const caseOnly = await dbx.filesMoveV2({ from_path: '/taken.txt', to_path: '/TAKEN.TXT' });
  assert.equal(caseOnly.result.metadata.path_display, '/taken.txt');
  assert.equal((await dbx.filesGetMetadata({ path: '/taken.txt' })).result.name, 'taken.txt');
});

test('download by path, id and rev; folders are not files', async (t) => {
  const { dbx } = await startHarness(t);
  const v1 = (await dbx.filesUpload({ path: '/dl/Ünïcode ☃.txt', contents: 'first' })).result;
  await dbx.filesUpload({ path: '/dl/Ünïcode ☃.txt', contents: 'second', mode: { '.tag': 'overwrite' } });
  const read = async (path: string) => {
    const { result } = await dbx.filesDownload({ path });
    return { meta: result, text: (result as unknown as { fileBinary: Buffer }).fileBinary.toString('utf8') };
  };
  const byPath = await read('/DL/ünïcode ☃.txt');
  assert.equal(byPath.text, 'second');
  assert.equal(byPath.meta.name, 'Ünïcode ☃.txt');
  assert.equal((await read(v1.id)).text, 'second');
  const old = await read(`rev:${v1.rev}`);
  assert.equal(old.text, 'first');
  assert.equal(old.meta.rev, v1.rev);
  await routeError(dbx.filesDownload({ path: '/dl' }), 'path/not_file');
  await routeError(dbx.filesDownload({ path: '/dl/none' }), 'path/not_found');
});

test('get_current_account and token/revoke', async (t) => {
  const { dbx, emu } = await startHarness(t);
  const { result } = await dbx.usersGetCurrentAccount();
  assert.equal(result.account_id.length, 40);
  assert.match(result.account_id, /^dbid:/);
  assert.equal(result.account_id, emu.accountId);
  assert.deepEqual(Object.keys(result.name), ['given_name', 'surname', 'familiar_name', 'display_name', 'abbreviated_name']);
  for (const field of ['email', 'email_verified', 'disabled', 'country', 'locale', 'referral_link', 'is_paired']) assert.ok(field in result, field);
  assert.deepEqual(result.account_type, { '.tag': 'basic' });
  assert.equal(result.root_info['.tag'], 'user');
  assert.equal(result.root_info.root_namespace_id, result.root_info.home_namespace_id);

  // ns:<home namespace> addresses the same tree.
  await dbx.filesUpload({ path: `ns:${result.root_info.home_namespace_id}/viaNs.txt`, contents: 'n' });
  assert.equal((await dbx.filesGetMetadata({ path: '/vians.txt' })).result.name, 'viaNs.txt');

  const revoked = await dbx.authTokenRevoke();
  assert.equal(revoked.result, null);
  assert.equal(emu.tokens.check(TOKEN), 'invalid');
  const after = await failure(dbx.usersGetCurrentAccount());
  assert.equal(after.status, 401);
  assert.deepEqual(after.error.error, { '.tag': 'invalid_access_token' });
});
