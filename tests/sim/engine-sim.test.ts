// Runs the deterministic engine simulation (./simulation.ts) for many seeds: TWINFOLD_SIM_SEEDS
// (default 120) from TWINFOLD_SIM_START (default 1), in blocks so each test stays short. A failure
// names its seed; replay it with `npm run fuzz -- --seed S --trace`.
import { test } from 'node:test';
import assert from 'node:assert/strict';

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
      const result = await runSimulation({ seed });
      if (!result.ok) failures.push(`seed ${seed}: ${result.failure}\n  replay: npm run fuzz -- --seed ${seed} --trace\n${result.trace.slice(-25).join('\n')}`);
    }
    assert.equal(failures.length, 0, failures.slice(0, 3).join('\n\n'));
  });
}

test('the oracle notices lost versions: a Dropbox whose uploads ignore the update rev fails some seed', async () => {
  for (let seed = 1; seed <= 100; seed++) {
    const result = await runSimulation({ seed, brokenRemote: true });
    if (!result.ok) {
      assert.match(result.failure ?? '', /versions lost/);
      return;
    }
  }
  assert.fail('no seed in 1..100 noticed uploads overwriting concurrent edits');
});
