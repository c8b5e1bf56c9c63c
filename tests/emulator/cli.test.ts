// `twinfold emulator` as a child process: it prints where it listens and its token, serves the
// API, exits 0 on SIGTERM/SIGINT, and refuses bad flags with exit 2 and one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../src/main/cli/index.js';
import { jsonOf, startCli, tempDir } from './support.js';

const LISTENING = /^twinfold emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/;

test('serves the API on the printed URL and stops cleanly on SIGTERM', async (t) => {
  const cli = startCli(t, ['emulator', '--port', '0', '--access-token', 'cli-token']);
  const url = LISTENING.exec(await cli.waitForLine(LISTENING))![1]!;
  await cli.waitForLine(/^access token: cli-token$/);
  const res = await fetch(`${url}/2/users/get_current_account`, { method: 'POST', headers: { Authorization: 'Bearer cli-token' } });
  assert.equal(res.status, 200);
  assert.equal((await jsonOf(res)).account_id.length, 40);
  cli.child.kill('SIGTERM');
  assert.deepEqual(await cli.exited, { code: 0, signal: null });
  assert.ok(cli.lines.some((l) => /stopped \(SIGTERM\)/.test(l)), cli.lines.join('\n'));
});

test('generates a token when none is given; SIGINT flushes --data and exits 0', async (t) => {
  const data = await tempDir(t);
  const cli = startCli(t, ['emulator', '--port', '0', '--data', data]);
  const url = LISTENING.exec(await cli.waitForLine(LISTENING))![1]!;
  const token = /^access token \(generated.*\): (\S+)$/.exec(await cli.waitForLine(/^access token \(generated/))![1]!;
  const up = await fetch(`${url}/2/files/upload`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': '{"path":"/kept.txt"}' },
    body: 'kept',
  });
  assert.equal(up.status, 200);
  cli.child.kill('SIGINT');
  assert.deepEqual(await cli.exited, { code: 0, signal: null });

  const again = startCli(t, ['emulator', '--port', '0', '--data', data, '--access-token', token]);
  const url2 = LISTENING.exec(await again.waitForLine(LISTENING))![1]!;
  const meta = await fetch(`${url2}/2/files/get_metadata`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"path":"/kept.txt"}' });
  assert.equal((await jsonOf(meta)).size, 4);
  again.child.kill('SIGTERM');
  assert.equal((await again.exited).code, 0);
});

test('bad flags: exit 2 with one line naming the problem', async (t) => {
  const dir = await tempDir(t);
  const rows: [string[], RegExp][] = [
    [['emulator', '--bogus'], /emulator: .*--bogus/],
    [['emulator', '--port', 'eighty'], /--port must be a whole number/],
    [['emulator', '--port', '70000'], /--port must be between 0 and 65535/],
    [['emulator', '--tls-cert', join(dir, 'cert.pem')], /--tls-cert and --tls-key go together/],
    [['emulator', '--tls-cert', join(dir, 'missing.pem'), '--tls-key', join(dir, 'missing.key')], /cannot read --tls-cert .*missing\.pem/],
    [['emulator', '--token-ttl', '0'], /--token-ttl must be between/],
    [['emulator', '--access-token', ''], /--access-token must be non-empty/],
  ];
  // In-process: the dispatcher's exit code and stderr are what the spawned command would give.
  for (const [args, message] of rows) {
    const run = await captured(() => main(args));
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, message);
  }
  const help = await captured(() => main(['emulator', '--help']));
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--access-token T/);
});

async function captured(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    return { code: await run(), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}
