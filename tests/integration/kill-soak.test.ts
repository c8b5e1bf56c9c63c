// kill -9 at many moments of a two-sided sync (seeded, event-driven kill points), then restart:
// both folders converge, every version survives exactly once, nothing half-written is visible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdir, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { cliCommand, repoRoot } from '../emulator/support.js';
import { snapshot } from '../helpers/syncHarness.js';
import { tempDirFor } from '../helpers/tempDir.js';

const TOKEN = 'soak-token';

function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

/**
 * Runs `twinfold sync` and kills it with SIGKILL after its `killAfter`-th status line, or once it
 * reports idle if that comes first (a live sync never exits by itself); undefined: let it finish.
 */
function syncUntil(args: string[], killAfter: number | undefined): Promise<number | null> {
  const [cmd, argv] = cliCommand(['sync', ...args, '--json']);
  const child = spawn(cmd, argv, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TWINFOLD_DROPBOX_TOKEN: TOKEN, DBUS_SESSION_BUS_ADDRESS: 'disabled:' },
  });
  child.stderr!.resume();
  let lines = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines += 1;
    if (killAfter !== undefined && (lines >= killAfter || JSON.parse(line).state === 'idle')) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

test('kill -9 at seeded moments on both devices, then converge with every version kept once', async (t) => {
  const emu = await startEmulator({ accessTokens: [TOKEN] });
  t.after(() => emu.close());
  const a = await tempDirFor(t, 'soak-a');
  const b = await tempDirFor(t, 'soak-b');
  const expected = new Map<string, string>();
  for (let i = 0; i < 30; i++) {
    await mkdir(nodePath.join(a, `dir${i % 4}`), { recursive: true });
    await writeFile(nodePath.join(a, `dir${i % 4}`, `a${i}.txt`), `alpha file ${i}`);
    expected.set(`alpha file ${i}`, 'a');
  }
  for (let i = 0; i < 20; i++) {
    await mkdir(nodePath.join(b, `dir${i % 3}`), { recursive: true });
    await writeFile(nodePath.join(b, `dir${i % 3}`, `b${i}.txt`), `beta file ${i}`);
    expected.set(`beta file ${i}`, 'b');
  }
  // The same names with different contents on both sides: each must end as a conflict pair.
  for (let i = 0; i < 5; i++) {
    await writeFile(nodePath.join(a, `both${i}.txt`), `alpha version ${i}`);
    await writeFile(nodePath.join(b, `both${i}.txt`), `beta version ${i}`);
    expected.set(`alpha version ${i}`, 'a');
    expected.set(`beta version ${i}`, 'b');
  }

  const random = prng(20261121);
  const common = ['/Soak', '--api-url', emu.url, '--quiet-ms', '20'];
  for (let round = 0; round < 4; round++) {
    const dir = round % 2 === 0 ? a : b;
    await syncUntil([dir, ...common], 2 + Math.floor(random() * 25));
  }
  for (const dir of [a, b, a]) assert.equal(await syncUntil([dir, ...common, '--once'], undefined), 0);

  const [treeA, treeB] = await Promise.all([snapshot(a), snapshot(b)]);
  assert.deepEqual(treeA, treeB, 'both folders are identical');
  const contents = Object.values(treeA).filter((c) => c !== '<dir>');
  for (const version of expected.keys()) {
    assert.equal(contents.filter((c) => c === version).length, 1, `${JSON.stringify(version)} is kept exactly once`);
  }
  assert.equal(contents.length, expected.size, 'no extra files (no duplicate conflicted copies)');
});
