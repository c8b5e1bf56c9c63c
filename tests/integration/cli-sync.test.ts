// `twinfold sync` and `twinfold status` as a user runs them: child processes against the emulator,
// including refusals that must change nothing, and kill -9 in the middle of transfers.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startCli } from '../emulator/support.js';
import { contentHashOf } from '../../src/main/core/contentHash.js';
import { exists, snapshot } from '../helpers/syncHarness.js';
import { Dropbox } from 'dropbox';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { tempDirFor } from '../helpers/tempDir.js';

const TOKEN = 'cli-sync-token';

interface Run {
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
}

async function emulator(t: TestContext): Promise<Emulator> {
  const emu = await startEmulator({ accessTokens: [TOKEN] });
  t.after(() => emu.close());
  return emu;
}

/** Runs the CLI with a private HOME (so no real keychain or config is touched). */
function twinfold(t: TestContext, args: string[], env: Record<string, string | undefined> = {}): Run {
  const home = nodePath.join(tmpdir(), `twinfold-home-${process.pid}`);
  const cli = startCli(t, args, { HOME: home, XDG_CONFIG_HOME: nodePath.join(home, '.config'), DBUS_SESSION_BUS_ADDRESS: 'disabled:', TWINFOLD_DROPBOX_TOKEN: undefined, ...env });
  return {
    lines: cli.lines,
    stderr: cli.stderr,
    exited: cli.exited.then((e) => e.code),
    kill: (signal) => cli.child.kill(signal),
    waitForLine: (re, timeoutMs) => cli.waitForLine(re, timeoutMs),
  };
}

test('refusals: one line, non-zero exit, nothing written', async (t) => {
  const emu = await emulator(t);
  const dir = await tempDirFor(t, 'cli-refuse');
  const missing = nodePath.join(dir, 'missing');
  const rows: [string, string[], Record<string, string>, number, RegExp][] = [
    ['unknown flag', ['sync', dir, '/x', '--bogus'], {}, 2, /sync: .*--bogus/],
    ['bad deletes mode', ['sync', dir, '/x', '--deletes', 'sometimes'], {}, 2, /--deletes must be propagate or keep/],
    ['bad quiet period', ['sync', dir, '/x', '--quiet-ms', 'soon'], {}, 2, /--quiet-ms must be a whole number/],
    ['relative dropbox path', ['sync', dir, 'x'], {}, 2, /must start with \//],
    ['missing folder', ['sync', missing, '/x', '--once'], { TWINFOLD_DROPBOX_TOKEN: TOKEN }, 2, /does not exist/],
    ['no token', ['sync', dir, '/x', '--once', '--api-url', emu.url], {}, 1, /no Dropbox sign-in found/],
    ['bad token', ['sync', dir, '/x', '--once', '--api-url', emu.url], { TWINFOLD_DROPBOX_TOKEN: 'wrong' }, 1, /Dropbox refused the token/],
    ['unreachable API', ['sync', dir, '/x', '--once', '--api-url', 'http://127.0.0.1:9'], { TWINFOLD_DROPBOX_TOKEN: TOKEN }, 1, /cannot reach the Dropbox API/],
  ];
  for (const [name, args, env, code, message] of rows) {
    const run = twinfold(t, args, env);
    assert.equal(await run.exited, code, `${name}: ${run.stderr()}`);
    const lines = run.stderr().trim().split('\n').filter((l) => !l.includes('warning'));
    assert.equal(lines.length, 1, `${name}: one line: ${run.stderr()}`);
    assert.match(lines[0]!, message, name);
    assert.ok(!lines[0]!.includes(TOKEN), `${name}: the token is never printed`);
  }
  assert.deepEqual(await readdir(dir), [], 'no state folder or file was created');
});

test('--once syncs both ways and exits 0; status reports it', async (t) => {
  const emu = await emulator(t);
  const a = await tempDirFor(t, 'cli-a');
  const b = await tempDirFor(t, 'cli-b');
  await writeFile(nodePath.join(a, 'hello.txt'), 'hello');
  const env = { TWINFOLD_DROPBOX_TOKEN: TOKEN };
  const first = twinfold(t, ['sync', a, '/Shared', '--once', '--api-url', emu.url], env);
  assert.equal(await first.exited, 0, first.stderr());
  const second = twinfold(t, ['sync', b, '/Shared/', '--once', '--api-url', emu.url, '--json'], env);
  assert.equal(await second.exited, 0, second.stderr());
  assert.deepEqual(await snapshot(b), { 'hello.txt': 'hello' });
  assert.ok(second.lines.every((l) => JSON.parse(l).state), 'every --json line is a status object');

  const status = twinfold(t, ['status', '--state', nodePath.join(b, '.twinfold'), '--json']);
  assert.equal(await status.exited, 0, status.stderr());
  const report = JSON.parse(status.lines.join('\n'));
  assert.equal(report.running, false);
  assert.equal(report.remoteRoot, '/Shared');
  assert.ok(report.lastSyncedAt, 'last sync time is known');
  assert.equal(report.recentActivity[0].action, 'download');
});

test('live: syncs until SIGTERM and exits 0; a second process on the same state is refused', async (t) => {
  const emu = await emulator(t);
  const a = await tempDirFor(t, 'cli-live');
  const env = { TWINFOLD_DROPBOX_TOKEN: TOKEN };
  const live = twinfold(t, ['sync', a, '/Live', '--api-url', emu.url, '--quiet-ms', '50'], env);
  await live.waitForLine(/Up to date/);
  const again = twinfold(t, ['sync', a, '/Live', '--api-url', emu.url], env);
  assert.equal(await again.exited, 1);
  assert.match(again.stderr(), /already syncing/);

  await writeFile(nodePath.join(a, 'live.txt'), 'live');
  const check = await tempDirFor(t, 'cli-live-check');
  await waitForRemoteFile(t, emu, '/Live/live.txt');
  const once = twinfold(t, ['sync', check, '/Live', '--once', '--api-url', emu.url], env);
  assert.equal(await once.exited, 0, once.stderr());
  assert.deepEqual(await snapshot(check), { 'live.txt': 'live' });
  live.kill('SIGTERM');
  assert.equal(await live.exited, 0, live.stderr());
});

test('kill -9 mid-upload and mid-download, then restart: converges, nothing torn, no duplicate', async (t) => {
  const emu = await emulator(t);
  const a = await tempDirFor(t, 'cli-kill-a');
  const b = await tempDirFor(t, 'cli-kill-b');
  const env = { TWINFOLD_DROPBOX_TOKEN: TOKEN };
  const big = Buffer.alloc(12 * 1024 * 1024, 7);
  big.write('start of a big file');
  await writeFile(nodePath.join(a, 'big.bin'), big);

  // Hold the upload session's commit so the process is certainly mid-transfer when killed.
  emu.faults.add({ fault: { kind: 'latency', ms: 60_000 }, routes: ['files/upload_session/finish'], times: 1 });
  const up = twinfold(t, ['sync', a, '/K', '--api-url', emu.url, '--quiet-ms', '50'], env);
  await waitFor(() => emu.faults.list().length === 0, 'the upload to reach its commit');
  up.kill('SIGKILL');
  await up.exited;
  emu.faults.clear();

  const upAgain = twinfold(t, ['sync', a, '/K', '--once', '--api-url', emu.url], env);
  assert.equal(await upAgain.exited, 0, upAgain.stderr());
  assert.deepEqual(await readdir(a).then((n) => n.sort()), ['.twinfold', 'big.bin'], 'no conflicted copy');

  emu.faults.add({ fault: { kind: 'latency', ms: 60_000 }, routes: ['files/download'], times: 1 });
  const down = twinfold(t, ['sync', b, '/K', '--api-url', emu.url], env);
  await waitFor(() => emu.faults.list().length === 0, 'the download to start');
  down.kill('SIGKILL');
  await down.exited;
  emu.faults.clear();
  assert.equal(await exists(nodePath.join(b, 'big.bin')), false, 'nothing half-written is visible');

  const downAgain = twinfold(t, ['sync', b, '/K', '--once', '--api-url', emu.url], env);
  assert.equal(await downAgain.exited, 0, downAgain.stderr());
  assert.equal(contentHashOf(await readFile(nodePath.join(b, 'big.bin'))), contentHashOf(big));
  assert.deepEqual(await readdir(nodePath.join(b, '.twinfold', 'tmp')).catch(() => []), [], 'temp files cleaned');
});

async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForRemoteFile(_t: TestContext, emu: Emulator, path: string): Promise<void> {
  await waitFor(async () => {
    const res = await fetch(`${emu.url}/2/files/get_metadata`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ path }) });
    return res.status === 200;
  }, `${path} on the emulator`);
}

test('--once ends with exit 1 and names what it could not sync: a hostile feed, a long wait, a name this computer cannot hold', async (t) => {
  const env = { TWINFOLD_DROPBOX_TOKEN: TOKEN };

  const hostile = await emulator(t);
  hostile.faults.add({ fault: { kind: 'endless_pages' }, routes: ['files/list_folder', 'files/list_folder/continue'] });
  const endless = twinfold(t, ['sync', await tempDirFor(t, 'cli-endless'), '/Shared', '--once', '--api-url', hostile.url], env);
  assert.equal(await endless.exited, 1, endless.stderr());
  assert.match(endless.stderr(), /cursor does not advance|without an end/);

  const slow = await emulator(t);
  slow.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 3600 }, routes: ['files/list_folder'] });
  const waiting = twinfold(t, ['sync', await tempDirFor(t, 'cli-wait'), '/Shared', '--once', '--api-url', slow.url], env);
  assert.equal(await waiting.exited, 1, waiting.stderr());
  assert.match(waiting.stderr(), /Dropbox asked us to wait 3600 s/);

  const lenient = await startEmulator({ accessTokens: [TOKEN], acceptRefusedNames: true });
  t.after(() => lenient.close());
  const dbx = new Dropbox({ accessToken: TOKEN, fetch: rewritingFetch(lenient.url) });
  await dbx.filesUpload({ path: '/Shared/fine.txt', contents: 'fine' });
  await dbx.filesUpload({ path: '/Shared/trailing ', contents: 'cannot be stored here' });
  const local = await tempDirFor(t, 'cli-names');
  const named = twinfold(t, ['sync', local, '/Shared', '--once', '--api-url', lenient.url], env);
  assert.equal(await named.exited, 1, named.stderr());
  assert.match(named.stderr(), /not synced: .*trailing .*rename it on Dropbox/);
  assert.match(named.stderr(), /1 item could not be synced/);
  assert.deepEqual(await snapshot(local), { 'fine.txt': 'fine' });
  const { result } = await dbx.filesListFolder({ path: '/Shared' });
  assert.deepEqual(result.entries.map((e) => e.name).sort(), ['fine.txt', 'trailing '], 'nothing was deleted on Dropbox');
});
