// The simulation's fuzz runner: `npm run fuzz -- --seeds N [--start S]` runs many seeds and
// prints progress and each failure with a short trace; `npm run fuzz -- --seed S --trace` replays
// one seed and prints its whole trace. `--steps N` and `--devices N` change the run's size.
import { parseArgs } from 'node:util';
import type { SimResult } from './simulation.js';

// See engine-sim.test.ts: the engine's trash must land where the oracle can read it.
process.env.XDG_DATA_HOME = '/dev/null/twinfold-sim-no-os-trash';
const { runSimulation } = await import('./simulation.js');

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    start: { type: 'string', default: '1' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    devices: { type: 'string' },
    trace: { type: 'boolean', default: false },
  },
});

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, not ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const steps = positive('steps', values.steps);
const devices = positive('devices', values.devices);
const first = positive('seed', values.seed) ?? positive('start', values.start)!;
const count = values.seed !== undefined ? 1 : positive('seeds', values.seeds)!;

function report(result: SimResult): void {
  console.log(`\nFAIL seed ${result.seed}: ${result.failure}`);
  if (!values.trace) console.log(result.trace.slice(-30).map((l) => `  ${l}`).join('\n'));
  const extra = [steps ? `--steps ${steps}` : '', devices ? `--devices ${devices}` : ''];
  console.log(`  replay: npm run fuzz -- --seed ${result.seed} --trace ${extra.filter((e) => e !== '').join(' ')}`.trimEnd());
}

const failed: number[] = [];
const started = Date.now();
for (let seed = first; seed < first + count; seed++) {
  const result = await runSimulation({
    seed,
    ...(steps !== undefined ? { steps } : {}),
    ...(devices !== undefined ? { devices } : {}),
    ...(values.trace ? { onTrace: (line: string) => console.log(line) } : {}),
  });
  if (!result.ok) {
    failed.push(seed);
    report(result);
  }
  const done = seed - first + 1;
  if (count > 1 && (done % 50 === 0 || done === count)) {
    console.log(`${done}/${count} seeds, ${failed.length} failed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
if (failed.length > 0) console.log(`failed seeds: ${failed.join(' ')}`);
process.exit(failed.length > 0 ? 1 : 0);
