// Runs the ops of one planner pass in their safe order: consecutive transfers run concurrently
// (the planner never puts two ops on one key or overlapping subtrees in a pass), everything else
// one at a time.
import type { Op } from './model.js';

const CONCURRENT_TYPES = new Set<Op['type']>(['upload', 'download']);

export async function runPass(ops: Op[], concurrency: number, runOne: (op: Op) => Promise<void>): Promise<void> {
  let i = 0;
  while (i < ops.length) {
    const op = ops[i]!;
    if (!CONCURRENT_TYPES.has(op.type)) {
      await runOne(op);
      i += 1;
      continue;
    }
    let end = i;
    while (end < ops.length && CONCURRENT_TYPES.has(ops[end]!.type)) end += 1;
    await runConcurrently(ops.slice(i, end), concurrency, runOne);
    i = end;
  }
}

/** Once one op fails for good, no worker starts another: the run stops as a whole. */
async function runConcurrently(ops: Op[], concurrency: number, runOne: (op: Op) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < ops.length) {
      const op = ops[next]!;
      next += 1;
      try {
        await runOne(op);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ops.length) }, worker));
  if (failure) throw failure.error;
}
