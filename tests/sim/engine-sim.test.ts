// Runs the deterministic engine simulation (./simulation.ts) for many seeds: TWINFOLD_SIM_SEEDS
// (default 200) starting at TWINFOLD_SIM_START (default 1). A failure names its seed; replay it
// with `npm run fuzz -- --seed S --trace`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_BUGS } from './knownBugs.js';

// The OS trash must be unusable so the engine's trash goes to <root>/.twinfold/trash, where the
// oracle looks; xdg-basedir reads this when loaded, hence the dynamic import below.
process.env.XDG_DATA_HOME = '/dev/null/twinfold-sim-no-os-trash';
const { runSimulation } = await import('./simulation.js');

const seeds = Number(process.env.TWINFOLD_SIM_SEEDS ?? 200);
const start = Number(process.env.TWINFOLD_SIM_START ?? 1);

test(`engine simulation: ${seeds} seeds from ${start}`, async () => {
  const failures: string[] = [];
  for (let seed = start; seed < start + seeds; seed++) {
    const result = await runSimulation({ seed, knownBugs: KNOWN_BUGS });
    if (!result.ok) failures.push(`seed ${seed}: ${result.failure}\n  replay: npm run fuzz -- --seed ${seed} --trace\n${result.trace.slice(-25).join('\n')}`);
  }
  assert.equal(failures.length, 0, failures.slice(0, 3).join('\n\n'));
});
