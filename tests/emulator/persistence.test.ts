// --data: the namespace (metadata, contents, revisions, change log, cursor epoch), the account and
// the token state survive a restart; writes are atomic, so even kill -9 loses nothing acknowledged.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Dropbox } from 'dropbox';
import { startEmulator } from '../../src/emulator/index.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { defer, failure, routeError, startCli, tempDir, TOKEN } from './support.js';

/** An emulator on `dataDir`, closed at the end of the test if the test has not closed it. */
async function open(t: TestContext, dataDir: string, extra: { accessTokens?: string[] } = {}) {
  const emu = await startEmulator({ accessTokens: [TOKEN], dataDir, ...extra });
  defer(t, () => emu.close());
  return { emu, dbx: new Dropbox({ accessToken: TOKEN, fetch: rewritingFetch(emu.url) }) };
}

test('state survives a restart: files, ids, revs, history, deletions, cursors, account', async (t) => {
  const dataDir = await tempDir(t);
  const first = await open(t, dataDir);
  const v1 = (await first.dbx.filesUpload({ path: '/Keep/Ünï.txt', contents: 'one' })).result;
  const v2 = (await first.dbx.filesUpload({ path: '/Keep/Ünï.txt', contents: 'two', mode: { '.tag': 'overwrite' } })).result;
  await first.dbx.filesUpload({ path: '/gone.txt', contents: 'g' });
  await first.dbx.filesDeleteV2({ path: '/gone.txt' });
  const { cursor } = (await first.dbx.filesListFolder({ path: '', recursive: true })).result;
  const accountId = first.emu.accountId;
  await first.emu.close();

  const second = await open(t, dataDir);
  const { dbx } = second;
  assert.equal(second.emu.accountId, accountId);
  const meta = (await dbx.filesGetMetadata({ path: '/keep/ünï.txt' })).result as { id: string; rev: string; path_display: string };
  assert.deepEqual([meta.id, meta.rev, meta.path_display], [v1.id, v2.rev, '/Keep/Ünï.txt']);
  const old = (await dbx.filesDownload({ path: `rev:${v1.rev}` })).result as unknown as { fileBinary: Buffer };
  assert.equal(old.fileBinary.toString(), 'one');
  assert.equal((await dbx.filesGetMetadata({ path: '/gone.txt', include_deleted: true })).result['.tag'], 'deleted');
  // The old cursor continues where it stopped.
  await dbx.filesUpload({ path: '/after.txt', contents: 'a' });
  const changes = (await dbx.filesListFolderContinue({ cursor })).result.entries.map((e) => e.path_display);
  assert.deepEqual(changes, ['/after.txt']);
  // New revs after a restart are still new.
  const v3 = (await dbx.filesUpload({ path: '/keep/ünï.txt', contents: 'three', mode: { '.tag': 'update', update: v2.rev } })).result;
  assert.ok(![v1.rev, v2.rev].includes(v3.rev));
});

test('cursor resets and token state survive a restart', async (t) => {
  const dataDir = await tempDir(t);
  const first = await open(t, dataDir, { accessTokens: [TOKEN, 'doomed'] });
  const { cursor } = (await first.dbx.filesListFolder({ path: '' })).result;
  first.emu.resetCursors();
  const issued = first.emu.tokens.issueTokens({ clientId: 'app', scope: 'files.content.read', tokenAccessType: 'offline', publicClient: true });
  await new Dropbox({ accessToken: 'doomed', fetch: rewritingFetch(first.emu.url) }).authTokenRevoke();
  await first.emu.close();

  const second = await open(t, dataDir, { accessTokens: [TOKEN, 'doomed'] });
  await routeError(second.dbx.filesListFolderContinue({ cursor }), 'reset');
  assert.equal(second.emu.tokens.check(issued.accessToken), 'valid');
  assert.ok(second.emu.tokens.refreshGrant(issued.refreshToken!));
  assert.equal(second.emu.tokens.check('doomed'), 'invalid');
  const refused = await failure(new Dropbox({ accessToken: 'doomed', fetch: rewritingFetch(second.emu.url) }).usersGetCurrentAccount());
  assert.equal(refused.status, 401);
});

test('leftover temp files are ignored and removed; a corrupt state file is a clear error', async (t) => {
  const dataDir = await tempDir(t);
  const first = await open(t, dataDir);
  await first.dbx.filesUpload({ path: '/x.txt', contents: 'x' });
  await first.emu.close();
  // What a kill between write and rename leaves behind.
  await writeFile(join(dataDir, 'state.json.0123abcd.tmp'), '{"version":1,"trunc');
  await writeFile(join(dataDir, 'blobs', `${'0'.repeat(64)}.89ab.tmp`), 'partial');
  const second = await open(t, dataDir);
  assert.equal((await second.dbx.filesGetMetadata({ path: '/x.txt' })).result.name, 'x.txt');
  await second.emu.close();
  assert.deepEqual((await readdir(dataDir)).filter((n) => n.endsWith('.tmp')), []);
  assert.deepEqual((await readdir(join(dataDir, 'blobs'))).filter((n) => n.endsWith('.tmp')), []);

  await writeFile(join(dataDir, 'state.json'), '{"version":1,');
  await assert.rejects(startEmulator({ dataDir }), /state\.json is not valid JSON/);
});

test('kill -9 during a stream of uploads loses nothing that was acknowledged', async (t) => {
  const dataDir = await tempDir(t);
  const cli = startCli(t, ['emulator', '--port', '0', '--data', dataDir, '--access-token', TOKEN]);
  const url = /listening on (\S+)/.exec(await cli.waitForLine(/listening on /))![1]!;
  const acked = new Map<string, string>();
  const upload = async (i: number): Promise<void> => {
    const path = `/k/file-${i}.txt`;
    const body = `content ${i} `.repeat(i + 1);
    const res = await fetch(`${url}/2/files/upload`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': JSON.stringify({ path }) },
      body,
    });
    if (res.status === 200) acked.set(path, body);
    await res.arrayBuffer();
  };
  // Four uploads in flight at a time; the kill lands while some are being written.
  let next = 0;
  const workers = Array.from({ length: 4 }, async () => {
    while (acked.size < 40) await upload(next++).catch(() => undefined);
  });
  await Promise.race(workers);
  cli.child.kill('SIGKILL');
  await Promise.all(workers);
  assert.equal((await cli.exited).signal, 'SIGKILL');
  assert.ok(acked.size >= 40);

  const after = await open(t, dataDir);
  for (const [path, body] of acked) {
    const { result } = await after.dbx.filesDownload({ path });
    assert.equal((result as unknown as { fileBinary: Buffer }).fileBinary.toString(), body, path);
  }
});
