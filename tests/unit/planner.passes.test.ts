// Multi-pass behaviour: what the planner leaves for later passes and how those passes finish the
// job. Each row runs the simulated engine to the end and lists every pass as 'type key' strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Op } from '../../src/main/core/engine/model.js';
import { keyOfOp } from '../../src/main/core/engine/model.js';
import { all, file, folder, ld, lf, rd, rf, unsettledKeys, worldOf, type Trees } from '../helpers/planSimulation.js';

const COPY = "box's conflicted copy 2024-05-01";
const A = file('/a.txt', 'h1', 1);
const D = folder('/d', 10);
const DX = file('/d/x', 'hx', 11);

const brief = (op: Op): string => `${op.type} ${keyOfOp(op)}`;

const rows: [string, Trees, string[][]][] = [
  [
    'conflict: rename now; next pass uploads the copy and downloads the remote version',
    { local: [lf('/a.txt', 'h2', 1)], remote: [rf('/a.txt', 'h3', 'id1')], synced: [A.s] },
    [['renameLocalConflict /a.txt'], [`upload /a (${COPY}).txt`, 'download /a.txt']],
  ],
  [
    'local file replaced by a folder: remote file deleted, then the folder and its content go up',
    { local: [ld('/a.txt', 5), lf('/a.txt/x', 'h6', 6)], remote: [A.r], synced: [A.s] },
    [['deleteRemote /a.txt'], ['createRemoteFolder /a.txt', 'upload /a.txt/x']],
  ],
  [
    'local move into a new folder: folder first, then the move (no re-upload)',
    { local: [ld('/n', 5), lf('/n/a.txt', 'h1', 1)], remote: [A.r], synced: [A.s] },
    [['createRemoteFolder /n'], ['moveRemote /a.txt']],
  ],
  [
    'remote folder move with a local edit inside: the edit travels along, then uploads',
    { ...all(D, DX), local: [D.l, lf('/d/x', 'h2', 11)], remote: [rd('/e', 'id10'), rf('/e/x', 'hx', 'id11')] },
    [['moveLocal /d'], ['upload /e/x']],
  ],
  [
    'remote moved a file out of a folder, then deleted the folder: move first, trash next',
    { ...all(D, DX, file('/d/y', 'hy', 12)), remote: [rf('/x', 'hx', 'id11')] },
    [['moveLocal /d/x'], ['trashLocal /d']],
  ],
  [
    'both sides added different folders and files at one name: everything survives',
    { local: [ld('/p', 1), lf('/p/l', 'hl', 2)], remote: [rf('/p', 'hr', 'id3')] },
    [['renameLocalConflict /p'], [`createRemoteFolder /p (${COPY})`, 'download /p', `upload /p (${COPY})/l`]],
  ],
];

for (const [name, trees, expected] of rows) {
  test(name, () => {
    const world = worldOf(trees);
    const passes = world.sync().passes.map((ops) => ops.map(brief));
    assert.deepEqual({ passes, unsettled: unsettledKeys(world) }, { passes: expected, unsettled: [] });
  });
}
