// Two local names that Dropbox sees as one (`a.txt` and `A.txt` in one folder, on a case-sensitive
// disk): the planner plans a renameLocalCaseConflict from the local tree's problems and the
// executor runs it after checking the disk is as planned. Real temp folder; no provider call.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { Executor, LocalChangedError } from '../../src/main/core/engine/executor.js';
import { LocalTree } from '../../src/main/core/engine/localTree.js';
import type { Op } from '../../src/main/core/engine/model.js';
import { plan } from '../../src/main/core/engine/planner.js';
import { StateIndex } from '../../src/main/core/index/index.js';
import { IgnoreRules, STATE_DIR_NAME } from '../../src/main/core/local/ignore.js';
import type { RemoteProvider } from '../../src/main/core/remote/provider.js';

let root: string;
let index: StateIndex;

beforeEach(async () => {
  root = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-caseconflict-'));
  index = StateIndex.open(nodePath.join(root, STATE_DIR_NAME, 'index.sqlite'));
});

afterEach(async () => {
  index.close();
  await rm(root, { recursive: true, force: true });
});

/** Scans the folder and plans from it: the local tree, its case conflicts, nothing remote yet. */
async function scanAndPlan(): Promise<{ local: LocalTree; executor: Executor; ops: Op[] }> {
  const ignore = await IgnoreRules.load(root);
  const local = new LocalTree(root, () => ({ ignore, hashCache: index.asHashCache() }));
  await local.scanAll();
  const ops = plan({
    local: local.tree(),
    remote: new Map(),
    synced: new Map(),
    deletionPolicy: 'propagate',
    host: 'box',
    today: '2024-05-01',
    caseConflicts: await local.caseConflicts(),
  });
  const noProvider = new Proxy({}, { get: () => () => assert.fail('a case conflict rename must not call Dropbox') }) as RemoteProvider;
  const executor = new Executor({
    localRoot: root,
    stateDir: nodePath.join(root, STATE_DIR_NAME),
    provider: noProvider,
    index,
    local,
    onProgress: () => {},
    signal: new AbortController().signal,
    now: () => 0,
  });
  return { local, executor, ops };
}

function caseConflictOps(ops: Op[]): Extract<Op, { type: 'renameLocalCaseConflict' }>[] {
  return ops.filter((op): op is Extract<Op, { type: 'renameLocalCaseConflict' }> => op.type === 'renameLocalCaseConflict');
}

test('two local names for one key: the second is renamed by the executor and both are kept', async () => {
  await writeFile(nodePath.join(root, 'A.txt'), 'upper');
  await writeFile(nodePath.join(root, 'a.txt'), 'lower');
  const { local, executor, ops } = await scanAndPlan();
  const [rename, ...more] = caseConflictOps(ops);
  assert.ok(rename && more.length === 0, JSON.stringify(ops));
  assert.deepEqual({ localPath: rename.localPath, toLocalPath: rename.toLocalPath }, { localPath: '/a.txt', toLocalPath: '/a (case conflict).txt' });

  await executor.run(rename);
  const names = (await readdir(root)).filter((n) => n !== STATE_DIR_NAME).sort();
  assert.deepEqual(names, ['A.txt', 'a (case conflict).txt']);
  assert.equal(await readFile(nodePath.join(root, 'A.txt'), 'utf8'), 'upper');
  assert.equal(await readFile(nodePath.join(root, 'a (case conflict).txt'), 'utf8'), 'lower');
  // The tree now holds both, and the problem is gone: nothing left to rename.
  assert.deepEqual([...local.tree().keys()].sort(), ['/a (case conflict).txt', '/a.txt']);
  assert.deepEqual(await local.caseConflicts(), []);
  assert.equal(index.recentActivity(5)[0]?.action, 'conflict');
});

test('a case conflict that changed after planning is left alone and re-planned', async () => {
  await mkdir(nodePath.join(root, 'd'));
  await writeFile(nodePath.join(root, 'd/X'), 'kept');
  await writeFile(nodePath.join(root, 'd/x'), 'second');
  const { executor, ops } = await scanAndPlan();
  const [rename] = caseConflictOps(ops);
  assert.ok(rename, JSON.stringify(ops));

  // Now a folder where the plan saw a file: the executor checks before it acts.
  await rm(nodePath.join(root, 'd/x'));
  await mkdir(nodePath.join(root, 'd/x'));
  await assert.rejects(executor.run(rename), LocalChangedError);
  assert.deepEqual((await readdir(nodePath.join(root, 'd'))).sort(), ['X', 'x']);
});
