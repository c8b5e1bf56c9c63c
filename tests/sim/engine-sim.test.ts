// Runs the deterministic engine simulation (./simulation.ts) for many seeds: TWINFOLD_SIM_SEEDS
// (default 120) from TWINFOLD_SIM_START (default 1), in blocks so each test stays short. A failure
// names its seed; replay it with `npm run fuzz -- --seed S --trace`.
//
// Op kinds behind known engine bugs are held back by KNOWN_BUGS (./knownBugs.ts); delete a line
// there once its fix has landed. What the simulation found (replay with `--include <kind>`):
//
// - spellingVariants, caseOnlyRename: the path-spelling bug. When a device spells an item
//   differently from Dropbox (created as `D` while Dropbox has `d`, renamed `a.txt` -> `A.TXT`,
//   `café` in NFD vs NFC), ops address the local disk with Dropbox's spelling: the upload reads
//   `/d`, finds nothing ("File disappeared: /d was removed while reading") and the device never
//   converges; the local edit stays unsynced forever. Seeds 3, 7, 14 (--include spellingVariants);
//   seed 3 (--include caseOnlyRename): `B user case-rename /a.txt -> /A.TXT` with an edit pending.
// - fileRename: a local rename races a remote edit and the edit is lost. Seed 37: A renames
//   /f -> /e; the web user edits /Sync/f (v0006 -> v0010@web) while A's feed lags; A's moveRemote
//   moves the edited file, and Executor.moveRemote records the moved item (v0010's rev and hash)
//   as the merge base although A's disk holds v0006 (mergeBase takes the remote item when the
//   contents differ). A's next local edit then uploads with v0010's rev as parent and overwrites
//   it: v0010@web exists nowhere. The base should keep the synced content, so the planner sees a
//   remote change (and a conflict if both changed).
// - concurrentFirstSync: two devices' first sync of a folder that does not exist on Dropbox yet.
//   listFromScratch gets not_found, another device creates the folder, then createFolder('')
//   answers conflict/folder and the run fails ("A folder “” already exists on Dropbox"; a live
//   engine shows an error and waits a minute). Seeds 21, 25.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_BUGS } from './knownBugs.js';

// The OS trash must be unusable so the engine's trash goes to <root>/.twinfold/trash, where the
// oracle looks; xdg-basedir reads this when loaded, hence the dynamic import below.
process.env.XDG_DATA_HOME = '/dev/null/twinfold-sim-no-os-trash';
const { runSimulation } = await import('./simulation.js');

const seeds = Number(process.env.TWINFOLD_SIM_SEEDS ?? 120);
const start = Number(process.env.TWINFOLD_SIM_START ?? 1);
const BLOCK = 25;

for (let first = start; first < start + seeds; first += BLOCK) {
  const last = Math.min(first + BLOCK, start + seeds) - 1;
  test(`engine simulation: seeds ${first}..${last} converge and keep every version`, async () => {
    const failures: string[] = [];
    for (let seed = first; seed <= last; seed++) {
      const result = await runSimulation({ seed, knownBugs: KNOWN_BUGS });
      if (!result.ok) failures.push(`seed ${seed}: ${result.failure}\n  replay: npm run fuzz -- --seed ${seed} --trace\n${result.trace.slice(-25).join('\n')}`);
    }
    assert.equal(failures.length, 0, failures.slice(0, 3).join('\n\n'));
  });
}

test('the oracle notices lost versions: a Dropbox whose uploads ignore the update rev fails some seed', async () => {
  for (let seed = 1; seed <= 100; seed++) {
    const result = await runSimulation({ seed, knownBugs: KNOWN_BUGS, brokenRemote: true });
    if (!result.ok) {
      assert.match(result.failure ?? '', /versions lost/);
      return;
    }
  }
  assert.fail('no seed in 1..100 noticed uploads overwriting concurrent edits');
});
