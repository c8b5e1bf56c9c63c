// The web UI token of `twinfold serve` lives in a user-only file in the state folder: kept across
// restarts, replaced when rotated or malformed, and its file mode kept at 0600.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { loadOrCreateSessionToken, SESSION_TOKEN_FILE } from '../../src/main/web/sessionTokenFile.js';
import { isWellFormedToken } from '../../src/main/web/sessionToken.js';

async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

test('created user-only in a new state folder, then kept; --new-token rotates it', async (t) => {
  const root = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-token-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const state = nodePath.join(root, 'state');
  const file = nodePath.join(state, SESSION_TOKEN_FILE);

  const first = await loadOrCreateSessionToken(state);
  assert.ok(isWellFormedToken(first));
  assert.equal((await readFile(file, 'utf8')).trim(), first);
  if (process.platform !== 'win32') {
    assert.equal(await modeOf(file), 0o600);
    assert.equal(await modeOf(state), 0o700);
  }
  assert.equal(await loadOrCreateSessionToken(state), first, 'a restart keeps the token');

  const rotated = await loadOrCreateSessionToken(state, { rotate: true });
  assert.notEqual(rotated, first);
  assert.equal(await loadOrCreateSessionToken(state), rotated, 'the rotated token is the one kept');
});

test('a malformed saved token is replaced; a loose file mode is tightened', async (t) => {
  const state = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-token-'));
  t.after(() => rm(state, { recursive: true, force: true }));
  const file = nodePath.join(state, SESSION_TOKEN_FILE);

  await writeFile(file, 'short\n');
  const fresh = await loadOrCreateSessionToken(state);
  assert.ok(isWellFormedToken(fresh));
  assert.notEqual(fresh, 'short');

  if (process.platform === 'win32') return;
  await chmod(file, 0o644);
  assert.equal(await loadOrCreateSessionToken(state), fresh);
  assert.equal(await modeOf(file), 0o600);
});
