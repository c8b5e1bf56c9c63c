// Upload sessions through the official SDK: sequential and concurrent sessions, offsets and their
// errors, closing, finish with and without data, finish_batch_v2 and the deprecated finish_batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dropbox } from 'dropbox';
import { contentHashOf } from '../../src/main/core/contentHash.js';
import { patternBytes, routeError, startHarness } from './support.js';

const MiB4 = 4 * 1024 * 1024;

async function start(dbx: Dropbox, contents: Buffer, opts: { close?: boolean; concurrent?: boolean } = {}): Promise<string> {
  const { result } = await dbx.filesUploadSessionStart({
    contents,
    close: opts.close ?? false,
    ...(opts.concurrent ? { session_type: { '.tag': 'concurrent' as const } } : {}),
  });
  return result.session_id;
}

async function download(dbx: Dropbox, path: string): Promise<Buffer> {
  return ((await dbx.filesDownload({ path })).result as unknown as { fileBinary: Buffer }).fileBinary;
}

test('sequential session: start, append_v2, finish with data', async (t) => {
  const { dbx } = await startHarness(t);
  const id = await start(dbx, Buffer.from('hello '));
  assert.match(id, /^pid_upload_session:/);
  assert.equal((await dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 6 }, contents: Buffer.from('big ') })).result, null);
  const { result } = await dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: 10 }, commit: { path: '/Session.txt' }, contents: Buffer.from('world') });
  assert.equal(result.size, 15);
  assert.equal(result.content_hash, contentHashOf(Buffer.from('hello big world')));
  assert.equal((await download(dbx, '/session.txt')).toString(), 'hello big world');
  // A committed session is used up.
  await routeError(dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: 15 }, commit: { path: '/again.txt' }, contents: Buffer.alloc(0) }), 'lookup_failed/closed');
});

test('a wrong offset answers incorrect_offset with the correct one, and nothing is appended', async (t) => {
  const { dbx } = await startHarness(t);
  const id = await start(dbx, Buffer.from('12345'));
  const err = await routeError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 3 }, contents: Buffer.from('xx') }), 'incorrect_offset');
  assert.deepEqual(err, { '.tag': 'incorrect_offset', correct_offset: 5 });
  // A retried append whose first attempt did arrive is told where the session really is.
  await dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 5 }, contents: Buffer.from('678') });
  const retry = await routeError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 5 }, contents: Buffer.from('678') }), 'incorrect_offset');
  assert.equal(retry.correct_offset, 8);
  const finishErr = await routeError(dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: 7 }, commit: { path: '/o.txt' }, contents: Buffer.alloc(0) }), 'lookup_failed/incorrect_offset');
  assert.deepEqual(finishErr, { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 8 } });
  const { result } = await dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: 8 }, commit: { path: '/o.txt' }, contents: Buffer.alloc(0) });
  assert.equal((await download(dbx, result.path_lower!)).toString(), '12345678');
});

test('unknown and closed sessions', async (t) => {
  const { dbx } = await startHarness(t);
  await routeError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: 'pid_upload_session:nope', offset: 0 }, contents: Buffer.from('x') }), 'not_found');
  await routeError(dbx.filesUploadSessionFinish({ cursor: { session_id: 'pid_upload_session:nope', offset: 0 }, commit: { path: '/x' }, contents: Buffer.alloc(0) }), 'lookup_failed/not_found');
  const id = await start(dbx, Buffer.from('ab'));
  await dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 2 }, close: true, contents: Buffer.from('c') });
  await routeError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 3 }, contents: Buffer.from('d') }), 'closed');
  await routeError(dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: 3 }, commit: { path: '/x' }, contents: Buffer.from('d') }), 'lookup_failed/closed');
  assert.equal((await dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: 3 }, commit: { path: '/abc' }, contents: Buffer.alloc(0) })).result.size, 3);
  // The deprecated append (cursor as the argument) works the same way.
  const old = await start(dbx, Buffer.from('1'));
  await dbx.filesUploadSessionAppend({ session_id: old, offset: 1, contents: Buffer.from('2') });
  await routeError(dbx.filesUploadSessionAppend({ session_id: old, offset: 1, contents: Buffer.from('2') }), 'incorrect_offset');
});

test('a failed commit keeps the data; the retry finishes with an empty body', async (t) => {
  const { dbx } = await startHarness(t);
  await dbx.filesCreateFolderV2({ path: '/blocked' });
  const id = await start(dbx, Buffer.from('data'));
  await routeError(dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: 4 }, commit: { path: '/blocked' }, contents: Buffer.from('++') }), 'path/conflict/folder');
  const { result } = await dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: 6 }, commit: { path: '/unblocked' }, contents: Buffer.alloc(0) });
  assert.equal((await download(dbx, result.path_lower!)).toString(), 'data++');
});

test('concurrent sessions: 4 MiB-multiple pieces in any order, closed before finish', async (t) => {
  const { dbx } = await startHarness(t);
  await routeError(dbx.filesUploadSessionStart({ contents: Buffer.from('x'), session_type: { '.tag': 'concurrent' } }), 'concurrent_session_data_not_allowed');
  await routeError(dbx.filesUploadSessionStart({ contents: Buffer.alloc(0), close: true, session_type: { '.tag': 'concurrent' } }), 'concurrent_session_close_not_allowed');

  const data = patternBytes(2 * MiB4 + 123);
  const id = await start(dbx, Buffer.alloc(0), { concurrent: true });
  await routeError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 0 }, contents: data.subarray(0, 1000) }), 'concurrent_session_invalid_data_size');
  await routeError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 1000 }, contents: data.subarray(0, MiB4) }), 'concurrent_session_invalid_offset');
  // The tail (closing) first, then the middle; the head is still missing.
  await dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 2 * MiB4 }, close: true, contents: data.subarray(2 * MiB4) });
  await dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: MiB4 }, contents: data.subarray(MiB4, 2 * MiB4) });
  await routeError(dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: data.length }, commit: { path: '/c.bin' }, contents: Buffer.alloc(0) }), 'concurrent_session_missing_data');
  // Pieces may still arrive after the closing one, but only inside the length it announced.
  await routeError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 3 * MiB4 }, contents: data.subarray(0, MiB4) }), 'closed');
  await dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 0 }, contents: data.subarray(0, MiB4) });
  const first = (await dbx.filesUploadSessionFinish({ cursor: { session_id: id, offset: data.length }, commit: { path: '/first.bin' }, contents: Buffer.alloc(0) })).result;
  assert.equal(first.content_hash, contentHashOf(data));

  const ok = await start(dbx, Buffer.alloc(0), { concurrent: true });
  await Promise.all([
    dbx.filesUploadSessionAppendV2({ cursor: { session_id: ok, offset: MiB4 }, contents: data.subarray(MiB4, 2 * MiB4) }),
    dbx.filesUploadSessionAppendV2({ cursor: { session_id: ok, offset: 0 }, contents: data.subarray(0, MiB4) }),
  ]);
  await routeError(dbx.filesUploadSessionFinish({ cursor: { session_id: ok, offset: 2 * MiB4 }, commit: { path: '/c.bin' }, contents: Buffer.alloc(0) }), 'concurrent_session_not_closed');
  await dbx.filesUploadSessionAppendV2({ cursor: { session_id: ok, offset: 2 * MiB4 }, close: true, contents: data.subarray(2 * MiB4) });
  await routeError(dbx.filesUploadSessionFinish({ cursor: { session_id: ok, offset: data.length }, commit: { path: '/c.bin' }, contents: Buffer.from('x') }), 'concurrent_session_data_not_allowed');
  const { result } = await dbx.filesUploadSessionFinish({ cursor: { session_id: ok, offset: data.length }, commit: { path: '/c.bin' }, contents: Buffer.alloc(0) });
  assert.equal(result.content_hash, contentHashOf(data));
  assert.ok((await download(dbx, '/c.bin')).equals(data));
});

test('finish_batch_v2 commits closed sessions in input order and reports failures in place', async (t) => {
  const { dbx } = await startHarness(t);
  const a = await start(dbx, Buffer.from('aaa'), { close: true });
  const open = await start(dbx, Buffer.from('bbb'));
  const c = await start(dbx, Buffer.from('ccc'), { close: true });
  const { result } = await dbx.filesUploadSessionFinishBatchV2({
    entries: [
      { cursor: { session_id: a, offset: 3 }, commit: { path: '/batch/a.txt' } },
      { cursor: { session_id: open, offset: 3 }, commit: { path: '/batch/b.txt' } },
      { cursor: { session_id: c, offset: 2 }, commit: { path: '/batch/c.txt' } },
      { cursor: { session_id: 'pid_upload_session:none', offset: 0 }, commit: { path: '/batch/d.txt' } },
    ],
  });
  const entries = result.entries as unknown as Array<Record<string, unknown>>;
  assert.deepEqual(entries.map((e) => e['.tag']), ['success', 'failure', 'failure', 'failure']);
  assert.equal(entries[0]!.path_display, '/batch/a.txt');
  assert.deepEqual(entries[1]!.failure, { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_closed' } });
  assert.deepEqual(entries[2]!.failure, { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 3 } });
  assert.deepEqual(entries[3]!.failure, { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_found' } });
  assert.equal((await download(dbx, '/batch/a.txt')).toString(), 'aaa');
});

test('deprecated finish_batch returns a job id; finish_batch/check returns the entries', async (t) => {
  const { dbx } = await startHarness(t);
  const a = await start(dbx, Buffer.from('one'), { close: true });
  const launch = (await dbx.filesUploadSessionFinishBatch({ entries: [{ cursor: { session_id: a, offset: 3 }, commit: { path: '/fb.txt' } }] })).result;
  assert.equal(launch['.tag'], 'async_job_id');
  const check = (await dbx.filesUploadSessionFinishBatchCheck({ async_job_id: (launch as { async_job_id: string }).async_job_id })).result;
  assert.equal(check['.tag'], 'complete');
  const entries = (check as unknown as { entries: Array<Record<string, unknown>> }).entries;
  assert.equal(entries[0]!['.tag'], 'success');
  assert.equal(entries[0]!.size, 3);
  await routeError(dbx.filesUploadSessionFinishBatchCheck({ async_job_id: 'dbjid:unknown' }), 'invalid_async_job_id');
});

test('content_hash arguments are checked against the bytes of the call', async (t) => {
  const { dbx } = await startHarness(t);
  const wrong = contentHashOf(Buffer.from('something else'));
  await routeError(dbx.filesUpload({ path: '/h.txt', contents: Buffer.from('data'), content_hash: wrong }), 'content_hash_mismatch');
  await routeError(dbx.filesGetMetadata({ path: '/h.txt' }), 'path/not_found');
  const ok = await dbx.filesUpload({ path: '/h.txt', contents: Buffer.from('data'), content_hash: contentHashOf(Buffer.from('data')) });
  assert.equal(ok.result.size, 4);
  const id = await start(dbx, Buffer.alloc(0));
  await routeError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 0 }, contents: Buffer.from('abc'), content_hash: wrong }), 'content_hash_mismatch');
  await dbx.filesUploadSessionAppendV2({ cursor: { session_id: id, offset: 0 }, contents: Buffer.from('abc') });
});
