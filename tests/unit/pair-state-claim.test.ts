// An index claimed through a symlinked folder (before folders were resolved at start) still
// belongs to the real folder; a different folder is still refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { StateIndex } from '../../src/main/core/index/index.js';
import { claimPairState, StateClaimedError } from '../../src/main/core/pairState.js';

test('claimPairState: the real folder of a claimed symlink is the same pair; another folder is not', async (t) => {
  const top = await realpath(await mkdtemp(nodePath.join(tmpdir(), 'twinfold-claim-')));
  t.after(() => rm(top, { recursive: true, force: true }));
  const real = nodePath.join(top, 'real');
  const link = nodePath.join(top, 'link');
  await mkdir(real);
  await symlink(real, link);
  const index = StateIndex.open(':memory:');
  t.after(() => index.close());
  claimPairState(index, { local_root: link });
  claimPairState(index, { local_root: real });
  assert.equal(index.getMeta('local_root'), real, 'the claim now names the real folder');
  assert.throws(() => claimPairState(index, { local_root: top }), StateClaimedError);
});
