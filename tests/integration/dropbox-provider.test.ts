// DropboxProvider against the Dropbox API emulator, through the official SDK and rewritingFetch:
// listing and change feed, longpoll, uploads (single and session), conflicts, verified downloads,
// injected faults (429, 503, resets, truncated bodies), token refresh and revocation, a file
// edited mid-upload, and a tampering "server" sending unsafe names or garbage.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { DropboxProvider, type DropboxProviderOptions } from '../../src/main/core/remote/dropbox/dropboxProvider.js';
import type { DropboxCredentials } from '../../src/main/core/remote/dropbox/auth.js';
import type { ChangePage, RemoteChange } from '../../src/main/core/remote/provider.js';
import { contentHashOf } from '../../src/main/core/contentHash.js';
import {
  AuthError,
  CursorResetError,
  InvalidResponseError,
  RemoteConflictError,
  RemoteNotFoundError,
  SyncError,
  VerificationError,
} from '../../src/main/core/errors.js';

const MiB = 1024 * 1024;
const TOKEN = 'T';
const APP_KEY = 'twinfold-test';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type FetchWrap = (base: typeof fetch) => typeof fetch;

interface Harness {
  emu: Emulator;
  dir: string;
  /** Synced folder '/Sync'. */
  provider: DropboxProvider;
  /** Another device, rooted at the top of the Dropbox. */
  other: DropboxProvider;
  sleeps: number[];
  warnings: string[];
  /** API routes requested by `provider`, in order ('files/upload', ...). */
  routes: string[];
  makeProvider(extra?: Partial<DropboxProviderOptions> & { wrap?: FetchWrap }): DropboxProvider;
  localFile(name: string, data: Uint8Array): Promise<string>;
}

async function harness(t: TestContext, extra: Partial<DropboxProviderOptions> & { wrap?: FetchWrap } = {}): Promise<Harness> {
  const emu = await startEmulator({ accessTokens: [TOKEN], port: 0 });
  t.after(() => emu.close());
  const dir = await mkdtemp(join(tmpdir(), 'twinfold-dbx-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sleeps: number[] = [];
  const warnings: string[] = [];
  const routes: string[] = [];
  const base = rewritingFetch(emu.url);
  const recording: FetchWrap = (next) => (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    routes.push(url.pathname.replace(/^\/2\//, ''));
    return next(input, init);
  };
  const makeProvider = (opts: Partial<DropboxProviderOptions> & { wrap?: FetchWrap } = {}): DropboxProvider => {
    const { wrap, ...rest } = opts;
    return new DropboxProvider({
      remoteRoot: '/Sync',
      credentials: { accessToken: TOKEN },
      fetch: recording(wrap ? wrap(base) : base),
      logger: { warn: (m) => warnings.push(m) },
      retry: { baseDelayMs: 10, maxDelayMs: 100 },
      // Records each backoff instead of waiting, so the tests see exact delays and never sleep.
      retryDeps: {
        random: () => 0.5,
        sleep: (ms, signal) => {
          sleeps.push(ms);
          return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
        },
      },
      upload: { singleUploadMaxBytes: 1 * MiB, chunkBytes: 4 * MiB },
      ...rest,
    });
  };
  const other = new DropboxProvider({ remoteRoot: '', credentials: { accessToken: TOKEN }, fetch: base, logger: { warn: () => undefined } });
  await other.createFolder('/Sync');
  return {
    emu,
    dir,
    provider: makeProvider(extra),
    other,
    sleeps,
    warnings,
    routes,
    makeProvider,
    localFile: async (name, data) => {
      const path = join(dir, name);
      await writeFile(path, data);
      return path;
    },
  };
}

/** Lists everything (first page and continuations) into 'upsert /key' / 'delete /key' lines. */
async function drain(provider: DropboxProvider, first: ChangePage): Promise<{ lines: string[]; cursor: string }> {
  const lines: string[] = [];
  let page = first;
  for (;;) {
    lines.push(...page.changes.map(describe));
    if (!page.hasMore) return { lines, cursor: page.cursor };
    page = await provider.listContinue(page.cursor);
  }
}

function describe(change: RemoteChange): string {
  if (change.kind === 'refused') return `refused ${change.path}`;
  return change.kind === 'delete' ? `delete ${change.key}` : `upsert ${change.item.kind} ${change.item.path}`;
}

/** Serves `route`'s answers through `edit`, like a compromised or broken server would. */
function tamper(route: string, edit: (json: Record<string, unknown>) => unknown): FetchWrap {
  return (next) => async (input, init) => {
    const res = await next(input, init);
    if (!String(input).endsWith(`/2/${route}`)) return res;
    const body = JSON.stringify(edit((await res.json()) as Record<string, unknown>));
    return new Response(body, { status: res.status, headers: { 'Content-Type': 'application/json' } });
  };
}

test('account, recursive listing relative to the synced folder, continue and deletions', async (t) => {
  const h = await harness(t);
  const account = await h.provider.getAccount();
  assert.match(account.accountId, /^dbid:/);
  assert.equal(typeof account.displayName, 'string');

  await h.other.createFolder('/Sync/Docs');
  await h.other.upload(await h.localFile('a', Buffer.from('alpha')), '/Sync/Docs/A.txt', {});
  await h.other.upload(await h.localFile('b', Buffer.from('outside')), '/Elsewhere.txt', {});

  const listed = await drain(h.provider, await h.provider.listAll());
  assert.deepEqual(listed.lines.sort(), ['upsert file /Docs/A.txt', 'upsert folder /Docs']);

  await h.other.delete('/Sync/Docs/A.txt');
  await h.other.upload(await h.localFile('c', Buffer.from('new')), '/Sync/New.txt', {});
  const next = await drain(h.provider, await h.provider.listContinue(listed.cursor));
  assert.deepEqual(next.lines, ['delete /docs/a.txt', 'upsert file /New.txt']);
  assert.deepEqual(h.warnings, []);
});

test('an expired cursor surfaces as CursorResetError', async (t) => {
  const h = await harness(t);
  const { cursor } = await drain(h.provider, await h.provider.listAll());
  h.emu.resetCursors();
  await assert.rejects(h.provider.listContinue(cursor), CursorResetError);
});

test('longpoll wakes up on a change, and an abort ends it at once', async (t) => {
  const h = await harness(t);
  const { cursor } = await drain(h.provider, await h.provider.listAll());

  const waiting = h.provider.waitForChanges(cursor, 30);
  // Change only once the longpoll is parked on the server, so this really tests the wake-up.
  await h.emu.longpollsHeld(1);
  await h.other.upload(await h.localFile('x', Buffer.from('x')), '/Sync/x.txt', {});
  assert.equal((await waiting).changes, true);

  const { cursor: latest } = await drain(h.provider, await h.provider.listContinue(cursor));
  const controller = new AbortController();
  const idle = h.provider.waitForChanges(latest, 30, controller.signal);
  controller.abort();
  await assert.rejects(idle, { name: 'AbortError' });
});

test('longpoll backoff delays the next longpoll', async (t) => {
  let clock = 1_000_000;
  const h = await harness(t, { now: () => clock, wrap: tamper('files/list_folder/longpoll', (json) => ({ ...json, backoff: 5 })) });
  const { cursor } = await drain(h.provider, await h.provider.listAll());
  await h.other.upload(await h.localFile('x', Buffer.from('x')), '/Sync/x.txt', {});
  assert.deepEqual(await h.provider.waitForChanges(cursor, 30), { changes: true, backoffSec: 5 });
  assert.deepEqual(h.sleeps, []);
  clock += 2_000;
  await h.provider.waitForChanges(cursor, 30);
  assert.deepEqual(h.sleeps, [3_000]);
});

test('small upload uses files/upload and reports the stored content', async (t) => {
  const h = await harness(t);
  const data = Buffer.from('hello, dropbox');
  const progress: Array<[number, number]> = [];
  const item = await h.provider.upload(await h.localFile('s.txt', data), '/Small.txt', { onProgress: (b, total) => progress.push([b, total]) });
  assert.deepEqual(
    { key: item.key, path: item.path, kind: item.kind, size: item.size, contentHash: item.contentHash },
    { key: '/small.txt', path: '/Small.txt', kind: 'file', size: data.length, contentHash: contentHashOf(data) },
  );
  assert.match(item.rev ?? '', /^[0-9a-f]{9,}$/);
  assert.deepEqual(progress, [[data.length, data.length]]);
  assert.deepEqual(h.routes, ['files/upload']);
});

test('client_modified comes from the mtime in whole seconds', async (t) => {
  const h = await harness(t);
  const path = await h.localFile('m.txt', Buffer.from('m'));
  const item = await h.provider.upload(path, '/m.txt', {});
  const mtime = (await stat(path)).mtimeMs;
  assert.equal(item.clientModified, `${new Date(Math.floor(mtime / 1000) * 1000).toISOString().slice(0, 19)}Z`);
});

test('a 9 MiB file goes up in an upload session, 4 MiB at a time, and downloads back intact', async (t) => {
  const h = await harness(t);
  const data = randomBytes(9 * MiB);
  const progress: number[] = [];
  const item = await h.provider.upload(await h.localFile('big.bin', data), '/Big.bin', { onProgress: (b) => progress.push(b) });
  assert.equal(item.contentHash, contentHashOf(data));
  assert.equal(item.size, data.length);
  assert.deepEqual(h.routes, ['files/upload_session/start', 'files/upload_session/append_v2', 'files/upload_session/append_v2', 'files/upload_session/finish']);
  assert.deepEqual(progress, [4 * MiB, 8 * MiB, 9 * MiB]);

  const dest = join(h.dir, 'big.download');
  const downloaded = await h.provider.download('/Big.bin', dest, { expectedHash: item.contentHash });
  assert.equal(downloaded.rev, item.rev);
  assert.ok((await readFile(dest)).equals(data));
});

test('getMetadata answers what is at a path now: a file, a folder, or nothing', async (t) => {
  const h = await harness(t);
  const file = await h.provider.upload(await h.localFile('m', Buffer.from('meta')), '/Doc.txt', {});
  const folder = await h.provider.createFolder('/Dir');
  assert.deepEqual(await h.provider.getMetadata('/doc.txt'), file);
  assert.deepEqual(await h.provider.getMetadata('/Dir'), folder);
  assert.equal(await h.provider.getMetadata('/missing.txt'), undefined);
  assert.equal(await h.provider.getMetadata('/Dir/missing/deeper.txt'), undefined);
  await assert.rejects(h.provider.getMetadata('/../outside'), (err) => err instanceof SyncError && /cannot be used/.test(err.message));
});

test('update mode: the synced rev replaces, a stale rev is a RemoteConflictError', async (t) => {
  const h = await harness(t);
  const v1 = await h.provider.upload(await h.localFile('v1', Buffer.from('one')), '/doc.txt', {});
  const v2 = await h.provider.upload(await h.localFile('v2', Buffer.from('two')), '/doc.txt', { parentRev: v1.rev });
  assert.notEqual(v2.rev, v1.rev);
  const stale = h.provider.upload(await h.localFile('v3', Buffer.from('three')), '/doc.txt', { parentRev: v1.rev });
  await assert.rejects(stale, (err) => err instanceof RemoteConflictError && err.path === '/doc.txt' && !err.retryable);
  // add mode never overwrites a different file either
  await assert.rejects(h.provider.upload(await h.localFile('v4', Buffer.from('four')), '/doc.txt', {}), RemoteConflictError);
  assert.deepEqual(h.sleeps, []);
});

test('a file modified during a session upload is never committed: retryable SyncError', async (t) => {
  const h = await harness(t);
  const path = await h.localFile('edit.bin', randomBytes(9 * MiB));
  let edited = false;
  const upload = h.provider.upload(path, '/edit.bin', {
    onProgress: () => {
      if (edited) return;
      edited = true;
      // Runs after the first chunk was accepted; synchronous, so the edit is done before the upload goes on.
      appendFileSync(path, 'more');
    },
  });
  await assert.rejects(upload, (err) => err instanceof SyncError && err.retryable && /changed while/.test(err.title.toLowerCase()) && err.path === '/edit.bin');
  assert.ok(!h.routes.includes('files/upload_session/finish'));
  const { lines } = await drain(h.provider, await h.provider.listAll());
  assert.deepEqual(lines, []);
});

test('download lands verified in the temp path; a different expected hash fails and leaves nothing', async (t) => {
  const h = await harness(t);
  const data = randomBytes(300 * 1024);
  const up = await h.other.upload(await h.localFile('d', data), '/Sync/d.bin', {});
  const dest = join(h.dir, 'tmp-download');
  const progress: Array<[number, number]> = [];
  const item = await h.provider.download('/d.bin', dest, { expectedHash: up.contentHash, onProgress: (b, total) => progress.push([b, total]) });
  assert.equal(item.contentHash, contentHashOf(data));
  assert.ok((await readFile(dest)).equals(data));
  assert.deepEqual(progress.at(-1), [data.length, data.length]);

  const wrong = join(h.dir, 'tmp-wrong');
  await assert.rejects(h.provider.download('/d.bin', wrong, { expectedHash: contentHashOf(Buffer.from('other')) }), VerificationError);
  await assert.rejects(stat(wrong), { code: 'ENOENT' });
  await assert.rejects(h.provider.download('/missing.bin', join(h.dir, 'm'), {}), RemoteNotFoundError);
});

test('a truncated download is retried and then succeeds', async (t) => {
  const h = await harness(t);
  const data = randomBytes(200 * 1024);
  await h.other.upload(await h.localFile('t', data), '/Sync/t.bin', {});
  h.emu.faults.add({ fault: { kind: 'truncate' }, routes: ['files/download'], times: 1 });
  const dest = join(h.dir, 'tmp-t');
  await h.provider.download('/t.bin', dest, {});
  assert.ok((await readFile(dest)).equals(data));
  assert.equal(h.sleeps.length, 1);
});

test('a persistently truncated download ends in VerificationError after three attempts', async (t) => {
  const h = await harness(t);
  await h.other.upload(await h.localFile('t', randomBytes(64 * 1024)), '/Sync/t.bin', {});
  h.emu.faults.add({ fault: { kind: 'truncate' }, routes: ['files/download'] });
  const dest = join(h.dir, 'tmp-t');
  await assert.rejects(h.provider.download('/t.bin', dest, {}), VerificationError);
  assert.equal(h.routes.filter((r) => r === 'files/download').length, 3);
  await assert.rejects(stat(dest), { code: 'ENOENT' });
});

test('a connection reset mid-body is retried', async (t) => {
  const h = await harness(t);
  const data = randomBytes(128 * 1024);
  await h.other.upload(await h.localFile('r', data), '/Sync/r.bin', {});
  h.emu.faults.add({ fault: { kind: 'reset_mid_body' }, routes: ['files/download'], times: 1 });
  const dest = join(h.dir, 'tmp-r');
  await h.provider.download('/r.bin', dest, {});
  assert.ok((await readFile(dest)).equals(data));
  assert.equal(h.sleeps.length, 1);
});

test('429 with Retry-After is waited out exactly', async (t) => {
  const h = await harness(t);
  h.emu.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_write_operations', retryAfterSec: 3 }, routes: ['files/upload'], times: 1 });
  h.emu.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 7 }, routes: ['files/list_folder'], times: 1 });
  await h.provider.upload(await h.localFile('q', Buffer.from('q')), '/q.txt', {});
  await h.provider.listAll();
  assert.deepEqual(h.sleeps, [3000, 7000]);
});

test('503 and connection resets are retried with backoff', async (t) => {
  const h = await harness(t);
  h.emu.faults.add({ fault: { kind: 'server_error', status: 503 }, routes: ['files/list_folder'], times: 2 });
  h.emu.faults.add({ fault: { kind: 'reset' }, routes: ['files/upload'], times: 1 });
  await h.provider.listAll();
  await h.provider.upload(await h.localFile('z', Buffer.from('z')), '/z.txt', {});
  // full jitter with random() = 0.5 over caps 10, 20 ms; then the upload's first retry
  assert.deepEqual(h.sleeps, [5, 10, 5]);
});

test('an upload whose append answer was lost resumes at the offset Dropbox reports', async (t) => {
  let dropped = false;
  // Lets the first append_v2 reach the server, then pretends the connection died before the answer.
  const loseFirstAppendAnswer: FetchWrap = (next) => async (input, init) => {
    const res = await next(input, init);
    if (!dropped && String(input).endsWith('/files/upload_session/append_v2')) {
      dropped = true;
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    }
    return res;
  };
  const h = await harness(t, { wrap: loseFirstAppendAnswer });
  const data = randomBytes(9 * MiB);
  const item = await h.provider.upload(await h.localFile('o.bin', data), '/o.bin', {});
  assert.equal(item.contentHash, contentHashOf(data));
  assert.deepEqual(h.routes, [
    'files/upload_session/start',
    'files/upload_session/append_v2', // landed, answer lost
    'files/upload_session/append_v2', // incorrect_offset: Dropbox already has it
    'files/upload_session/append_v2',
    'files/upload_session/finish',
  ]);
});

test('an expired access token is refreshed with the refresh token and reported', async (t) => {
  const h = await harness(t);
  const issued = h.emu.tokens.issueTokens({ clientId: APP_KEY, scope: 'files.content.write files.content.read', tokenAccessType: 'offline', publicClient: true });
  assert.ok(issued.refreshToken);
  const refreshed: string[] = [];
  const credentials: DropboxCredentials = { refreshToken: issued.refreshToken, appKey: APP_KEY, accessToken: issued.accessToken, expiresAt: new Date(Date.now() + 3_600_000) };
  const provider = h.makeProvider({ credentials, onTokenRefreshed: (token, expiresAt) => {
    assert.ok(expiresAt.getTime() > Date.now());
    refreshed.push(token);
  } });
  await provider.getAccount();
  assert.deepEqual(refreshed, []);

  h.emu.expireTokens();
  await provider.listAll();
  assert.equal(refreshed.length, 1);
  assert.notEqual(refreshed[0], issued.accessToken);
  assert.equal(h.routes.filter((r) => r === '/oauth2/token' || r === 'oauth2/token').length, 1);
});

test('an expired token without a refresh token, a revoked token and a revoked refresh token are AuthErrors', async (t) => {
  const h = await harness(t);
  const bad = h.makeProvider({ credentials: { accessToken: 'not-a-token' } });
  await assert.rejects(bad.getAccount(), (err) => err instanceof AuthError && /sign in again/.test(err.message) && !err.message.includes('not-a-token'));

  const issued = h.emu.tokens.issueTokens({ clientId: APP_KEY, scope: 'files.content.write', tokenAccessType: 'offline', publicClient: true });
  assert.ok(issued.refreshToken);
  h.emu.tokens.revokeRefreshToken(issued.refreshToken);
  const revoked = h.makeProvider({ credentials: { refreshToken: issued.refreshToken, appKey: APP_KEY } });
  await assert.rejects(revoked.listAll(), (err) => err instanceof AuthError && !err.message.includes(issued.refreshToken ?? '?'));

  const shortLived = h.emu.tokens.issueTokens({ clientId: APP_KEY, scope: 'files.content.write', tokenAccessType: 'online', publicClient: true });
  const online = h.makeProvider({ credentials: { accessToken: shortLived.accessToken } });
  h.emu.expireTokens();
  await assert.rejects(online.listAll(), AuthError);
  assert.deepEqual(h.sleeps, []);
});

test('unsafe names from the server are refused (never used as paths), foreign ones dropped and logged', async (t) => {
  const evil = (path: string): Record<string, unknown> => ({
    '.tag': 'file', name: 'x', path_lower: path.toLowerCase(), path_display: path, id: 'id:evil', rev: '0123456789', size: 1,
    content_hash: contentHashOf(Buffer.from('x')), client_modified: '2024-01-01T00:00:00Z', server_modified: '2024-01-01T00:00:00Z',
  });
  const h = await harness(t, {
    wrap: tamper('files/list_folder', (json) => ({
      ...json,
      entries: [...(json.entries as unknown[]), evil('/Sync/../../etc/passwd'), evil('/Sync/a\\..\\b'), evil('/Sync/nul\u0000'), evil('/Other/x')],
    })),
  });
  await h.other.upload(await h.localFile('ok', Buffer.from('ok')), '/Sync/ok.txt', {});
  const page = await h.provider.listAll();
  assert.deepEqual(page.changes.map(describe), ['upsert file /ok.txt', 'refused /../../etc/passwd', 'refused /a\\..\\b', 'refused /nul\u0000']);
  assert.equal(h.warnings.length, 1);
});

test('a malformed answer is an InvalidResponseError, not trusted', async (t) => {
  const h = await harness(t, { wrap: tamper('files/list_folder', (json) => ({ ...json, has_more: 'maybe' })) });
  await assert.rejects(h.provider.listAll(), InvalidResponseError);
  const garbage = h.makeProvider({
    wrap: (next) => async (input, init) => (String(input).endsWith('/files/list_folder') ? new Response('<html>oops</html>', { status: 200 }) : next(input, init)),
  });
  await assert.rejects(garbage.listAll(), InvalidResponseError);
});

test('folders, moves and guarded deletes', async (t) => {
  const h = await harness(t);
  const folder = await h.provider.createFolder('/Projects');
  assert.deepEqual({ key: folder.key, path: folder.path, kind: folder.kind }, { key: '/projects', path: '/Projects', kind: 'folder' });
  await assert.rejects(h.provider.createFolder('/Projects'), (err) => err instanceof RemoteConflictError && err.conflictWith === 'folder');

  const file = await h.provider.upload(await h.localFile('p', Buffer.from('p')), '/Projects/plan.txt', {});
  const moved = await h.provider.move('/Projects/plan.txt', '/Projects/Plan v2.txt');
  assert.deepEqual({ path: moved.path, id: moved.id, kind: moved.kind }, { path: '/Projects/Plan v2.txt', id: file.id, kind: 'file' });
  await assert.rejects(h.provider.move('/Projects/gone.txt', '/x.txt'), RemoteNotFoundError);

  await h.provider.delete('/Projects/Plan v2.txt', { parentRev: moved.rev });
  await assert.rejects(h.provider.delete('/Projects/Plan v2.txt'), RemoteNotFoundError);
  await h.provider.delete('/Projects');
  const { lines } = await drain(h.provider, await h.provider.listAll());
  assert.deepEqual(lines, []);
});

test('a case-only move respells the item (move_v2 alone keeps the old case) and keeps its id', async (t) => {
  const h = await harness(t);
  await h.provider.createFolder('/docs');
  const file = await h.provider.upload(await h.localFile('x', Buffer.from('x')), '/docs/x.txt', {});
  const respelled = await h.provider.move('/docs/x.txt', '/docs/X.txt');
  assert.deepEqual({ path: respelled.path, id: respelled.id }, { path: '/docs/X.txt', id: file.id });
  const folder = await h.provider.move('/docs', '/Docs');
  assert.equal(folder.path, '/Docs');
  const { lines } = await drain(h.provider, await h.provider.listAll());
  assert.ok(lines.some((line) => line.includes('/Docs/X.txt')), lines.join('\n'));
  assert.ok(!lines.some((line) => line.includes('twinfold-respell')), 'no temporary name is left behind');
});

test('the synced folder can be created by the provider itself', async (t) => {
  const h = await harness(t);
  const nested = h.makeProvider({ remoteRoot: '/Sync/Inner' });
  await assert.rejects(nested.listAll(), RemoteNotFoundError);
  const root = await nested.createFolder('');
  assert.deepEqual({ key: root.key, kind: root.kind }, { key: '', kind: 'folder' });
  assert.deepEqual((await nested.listAll()).changes, []);
});
