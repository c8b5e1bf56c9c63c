// The state folder's lock: a real OS lock (SQLite's), refused to a second holder in this process or
// another, released by the kernel when its holder is killed, and lost, loudly, when its folder is
// deleted or replaced.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { lockOwner, lockStateDir, StateLockedError, type StateLostError } from '../../src/main/core/stateLock.js';

async function stateDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A child process holding the lock of `dir` until killed; resolves once it holds it. */
async function holderProcess(t: TestContext, dir: string) {
  const lockModule = new URL('../../src/main/core/stateLock.js', import.meta.url).href;
  const script = `const { lockStateDir } = await import(${JSON.stringify(lockModule)}); await lockStateDir(process.argv[1]); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'], cwd: nodePath.dirname(fileURLToPath(import.meta.url)) });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  assert.equal(line, 'held');
  return child;
}

test('a second lock on the same folder is refused in this process, naming the holder', async (t) => {
  const dir = await stateDir(t);
  const first = await lockStateDir(dir);
  await assert.rejects(lockStateDir(dir), (err: unknown) => err instanceof StateLockedError && err.pid === process.pid);
  assert.deepEqual(await lockOwner(dir), { pid: process.pid });
  await first.release();
  assert.equal(await lockOwner(dir), undefined);
  const again = await lockStateDir(dir);
  await again.release();
});

test('another process holds the lock until it is killed with SIGKILL; then it is free at once', async (t) => {
  const dir = await stateDir(t);
  const holder = await holderProcess(t, dir);
  await assert.rejects(lockStateDir(dir), {
    name: 'StateLockedError',
    message: `another Twinfold process (pid ${holder.pid}) is already syncing with the state folder ${dir}`,
  });
  assert.deepEqual(await lockOwner(dir), { pid: holder.pid });
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  const mine = await lockStateDir(dir);
  await mine.release();
});

for (const [what, spoil] of [
  ['deleted', (dir: string) => rm(dir, { recursive: true })],
  ['replaced by another folder', async (dir: string) => (await rename(dir, `${dir}.old`), await mkdir(dir))],
  ['emptied of its lock file', (dir: string) => rm(nodePath.join(dir, 'lock.sqlite'))],
] as const) {
  test(`a state folder ${what} while held: the lock reports it lost`, async (t) => {
    const dir = await stateDir(t);
    t.after(() => rm(`${dir}.old`, { recursive: true, force: true }));
    const lock = await lockStateDir(dir, { checkEveryMs: 10 });
    t.after(() => lock.release());
    const lost = new Promise<StateLostError>((resolve) => lock.onLost(resolve));
    // The lock's check never keeps a process alive by itself; this test has to.
    const alive = setInterval(() => {}, 1000);
    await spoil(dir);
    const err = await lost;
    clearInterval(alive);
    assert.equal(err.message, `the state folder ${dir} was deleted while syncing; stopped to keep your files safe`);
    assert.equal(lock.lost, err);
  });
}
