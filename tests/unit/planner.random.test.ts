// Randomized planner checks: random edits on both sides of a synced folder, then plan/apply until
// the planner is done. Each run must settle within 20 passes with both sides (and the merge base)
// equal, lose no edit, never overlap ops, and never delete or overwrite anything unsynced: the
// simulated engine refuses such ops. Under `keep` it refuses every deletion, and a file one side
// deleted must not come back to it. Deterministic: a failure names the seed to replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeletionPolicy, Op } from '../../src/main/core/engine/model.js';
import {
  localEditor,
  lostEdits,
  randomEdit,
  randomSyncedWorld,
  remoteEditor,
  resurrected,
  Rng,
  unsettledKeys,
  type World,
} from '../helpers/planSimulation.js';

const SEEDS = 300;
const ROUNDS = 3;

/** Up to three edits per side, in a random interleaving. */
function editBothSides(world: World, rng: Rng): void {
  const edits = [...Array<'local'>(rng.int(0, 3)).fill('local'), ...Array<'remote'>(rng.int(0, 3)).fill('remote')];
  for (const side of edits.sort(() => rng.next() - 0.5)) {
    randomEdit(world, side === 'local' ? localEditor(world) : remoteEditor(world), rng);
  }
}

interface Outcome {
  problems: string[];
  ops: Op[];
}

function runSeed(seed: number, policy: DeletionPolicy): Outcome {
  const rng = new Rng(seed);
  const world = randomSyncedWorld(rng, policy);
  const ops: Op[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    editBothSides(world, rng);
    const before = world.snapshot();
    try {
      ops.push(...world.sync().passes.flat());
    } catch (error) {
      return { problems: [`round ${round}: ${(error as Error).message}`], ops };
    }
    const problems = [
      ...unsettledKeys(world),
      ...(policy === 'propagate' ? lostEdits(before, world) : [...lostEdits(before, world), ...resurrected(before, world)]),
    ];
    if (problems.length > 0) return { problems: problems.map((p) => `round ${round}: ${p}`), ops };
  }
  return { problems: [], ops };
}

function failures(policy: DeletionPolicy): { seed: number; problems: string[] }[] {
  const failed: { seed: number; problems: string[] }[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { problems } = runSeed(seed, policy);
    if (problems.length > 0) failed.push({ seed, problems });
  }
  return failed;
}

test(`policy propagate: ${SEEDS} seeds x ${ROUNDS} rounds settle with no edit lost`, () => {
  assert.deepEqual(failures('propagate').slice(0, 3), []);
});

test(`policy keep: ${SEEDS} seeds x ${ROUNDS} rounds settle, nothing deleted or resurrected`, () => {
  assert.deepEqual(failures('keep').slice(0, 3), []);
});

test('the random runs exercise every kind of op', () => {
  const seen = new Set<string>();
  for (let seed = 1; seed <= 60; seed++) for (const policy of ['propagate', 'keep'] as const) for (const op of runSeed(seed, policy).ops) seen.add(op.type);
  const all: Op['type'][] = ['upload', 'download', 'createLocalFolder', 'createRemoteFolder', 'trashLocal', 'deleteRemote', 'moveRemote', 'moveLocal', 'renameLocalConflict', 'record', 'forget'];
  assert.deepEqual(all.filter((type) => !seen.has(type)), []);
});

/** Moves to never-used names only, on one side: they must be mirrored with moves, never re-transferred. */
function movesOnly(seed: number, side: 'local' | 'remote'): string[] {
  const rng = new Rng(seed);
  const world = randomSyncedWorld(rng, 'propagate');
  const editor = side === 'local' ? localEditor(world) : remoteEditor(world);
  let fresh = 0;
  const count = 1 + rng.int(0, 3);
  for (let i = 0; i < count; i++) randomEdit(world, editor, rng, ['move'], () => `m${++fresh}`);
  const allowed = new Set<Op['type']>(['moveLocal', 'moveRemote', 'record']);
  try {
    const ops = world.sync().passes.flat();
    return [...unsettledKeys(world), ...ops.filter((op) => !allowed.has(op.type)).map((op) => `unexpected ${op.type}`)];
  } catch (error) {
    return [(error as Error).message];
  }
}

test('moves on one side are mirrored as moves (200 seeds per side)', () => {
  const failed: { seed: number; side: string; problems: string[] }[] = [];
  for (let seed = 1; seed <= 200; seed++) {
    for (const side of ['local', 'remote'] as const) {
      const problems = movesOnly(seed, side);
      if (problems.length > 0) failed.push({ seed, side, problems });
    }
  }
  assert.deepEqual(failed.slice(0, 3), []);
});
