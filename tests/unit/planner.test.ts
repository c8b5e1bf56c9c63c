// The planner's rules, one table row per case: three small trees in, the exact op list out.
// Items are built by tiny helpers; `file('/a.txt', 'h1', 1)` is a file all three trees agree on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Op } from '../../src/main/core/engine/model.js';
import { plan } from '../../src/main/core/engine/planner.js';
import { all, file, folder, input, ld, lf, rd, rf, sd, sf, type Trees } from '../helpers/planSimulation.js';

const COPY = "box's conflicted copy 2024-05-01";

const A = file('/a.txt', 'h1', 1);
const D = folder('/d', 10);
const DX = file('/d/x', 'hx', 11);
const DY = file('/d/y', 'hy', 12);

const rows: [string, Trees, Op[]][] = [
  // ---- rule 1: both sides agree ----
  ['in sync: nothing to do', all(A, D, DX), []],
  ['first sync of identical files: linked without transfer', { local: [A.l], remote: [A.r] }, [{ type: 'record', item: A.s }]],
  ['first sync of two folders', { local: [D.l], remote: [D.r] }, [{ type: 'record', item: D.s }]],
  [
    'both sides made the same edit',
    { local: [lf('/a.txt', 'h2', 1)], remote: [rf('/a.txt', 'h2', 'id1')], synced: [A.s] },
    [{ type: 'record', item: sf('/a.txt', 'h2', 'id1', 1) }],
  ],
  [
    'remote rev changed with the same content: only the rev is recorded',
    { local: [A.l], remote: [rf('/a.txt', 'h1', 'id1', 'r9')], synced: [A.s] },
    [{ type: 'record', item: sf('/a.txt', 'h1', 'id1', 1, 'r9') }],
  ],
  [
    'local metadata changed with the same content (atomic save): recorded',
    { local: [{ ...A.l, inode: 7, mtimeMs: 5 }], remote: [A.r], synced: [A.s] },
    [{ type: 'record', item: { ...A.s, inode: 7, mtimeMs: 5 } }],
  ],
  [
    'case-only rename on both sides: the new spelling is recorded',
    { local: [lf('/A.txt', 'h1', 1)], remote: [rf('/A.txt', 'h1', 'id1')], synced: [A.s] },
    [{ type: 'record', item: sf('/A.txt', 'h1', 'id1', 1) }],
  ],
  [
    'local case-only rename: respelled on Dropbox (same key, content untouched)',
    { local: [lf('/A.txt', 'h1', 1)], remote: [A.r], synced: [A.s] },
    [{ type: 'caseRenameRemote', key: '/a.txt', kind: 'file', fromRemotePath: '/a.txt', toRemotePath: '/A.txt' }],
  ],
  [
    'remote case-only rename: respelled on disk',
    { local: [A.l], remote: [rf('/A.txt', 'h1', 'id1')], synced: [A.s] },
    [{ type: 'caseRenameLocal', key: '/a.txt', kind: 'file', fromLocalPath: '/a.txt', toLocalPath: '/A.txt', remotePath: '/A.txt' }],
  ],
  [
    'local case-only rename plus an edit: the rename first, the upload in a later pass',
    { local: [lf('/A.txt', 'h2', 1)], remote: [A.r], synced: [A.s] },
    [{ type: 'caseRenameRemote', key: '/a.txt', kind: 'file', fromRemotePath: '/a.txt', toRemotePath: '/A.txt' }],
  ],
  [
    'an edit after a recorded case-only rename uploads from the disk spelling to the Dropbox spelling',
    { local: [lf('/A.txt', 'h2', 1)], remote: [A.r], synced: [{ ...A.s, localName: 'A.txt' }] },
    [{ type: 'upload', key: '/a.txt', localPath: '/A.txt', remotePath: '/a.txt', contentHash: 'h2', parentRev: 'r-h1' }],
  ],
  [
    'remote folder respelled: renamed on disk, nothing below it this pass',
    { ...all(folder('/d', 10), file('/d/x', 'hx', 11)), remote: [rd('/D', 'id10'), rf('/D/x', 'hx', 'id11')] },
    [{ type: 'caseRenameLocal', key: '/d', kind: 'folder', fromLocalPath: '/d', toLocalPath: '/D', remotePath: '/D' }],
  ],
  [
    'a spelling difference both sides started with is recorded, not renamed',
    { local: [ld('/docs', 1)], remote: [rd('/Docs', 'id1')] },
    [{ type: 'record', item: { ...sd('/Docs', 'id1', 1), localName: 'docs' } }],
  ],
  ['a recorded spelling difference stays as it is', { local: [ld('/docs', 1)], remote: [rd('/Docs', 'id1')], synced: [{ ...sd('/Docs', 'id1', 1), localName: 'docs' }] }, []],
  [
    'a name in another Unicode form (NFD on disk, NFC on Dropbox) is no rename; an edit uploads',
    { local: [lf('/cafe\u0301.txt', 'h2', 1)], remote: [rf('/caf\u00e9.txt', 'h1', 'id1')], synced: [{ ...sf('/caf\u00e9.txt', 'h1', 'id1', 1), localName: 'cafe\u0301.txt' }] },
    [{ type: 'upload', key: '/caf\u00e9.txt', localPath: '/cafe\u0301.txt', remotePath: '/caf\u00e9.txt', contentHash: 'h2', parentRev: 'r-h1' }],
  ],
  [
    'NFD on disk against an NFC merge base: no rename either way',
    { local: [lf('/cafe\u0301.txt', 'h1', 1)], remote: [rf('/caf\u00e9.txt', 'h1', 'id1')], synced: [sf('/caf\u00e9.txt', 'h1', 'id1', 1)] },
    [{ type: 'record', item: { ...sf('/caf\u00e9.txt', 'h1', 'id1', 1), localName: 'cafe\u0301.txt' } }],
  ],
  [
    'a new remote file lands in the local folder spelled as on disk',
    { local: [ld('/docs', 1)], remote: [rd('/Docs', 'id1'), rf('/Docs/y.txt', 'h5', 'id5')], synced: [{ ...sd('/Docs', 'id1', 1), localName: 'docs' }] },
    [{ type: 'download', key: '/docs/y.txt', localPath: '/docs/y.txt', remotePath: '/Docs/y.txt', remote: rf('/Docs/y.txt', 'h5', 'id5') }],
  ],
  [
    'two local names for one key: the second is renamed beside it, both kept',
    { ...all(A), caseConflicts: [{ path: '/A.txt', kind: 'file' }] },
    [{ type: 'renameLocalCaseConflict', key: '/a.txt', kind: 'file', localPath: '/A.txt', toKey: '/a (case conflict).txt', toLocalPath: '/A (case conflict).txt' }],
  ],
  [
    'a folder holding a case conflict is kept when Dropbox deleted it (only its synced parts go)',
    { ...all(D, DX), remote: [], caseConflicts: [{ path: '/d/X', kind: 'file' }] },
    [
      { type: 'renameLocalCaseConflict', key: '/d/x', kind: 'file', localPath: '/d/X', toKey: '/d/x (case conflict)', toLocalPath: '/d/X (case conflict)' },
      { type: 'createRemoteFolder', key: '/d', remotePath: '/d' },
      { type: 'trashLocal', key: '/d/x', localPath: '/d/x', kind: 'file' },
    ],
  ],
  [
    'a kept deletion that came back identical: the mark is cleared',
    { local: [A.l], remote: [A.r], synced: [{ ...A.s, keptDeletion: 'local' }] },
    [{ type: 'record', item: A.s }],
  ],

  // ---- rule 2: only local changed ----
  [
    'local edit: upload in update mode on the synced rev',
    { local: [lf('/a.txt', 'h2', 1)], remote: [A.r], synced: [A.s] },
    [{ type: 'upload', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', contentHash: 'h2', parentRev: 'r-h1' }],
  ],
  [
    'local edit after a remote rev-only change: update mode on the current rev',
    { local: [lf('/a.txt', 'h2', 1)], remote: [rf('/a.txt', 'h1', 'id1', 'r9')], synced: [A.s] },
    [{ type: 'upload', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', contentHash: 'h2', parentRev: 'r9' }],
  ],
  ['local new file: upload in add mode', { local: [lf('/n.txt', 'h5', 5)] }, [{ type: 'upload', key: '/n.txt', localPath: '/n.txt', remotePath: '/n.txt', contentHash: 'h5' }]],
  ['local new folder', { local: [ld('/n', 5)] }, [{ type: 'createRemoteFolder', key: '/n', remotePath: '/n' }]],
  [
    'local new folder with content: folders first (parents first), then uploads',
    { local: [ld('/n', 5), ld('/n/o', 6), lf('/n/o/f', 'h7', 7), lf('/n/g', 'h8', 8)] },
    [
      { type: 'createRemoteFolder', key: '/n', remotePath: '/n' },
      { type: 'createRemoteFolder', key: '/n/o', remotePath: '/n/o' },
      { type: 'upload', key: '/n/g', localPath: '/n/g', remotePath: '/n/g', contentHash: 'h8' },
      { type: 'upload', key: '/n/o/f', localPath: '/n/o/f', remotePath: '/n/o/f', contentHash: 'h7' },
    ],
  ],
  [
    'a new remote path follows the remote parent spelling',
    { local: [ld('/docs', 1), lf('/docs/n.txt', 'h5', 5)], remote: [rd('/Docs', 'id1')], synced: [{ ...sd('/Docs', 'id1', 1), localName: 'docs' }] },
    [{ type: 'upload', key: '/docs/n.txt', localPath: '/docs/n.txt', remotePath: '/Docs/n.txt', contentHash: 'h5' }],
  ],
  ['a new local file not hashed yet waits', { local: [{ ...lf('/n.txt', 'h5', 5), contentHash: undefined }] }, []],
  [
    'a local file not hashed yet is no conflict with a remote edit: it waits',
    { local: [{ ...A.l, contentHash: undefined }], remote: [rf('/a.txt', 'h2', 'id1')], synced: [A.s] },
    [],
  ],
  ['local delete: deleteRemote guarded by the rev', { remote: [A.r], synced: [A.s] }, [{ type: 'deleteRemote', key: '/a.txt', remotePath: '/a.txt', kind: 'file', rev: 'r-h1' }]],
  [
    'local delete under keep: recorded as a kept deletion',
    { remote: [A.r], synced: [A.s], policy: 'keep' },
    [{ type: 'record', item: { ...A.s, keptDeletion: 'local' } }],
  ],
  ['a kept local deletion is not downloaded again', { remote: [A.r], synced: [{ ...A.s, keptDeletion: 'local' }], policy: 'keep' }, []],
  [
    'a kept local deletion edited remotely: downloaded again',
    { remote: [rf('/a.txt', 'h2', 'id1')], synced: [{ ...A.s, keptDeletion: 'local' }], policy: 'keep' },
    [{ type: 'download', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', remote: rf('/a.txt', 'h2', 'id1') }],
  ],

  // ---- rule 3: only remote changed ----
  [
    'remote edit: download',
    { local: [A.l], remote: [rf('/a.txt', 'h2', 'id1')], synced: [A.s] },
    [{ type: 'download', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', remote: rf('/a.txt', 'h2', 'id1') }],
  ],
  [
    'remote new folder with a file: createLocalFolder, then download',
    { remote: [rd('/n', 'id5'), rf('/n/f', 'h6', 'id6')] },
    [
      { type: 'createLocalFolder', key: '/n', localPath: '/n', remote: rd('/n', 'id5') },
      { type: 'download', key: '/n/f', localPath: '/n/f', remotePath: '/n/f', remote: rf('/n/f', 'h6', 'id6') },
    ],
  ],
  [
    'a new local path follows the local parent spelling (case matters on disk)',
    { local: [ld('/Docs', 1)], remote: [rd('/docs', 'id1'), rf('/docs/n.txt', 'h5', 'id5')], synced: [{ ...sd('/docs', 'id1', 1), localName: 'Docs' }] },
    [{ type: 'download', key: '/docs/n.txt', localPath: '/Docs/n.txt', remotePath: '/docs/n.txt', remote: rf('/docs/n.txt', 'h5', 'id5') }],
  ],
  ['remote delete: trashLocal', { local: [A.l], synced: [A.s] }, [{ type: 'trashLocal', key: '/a.txt', localPath: '/a.txt', kind: 'file' }]],
  [
    'remote delete under keep: recorded as a kept deletion',
    { local: [A.l], synced: [A.s], policy: 'keep' },
    [{ type: 'record', item: { ...A.s, keptDeletion: 'remote' } }],
  ],
  ['a kept remote deletion is not uploaded again', { local: [A.l], synced: [{ ...A.s, keptDeletion: 'remote' }], policy: 'keep' }, []],
  [
    'a kept remote deletion edited locally: uploaded as new',
    { local: [lf('/a.txt', 'h2', 1)], synced: [{ ...A.s, keptDeletion: 'remote' }], policy: 'keep' },
    [{ type: 'upload', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', contentHash: 'h2' }],
  ],

  // ---- rule 4: both changed ----
  [
    'both edited: the local file steps aside as a conflicted copy',
    { local: [lf('/a.txt', 'h2', 1)], remote: [rf('/a.txt', 'h3', 'id1')], synced: [A.s] },
    [{ type: 'renameLocalConflict', key: '/a.txt', localPath: '/a.txt', conflictLocalPath: `/a (${COPY}).txt` }],
  ],
  [
    'both added different files',
    { local: [lf('/a.txt', 'h2', 1)], remote: [rf('/a.txt', 'h3', 'id1')] },
    [{ type: 'renameLocalConflict', key: '/a.txt', localPath: '/a.txt', conflictLocalPath: `/a (${COPY}).txt` }],
  ],
  [
    'conflicted name taken locally: numbered',
    { ...all(file(`/a (${COPY}).txt`, 'h9', 9)), local: [lf('/a.txt', 'h2', 1), lf(`/a (${COPY}).txt`, 'h9', 9)], remote: [rf('/a.txt', 'h3', 'id1'), rf(`/a (${COPY}).txt`, 'h9', 'id9')] },
    [{ type: 'renameLocalConflict', key: '/a.txt', localPath: '/a.txt', conflictLocalPath: `/a (${COPY} 1).txt` }],
  ],
  [
    'conflicted name taken only remotely: numbered, and the remote one downloads',
    { local: [lf('/a.txt', 'h2', 1)], remote: [rf('/a.txt', 'h3', 'id1'), rf(`/a (${COPY}).txt`, 'h9', 'id9')] },
    [
      { type: 'renameLocalConflict', key: '/a.txt', localPath: '/a.txt', conflictLocalPath: `/a (${COPY} 1).txt` },
      { type: 'download', key: `/a (${COPY}).txt`, localPath: `/a (${COPY}).txt`, remotePath: `/a (${COPY}).txt`, remote: rf(`/a (${COPY}).txt`, 'h9', 'id9') },
    ],
  ],
  [
    'a dotfile keeps its whole name before the marker',
    { local: [lf('/.bashrc', 'h2', 1)], remote: [rf('/.bashrc', 'h3', 'id1')] },
    [{ type: 'renameLocalConflict', key: '/.bashrc', localPath: '/.bashrc', conflictLocalPath: `/.bashrc (${COPY})` }],
  ],
  [
    'kind mismatch, both added: the local folder steps aside with its content',
    { local: [ld('/d', 1), lf('/d/x', 'h2', 2)], remote: [rf('/d', 'h3', 'id3')] },
    [{ type: 'renameLocalConflict', key: '/d', localPath: '/d', conflictLocalPath: `/d (${COPY})` }],
  ],
  [
    'local delete vs remote edit: the edit wins',
    { remote: [rf('/a.txt', 'h2', 'id1')], synced: [A.s] },
    [{ type: 'download', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', remote: rf('/a.txt', 'h2', 'id1') }],
  ],
  ['remote delete vs local edit: uploaded as new', { local: [lf('/a.txt', 'h2', 1)], synced: [A.s] }, [{ type: 'upload', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', contentHash: 'h2' }]],

  // ---- kind changed on one side ----
  [
    'local replaced a file by a folder: the remote file goes first, the folder follows next pass',
    { local: [ld('/a.txt', 5), lf('/a.txt/x', 'h6', 6)], remote: [A.r], synced: [A.s] },
    [{ type: 'deleteRemote', key: '/a.txt', remotePath: '/a.txt', kind: 'file', rev: 'r-h1' }],
  ],
  [
    'the same under keep: nothing is deleted, the local folder steps aside',
    { local: [ld('/a.txt', 5)], remote: [A.r], synced: [A.s], policy: 'keep' },
    [{ type: 'renameLocalConflict', key: '/a.txt', localPath: '/a.txt', conflictLocalPath: `/a.txt (${COPY})` }],
  ],
  [
    'remote replaced an unchanged folder by a file: the local folder goes to the trash',
    { ...all(D, DX), remote: [rf('/d', 'h3', 'id3')] },
    [{ type: 'trashLocal', key: '/d', localPath: '/d', kind: 'folder' }],
  ],
  [
    'remote replaced a folder holding a local edit by a file: the local folder steps aside',
    { ...all(D, DX), local: [D.l, lf('/d/x', 'h2', 11)], remote: [rf('/d', 'h3', 'id3')] },
    [{ type: 'renameLocalConflict', key: '/d', localPath: '/d', conflictLocalPath: `/d (${COPY})` }],
  ],

  // ---- rule 5: folders and subtrees ----
  ['local deleted an unchanged folder: one deleteRemote', { ...all(D, DX, DY), local: [] }, [{ type: 'deleteRemote', key: '/d', remotePath: '/d', kind: 'folder' }]],
  ['remote deleted an unchanged folder: one trashLocal', { ...all(D, DX, DY), remote: [] }, [{ type: 'trashLocal', key: '/d', localPath: '/d', kind: 'folder' }]],
  [
    'local deleted a folder with a remote edit inside: folder recreated, edit kept, the rest deleted',
    { ...all(D, DX, DY), local: [], remote: [D.r, rf('/d/x', 'h9', 'id11'), DY.r] },
    [
      { type: 'createLocalFolder', key: '/d', localPath: '/d', remote: D.r },
      { type: 'download', key: '/d/x', localPath: '/d/x', remotePath: '/d/x', remote: rf('/d/x', 'h9', 'id11') },
      { type: 'deleteRemote', key: '/d/y', remotePath: '/d/y', kind: 'file', rev: 'r-hy' },
    ],
  ],
  [
    'remote deleted a folder with a local addition deep inside: recreated, safe parts trashed deepest first',
    {
      ...all(D, DX, folder('/d/s', 13), file('/d/s/w', 'hw', 14), file('/d/s/z', 'hz', 15)),
      remote: [],
      local: [D.l, DX.l, ld('/d/s', 13), lf('/d/s/w', 'hw', 14), lf('/d/s/z', 'hz', 15), lf('/d/s/new', 'hn', 16)],
    },
    [
      { type: 'createRemoteFolder', key: '/d', remotePath: '/d' },
      { type: 'createRemoteFolder', key: '/d/s', remotePath: '/d/s' },
      { type: 'upload', key: '/d/s/new', localPath: '/d/s/new', remotePath: '/d/s/new', contentHash: 'hn' },
      { type: 'trashLocal', key: '/d/s/w', localPath: '/d/s/w', kind: 'file' },
      { type: 'trashLocal', key: '/d/s/z', localPath: '/d/s/z', kind: 'file' },
      { type: 'trashLocal', key: '/d/x', localPath: '/d/x', kind: 'file' },
    ],
  ],
  [
    'remote deleted a folder holding an unchanged subfolder and an edit: the subfolder goes whole',
    { ...all(D, DX, folder('/d/s', 13), file('/d/s/w', 'hw', 14)), remote: [], local: [D.l, lf('/d/x', 'h2', 11), ld('/d/s', 13), lf('/d/s/w', 'hw', 14)] },
    [
      { type: 'createRemoteFolder', key: '/d', remotePath: '/d' },
      { type: 'upload', key: '/d/x', localPath: '/d/x', remotePath: '/d/x', contentHash: 'h2' },
      { type: 'trashLocal', key: '/d/s', localPath: '/d/s', kind: 'folder' },
    ],
  ],
  [
    'local deleted a folder under keep: every item recorded as kept',
    { ...all(D, DX), local: [], policy: 'keep' },
    [
      { type: 'record', item: { ...D.s, keptDeletion: 'local' } },
      { type: 'record', item: { ...DX.s, keptDeletion: 'local' } },
    ],
  ],
  [
    'a kept folder gets a new remote file: the folder comes back for it, the kept file stays away',
    {
      remote: [D.r, DX.r, rf('/d/new', 'hn', 'id20')],
      synced: [{ ...D.s, keptDeletion: 'local' }, { ...DX.s, keptDeletion: 'local' }],
      policy: 'keep',
    },
    [
      { type: 'createLocalFolder', key: '/d', localPath: '/d', remote: D.r },
      { type: 'download', key: '/d/new', localPath: '/d/new', remotePath: '/d/new', remote: rf('/d/new', 'hn', 'id20') },
    ],
  ],

  // ---- rule 9: gone on both sides ----
  ['deleted on both sides: forget', { synced: [A.s] }, [{ type: 'forget', key: '/a.txt', subtree: false }]],
  ['a folder deleted on both sides: forget the subtree at once', { synced: [D.s, DX.s, DY.s] }, [{ type: 'forget', key: '/d', subtree: true }]],

  // ---- rule 6: moves ----
  [
    'remote rename of a file: moveLocal',
    { local: [A.l], remote: [rf('/b.txt', 'h1', 'id1')], synced: [A.s] },
    [{ type: 'moveLocal', fromKey: '/a.txt', fromLocalPath: '/a.txt', toKey: '/b.txt', toLocalPath: '/b.txt', remote: rf('/b.txt', 'h1', 'id1') }],
  ],
  [
    'remote move of a folder: one moveLocal for the whole subtree',
    { ...all(D, DX, DY), remote: [rd('/e', 'id10'), rf('/e/x', 'hx', 'id11'), rf('/e/y', 'hy', 'id12')] },
    [{ type: 'moveLocal', fromKey: '/d', fromLocalPath: '/d', toKey: '/e', toLocalPath: '/e', remote: rd('/e', 'id10') }],
  ],
  [
    'local rename of a file: moveRemote',
    { local: [lf('/b.txt', 'h1', 1)], remote: [A.r], synced: [A.s] },
    [{ type: 'moveRemote', fromKey: '/a.txt', fromRemotePath: '/a.txt', toKey: '/b.txt', toRemotePath: '/b.txt', kind: 'file' }],
  ],
  [
    'local move of a folder: one moveRemote, the children follow silently',
    { ...all(D, DX, DY), local: [ld('/e', 10), lf('/e/x', 'hx', 11), lf('/e/y', 'hy', 12)] },
    [{ type: 'moveRemote', fromKey: '/d', fromRemotePath: '/d', toKey: '/e', toRemotePath: '/e', kind: 'folder' }],
  ],
  [
    'local move into a new folder: the folder is created first, the move waits a pass',
    { local: [ld('/n', 5), lf('/n/a.txt', 'h1', 1)], remote: [A.r], synced: [A.s] },
    [{ type: 'createRemoteFolder', key: '/n', remotePath: '/n' }],
  ],
  [
    'local move plus edit: not a move, the new file uploads and the old one goes',
    { local: [lf('/b.txt', 'h2', 1)], remote: [A.r], synced: [A.s] },
    [
      { type: 'upload', key: '/b.txt', localPath: '/b.txt', remotePath: '/b.txt', contentHash: 'h2' },
      { type: 'deleteRemote', key: '/a.txt', remotePath: '/a.txt', kind: 'file', rev: 'r-h1' },
    ],
  ],
  [
    'remote move while the local file was edited: both versions stay',
    { local: [lf('/a.txt', 'h2', 1)], remote: [rf('/b.txt', 'h1', 'id1')], synced: [A.s] },
    [
      { type: 'upload', key: '/a.txt', localPath: '/a.txt', remotePath: '/a.txt', contentHash: 'h2' },
      { type: 'download', key: '/b.txt', localPath: '/b.txt', remotePath: '/b.txt', remote: rf('/b.txt', 'h1', 'id1') },
    ],
  ],
  [
    'remote move plus edit: downloaded, the unchanged local original trashed',
    { local: [A.l], remote: [rf('/b.txt', 'h2', 'id1')], synced: [A.s] },
    [
      { type: 'download', key: '/b.txt', localPath: '/b.txt', remotePath: '/b.txt', remote: rf('/b.txt', 'h2', 'id1') },
      { type: 'trashLocal', key: '/a.txt', localPath: '/a.txt', kind: 'file' },
    ],
  ],
  [
    'a folder deletion waits while a move takes an item out of it',
    { ...all(D, DX, DY), remote: [rf('/x', 'hx', 'id11')] },
    [{ type: 'moveLocal', fromKey: '/d/x', fromLocalPath: '/d/x', toKey: '/x', toLocalPath: '/x', remote: rf('/x', 'hx', 'id11') }],
  ],
  [
    'swapped folders (each side moved one into the other) cannot be mirrored: copies instead',
    {
      ...all(folder('/g', 1), folder('/a', 2)),
      local: [ld('/a', 2), ld('/a/g', 1)],
      remote: [rd('/g', 'id1'), rd('/g/a', 'id2')],
    },
    [
      { type: 'createRemoteFolder', key: '/a', remotePath: '/a' },
      { type: 'createRemoteFolder', key: '/a/g', remotePath: '/a/g' },
      { type: 'createLocalFolder', key: '/g', localPath: '/g', remote: rd('/g', 'id1') },
      { type: 'createLocalFolder', key: '/g/a', localPath: '/g/a', remote: rd('/g/a', 'id2') },
    ],
  ],

  // ---- rule 7: the order of one pass ----
  [
    'one pass in order: moves and conflicts, folder creations, transfers, deletions deepest first, bookkeeping',
    {
      ...all(file('/c.txt', 'hc', 1), file('/m', 'hm', 2), file('/z', 'hz', 3), folder('/y', 4), folder('/y/deep', 5), file('/y/deep/f', 'hf', 6), file('/y/f2', 'h2', 7), file('/q', 'hq', 8)),
      local: [lf('/c.txt', 'hc2', 1), lf('/m', 'hm', 2), ld('/y', 4), ld('/y/deep', 5), lf('/y/deep/f', 'hf', 6), lf('/y/f2', 'h2', 7), lf('/q', 'hq', 8), lf('/u', 'hu', 9)],
      remote: [rf('/c.txt', 'hc3', 'id1'), rf('/m2', 'hm', 'id2'), rd('/n', 'id20'), rd('/n/o', 'id21'), rf('/n/o/f', 'hn', 'id22'), rf('/z', 'hz', 'id3'), rd('/y', 'id4'), rd('/y/deep', 'id5'), rf('/q', 'hq', 'id8', 'r-new')],
    },
    [
      { type: 'renameLocalConflict', key: '/c.txt', localPath: '/c.txt', conflictLocalPath: `/c (${COPY}).txt` },
      { type: 'moveLocal', fromKey: '/m', fromLocalPath: '/m', toKey: '/m2', toLocalPath: '/m2', remote: rf('/m2', 'hm', 'id2') },
      { type: 'createLocalFolder', key: '/n', localPath: '/n', remote: rd('/n', 'id20') },
      { type: 'createLocalFolder', key: '/n/o', localPath: '/n/o', remote: rd('/n/o', 'id21') },
      { type: 'download', key: '/n/o/f', localPath: '/n/o/f', remotePath: '/n/o/f', remote: rf('/n/o/f', 'hn', 'id22') },
      { type: 'upload', key: '/u', localPath: '/u', remotePath: '/u', contentHash: 'hu' },
      { type: 'trashLocal', key: '/y/deep/f', localPath: '/y/deep/f', kind: 'file' },
      { type: 'trashLocal', key: '/y/f2', localPath: '/y/f2', kind: 'file' },
      { type: 'deleteRemote', key: '/z', remotePath: '/z', kind: 'file', rev: 'r-hz' },
      { type: 'record', item: sf('/q', 'hq', 'id8', 8, 'r-new') },
    ],
  ],
];

for (const [name, trees, expected] of rows) {
  test(name, () => assert.deepEqual(plan(input(trees)), expected));
}
