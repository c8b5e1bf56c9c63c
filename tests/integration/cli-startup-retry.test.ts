// The daemon's start-up account check waits out a brief 429/5xx spell instead of exiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { openPair } from '../../src/main/cli/pairSetup.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';

test('a brief run of 429s during the start-up check is retried, not fatal', async (t) => {
  const emulator = await startEmulator({ accessTokens: ['tok'] });
  const dir = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-startup-'));
  t.after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });
  // More 429s than one call's own retries absorb.
  emulator.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 0 }, routes: ['users/get_current_account'], times: 7 });
  const log: string[] = [];
  const localRoot = nodePath.join(dir, 'local');
  const stateDir = nodePath.join(dir, 'state');
  await mkdir(localRoot);
  const pair = await openPair({
    localRoot,
    remoteRoot: '/X',
    stateDir,
    paths: { root: localRoot, stateDir, foldCase: false },
    activeRootsDir: nodePath.join(dir, 'active'),
    signIn: { credentials: { accessToken: 'tok' }, fetch: rewritingFetch(emulator.url), apiUrl: emulator.url },
    log: (line) => log.push(line),
    retryStartup: true,
  });
  await pair.close();
  assert.ok(log.some((line) => /trying again/.test(line)), log.join('\n'));
});
