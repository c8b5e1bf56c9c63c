// `twinfold sync` against other processes and its own state: overlapping pairs run by another
// process, a state folder inside the synced folder, one process per --state, the state folder
// deleted mid-run, a symlinked folder, and a state folder that cannot be created. Child processes
// against the emulator; every refusal is one line and writes nothing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startCli, type CliProcess } from '../emulator/support.js';
import { exists } from '../helpers/syncHarness.js';
import { tempDirFor } from '../helpers/tempDir.js';

const TOKEN = 'cli-process-token';

async function emulator(t: TestContext): Promise<Emulator> {
  const emu = await startEmulator({ accessTokens: [TOKEN] });
  t.after(() => emu.close());
  return emu;
}

/** The CLI with a private HOME per test, so the registry of running pairs is this test's own. */
function cli(t: TestContext, home: string, args: string[]): CliProcess {
  return startCli(t, args, { HOME: home, XDG_CONFIG_HOME: nodePath.join(home, '.config'), DBUS_SESSION_BUS_ADDRESS: 'disabled:', TWINFOLD_DROPBOX_TOKEN: TOKEN });
}

async function refusal(run: CliProcess): Promise<string> {
  const { code } = await run.exited;
  assert.equal(code, 1, run.stderr());
  const lines = run.stderr().trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr()}`);
  return lines[0]!;
}

test('a running sync refuses overlapping pairs in other processes: inside, around, or holding its state', { timeout: 30_000 }, async (t) => {
  const emu = await emulator(t);
  const home = await tempDirFor(t, 'home');
  const top = await tempDirFor(t, 'overlap');
  const a = nodePath.join(top, 'a');
  const inner = nodePath.join(a, 'b');
  const other = nodePath.join(top, 'other');
  await mkdir(inner, { recursive: true });
  await mkdir(other);
  const live = cli(t, home, ['sync', a, '/A', '--api-url', emu.url, '--quiet-ms', '50']);
  await live.waitForLine(/Up to date/);
  const pid = live.child.pid!;

  assert.equal(
    await refusal(cli(t, home, ['sync', inner, '/B', '--api-url', emu.url])),
    `twinfold: ${inner} is inside the folder ${a}, synced by another Twinfold process (pid ${pid}); folder pairs must not overlap`,
  );
  assert.equal(
    await refusal(cli(t, home, ['sync', top, '/T', '--api-url', emu.url])),
    `twinfold: ${top} contains the folder ${a}, synced by another Twinfold process (pid ${pid}); folder pairs must not overlap`,
  );
  const stateInA = nodePath.join(a, 'state');
  assert.equal(
    await refusal(cli(t, home, ['sync', other, '/O', '--api-url', emu.url, '--state', stateInA])),
    `twinfold: the state folder ${stateInA} is inside ${a}, synced by another Twinfold process (pid ${pid}); choose a state folder outside it`,
  );
  assert.deepEqual(await readdir(inner), [], 'nothing written in the refused folder');
  assert.deepEqual((await readdir(top)).sort(), ['a', 'other']);
  assert.deepEqual(await readdir(other), []);

  live.child.kill('SIGTERM');
  assert.equal((await live.exited).code, 0, live.stderr());
  // Gone, its folder is free again.
  const after = cli(t, home, ['sync', inner, '/B', '--once', '--api-url', emu.url]);
  assert.equal((await after.exited).code, 0, after.stderr());
});

test('a killed sync leaves no claim behind: the next one starts', { timeout: 30_000 }, async (t) => {
  const emu = await emulator(t);
  const home = await tempDirFor(t, 'home');
  const a = await tempDirFor(t, 'killed');
  const live = cli(t, home, ['sync', a, '/K', '--api-url', emu.url]);
  await live.waitForLine(/Up to date/);
  live.child.kill('SIGKILL');
  await live.exited;
  const again = cli(t, home, ['sync', nodePath.join(a, '.'), '/K', '--once', '--api-url', emu.url]);
  assert.equal((await again.exited).code, 0, again.stderr());
});

test('a state folder inside the synced folder is refused before anything is written', { timeout: 30_000 }, async (t) => {
  const emu = await emulator(t);
  const home = await tempDirFor(t, 'home');
  const a = await tempDirFor(t, 'state-inside');
  const state = nodePath.join(a, 'my-state');
  assert.equal(
    await refusal(cli(t, home, ['sync', a, '/S', '--once', '--api-url', emu.url, '--state', state])),
    `twinfold: the state folder ${state} is inside the synced folder ${a}, so it would be uploaded; choose a state folder outside it (or leave --state out)`,
  );
  const around = nodePath.join(a, 'inner');
  await mkdir(around);
  assert.equal(
    await refusal(cli(t, home, ['sync', around, '/S', '--once', '--api-url', emu.url, '--state', a])),
    `twinfold: the folder ${around} lies inside its own state folder ${a}; choose a state folder elsewhere`,
  );
  assert.deepEqual(await readdir(a), ['inner']);
  assert.deepEqual(await readdir(around), []);
});

test('one process per --state: the second names the pid of the first', { timeout: 30_000 }, async (t) => {
  const emu = await emulator(t);
  const home = await tempDirFor(t, 'home');
  const top = await tempDirFor(t, 'same-state');
  const [a, b, state] = ['a', 'b', 'state'].map((n) => nodePath.join(top, n)) as [string, string, string];
  await mkdir(a);
  await mkdir(b);
  const live = cli(t, home, ['sync', a, '/A', '--api-url', emu.url, '--state', state]);
  await live.waitForLine(/Up to date/);
  assert.equal(
    await refusal(cli(t, home, ['sync', b, '/B', '--api-url', emu.url, '--state', state])),
    `twinfold: another Twinfold process (pid ${live.child.pid}) is already syncing with the state folder ${state}`,
  );
  assert.deepEqual(await readdir(b), []);
  live.child.kill('SIGTERM');
  assert.equal((await live.exited).code, 0, live.stderr());
});

test('the state folder deleted under a running sync: it stops with a clear error and does not recreate it', { timeout: 30_000 }, async (t) => {
  const emu = await emulator(t);
  const home = await tempDirFor(t, 'home');
  const a = await tempDirFor(t, 'deleted-state');
  const live = cli(t, home, ['sync', a, '/D', '--api-url', emu.url]);
  await live.waitForLine(/Up to date/);
  const state = nodePath.join(a, '.twinfold');
  await rm(state, { recursive: true });
  const { code } = await live.exited;
  assert.equal(code, 1, live.stderr());
  assert.match(live.stderr(), new RegExp(`the state folder ${state} was deleted while syncing; stopped to keep your files safe`));
  assert.equal(await exists(state), false, 'never recreated');
});

test('a symlinked folder is synced as its real folder; nothing is written through the link', { timeout: 30_000 }, async (t) => {
  const emu = await emulator(t);
  const home = await tempDirFor(t, 'home');
  const top = await tempDirFor(t, 'symlinked');
  const real = nodePath.join(top, 'real');
  const link = nodePath.join(top, 'link');
  await mkdir(real);
  await writeFile(nodePath.join(real, 'f.txt'), 'f');
  await symlink(real, link);
  const run = cli(t, home, ['sync', link, '/L', '--once', '--api-url', emu.url]);
  assert.equal((await run.exited).code, 0, run.stderr());
  assert.match(run.lines[0]!, new RegExp(`^twinfold: syncing ${real} with Dropbox:/L`));
  assert.deepEqual((await readdir(real)).sort(), ['.twinfold', 'f.txt']);
  assert.deepEqual((await readdir(top)).sort(), ['link', 'real']);
});

test('a state folder that cannot be created: which folder, and why', { timeout: 30_000 }, async (t) => {
  const emu = await emulator(t);
  const home = await tempDirFor(t, 'home');
  const top = await tempDirFor(t, 'bad-state');
  const a = nodePath.join(top, 'a');
  await mkdir(a);
  await writeFile(nodePath.join(top, 'file'), 'x');
  const state = nodePath.join(top, 'file', 'state');
  assert.equal(
    await refusal(cli(t, home, ['sync', a, '/X', '--once', '--api-url', emu.url, '--state', state])),
    `twinfold: could not create the state folder ${state}: a file is in the way (a part of the path is not a folder)`,
  );
  assert.deepEqual(await readdir(a), []);
});
