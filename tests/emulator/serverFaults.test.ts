// Injected faults as clients meet them through the emulator's routes: 429 with Retry-After for
// both reasons, 500/503, connection resets, downloads cut mid-body or truncated, latency, and the
// admin endpoints for cursor resets and token expiry. A faulted call never changes the namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure, jsonOf, routeError, startHarness, TOKEN } from './support.js';

const auth = { Authorization: `Bearer ${TOKEN}` };

test('429 with Retry-After, for both rate-limit reasons; nothing is written', async (t) => {
  const { emu, api, dbx } = await startHarness(t);
  emu.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 3 }, routes: ['files/list_folder'], times: 1 });
  const limited = await api('/2/files/list_folder', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"path":""}' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '3');
  const body = await jsonOf(limited);
  assert.deepEqual(body.error, { reason: { '.tag': 'too_many_requests' }, retry_after: 3 });
  // times: 1 — the next call goes through.
  assert.equal((await dbx.filesListFolder({ path: '' })).status, 200);

  emu.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_write_operations', retryAfterSec: 1 }, routes: ['files/upload'], times: 1 });
  const write = await failure(dbx.filesUpload({ path: '/w.txt', contents: 'w' }));
  assert.equal(write.status, 429);
  assert.equal(write.error.error.reason['.tag'], 'too_many_write_operations');
  await routeError(dbx.filesGetMetadata({ path: '/w.txt' }), 'path/not_found');
});

test('500 and 503 answer in plain text and leave state alone', async (t) => {
  const { emu, dbx } = await startHarness(t);
  for (const status of [500, 503] as const) {
    emu.faults.add({ fault: { kind: 'server_error', status }, routes: ['files/create_folder_v2'], times: 1 });
    const err = await failure(dbx.filesCreateFolderV2({ path: '/f' }));
    assert.equal(err.status, status);
    assert.equal(typeof err.error, 'string');
  }
  await routeError(dbx.filesGetMetadata({ path: '/f' }), 'path/not_found');
  assert.equal((await dbx.filesCreateFolderV2({ path: '/f' })).status, 200);
});

test('a reset drops the connection before the call runs', async (t) => {
  const { emu, dbx } = await startHarness(t);
  emu.faults.add({ fault: { kind: 'reset' }, routes: ['files/upload'], times: 1 });
  await assert.rejects(dbx.filesUpload({ path: '/r.txt', contents: 'r' }), (err: Error) => !('status' in err));
  await routeError(dbx.filesGetMetadata({ path: '/r.txt' }), 'path/not_found');
  assert.equal((await dbx.filesUpload({ path: '/r.txt', contents: 'r' })).status, 200);
});

test('downloads cut mid-body or truncated fail on the client, with the full length announced', async (t) => {
  const { emu, api, dbx } = await startHarness(t);
  const data = Buffer.alloc(64 * 1024, 7);
  await dbx.filesUpload({ path: '/d.bin', contents: data });
  const get = () => api('/2/files/download', { method: 'POST', headers: { ...auth, 'Dropbox-API-Arg': '{"path":"/d.bin"}' } });

  for (const kind of ['reset_mid_body', 'truncate'] as const) {
    emu.faults.add({ fault: { kind }, routes: ['files/download'], times: 1 });
    const res = await get();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(data.length));
    assert.ok(res.headers.get('dropbox-api-result'));
    await assert.rejects(res.arrayBuffer(), kind);
  }
  // (Not through the SDK: its Node download path drops a failed body read and never settles.)
  const whole = await get();
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(data));
});

test('latency delays only the routes it names', async (t) => {
  const { emu, dbx } = await startHarness(t);
  emu.faults.add({ fault: { kind: 'latency', ms: 200 }, routes: ['users/get_current_account'], times: 1 });
  const fast = performance.now();
  await dbx.filesListFolder({ path: '' });
  assert.ok(performance.now() - fast < 150);
  const slow = performance.now();
  await dbx.usersGetCurrentAccount();
  assert.ok(performance.now() - slow >= 195);
});

test('faults on the notify route reach longpoll clients', async (t) => {
  const { emu, dbx } = await startHarness(t);
  const { cursor } = (await dbx.filesListFolder({ path: '' })).result;
  emu.faults.add({ fault: { kind: 'server_error', status: 503 }, routes: ['files/list_folder/longpoll'], times: 1 });
  assert.equal((await failure(dbx.filesListFolderLongpoll({ cursor, timeout: 30 }))).status, 503);
});

test('admin endpoints: add a fault over HTTP, reset cursors, expire tokens', async (t) => {
  const { api, dbx } = await startHarness(t);
  const added = await api('/admin/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ fault: { kind: 'server_error', status: 500 }, routes: ['files/get_metadata'], times: 1 }) });
  assert.equal(added.status, 200);
  assert.equal((await failure(dbx.filesGetMetadata({ path: '/x' }))).status, 500);

  const { cursor } = (await dbx.filesListFolder({ path: '' })).result;
  assert.equal((await api('/admin/reset-cursors', { method: 'POST' })).status, 200);
  await routeError(dbx.filesListFolderContinue({ cursor }), 'reset');

  assert.equal((await api('/admin/expire-tokens', { method: 'POST' })).status, 200);
  const expired = await failure(dbx.usersGetCurrentAccount());
  assert.equal(expired.status, 401);
  assert.deepEqual(expired.error.error, { '.tag': 'expired_access_token' });
});
