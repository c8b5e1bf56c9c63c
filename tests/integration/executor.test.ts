// The executor on its own, one op at a time: a real temp folder, a real StateIndex and LocalTree,
// and the Dropbox emulator through the real provider. For every op type: the happy path (disk and
// Dropbox end as planned, the merge base and the activity recorded) and the check before it acts:
// a side that changed after the plan was made is left exactly as it is and the op is refused
// (LocalChangedError / RemoteChangedError, so the next pass re-plans), and nothing is written
// through a symlink that leaves the root. Changes are injected between planning and running, or
// inside the transfer through the provider wrapper: never by timing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { LocalChangedError, RemoteChangedError } from '../../src/main/core/engine/executor.js';
import type { Op, RemoteItem, SyncedItem } from '../../src/main/core/engine/model.js';
import { SyncError } from '../../src/main/core/errors.js';
import { snapshot } from '../helpers/syncHarness.js';
import { ExecutorWorld, hashOf, type ExecutorRig } from '../helpers/executorRig.js';

let world: ExecutorWorld;
before(async () => {
  world = await ExecutorWorld.start();
});
after(() => world.close());

type OpOf<T extends Op['type']> = Extract<Op, { type: T }>;

function isOutsideRefusal(err: unknown): boolean {
  return err instanceof SyncError && err.title === 'Not inside the synced folder';
}

/** The trash location an activity detail names ("moved to …: <location>"). */
function trashedAt(detail: string | undefined): string {
  const location = /: (\/.+)$/.exec(detail ?? '')?.[1];
  assert.ok(location, `the activity says where it went: ${detail}`);
  return location;
}

/** Makes `/link` in the root a symlink to the rig's outside folder. */
async function linkOutside(rig: ExecutorRig): Promise<void> {
  await symlink(rig.outside, rig.abs('/link'));
}

/** A refusal scenario: `act` runs the op that must be refused, `check` asserts that nothing was lost. */
interface Refusal {
  act(): Promise<void>;
  check(): Promise<void>;
}

/**
 * For a refusal whose error class is still wrong (a known executor bug): one test that the op is
 * refused and nothing is lost, which must pass, and one for the class, marked todo. So the todo
 * never hides a lost version.
 */
function refusalWithKnownWrongClass(name: string, errorClass: new (...args: never[]) => Error, todo: string, scenario: () => Promise<Refusal>): void {
  test(name, async () => {
    const { act, check } = await scenario();
    await assert.rejects(act());
    await check();
  });
  test(`${name}: refused as ${errorClass.name}, so the op is re-planned without an error shown`, { todo }, async () => {
    const { act } = await scenario();
    await assert.rejects(act(), errorClass);
  });
}

/** A refusal of the right class: the op is re-planned without an error shown, and nothing is lost. */
function refusalAs(name: string, errorClass: new (...args: never[]) => Error, scenario: () => Promise<Refusal>): void {
  test(name, async () => {
    const { act, check } = await scenario();
    await assert.rejects(act(), errorClass);
    await check();
  });
}

async function remoteOrFail(rig: ExecutorRig, key: string): Promise<RemoteItem> {
  const item = await rig.remote(key);
  assert.ok(item, `Dropbox holds ${key}`);
  return item;
}

describe('upload', () => {
  function uploadOp(rig: ExecutorRig, path: string, parentRev?: string): OpOf<'upload'> {
    const item = rig.item(path.toLowerCase());
    return { type: 'upload', key: item.key, localPath: item.path, remotePath: path, contentHash: item.contentHash!, parentRev };
  }

  test('a new file is added to Dropbox; the base holds its rev and the local observation', async () => {
    const rig = await world.rig();
    await rig.write('/a.txt', 'one');
    await rig.scan();
    await rig.executor.run(uploadOp(rig, '/a.txt'));
    const remote = await remoteOrFail(rig, '/a.txt');
    assert.equal(remote.contentHash, hashOf('one'));
    const base = rig.index.getSynced('/a.txt');
    assert.deepEqual({ rev: base?.rev, hash: base?.contentHash, inode: base?.inode, kind: base?.kind }, { rev: remote.rev, hash: hashOf('one'), inode: rig.item('/a.txt').inode, kind: 'file' });
    assert.deepEqual({ action: rig.lastActivity()?.action, path: rig.lastActivity()?.path }, { action: 'upload', path: '/a.txt' });
  });

  test('an update replaces exactly the rev the plan saw', async () => {
    const rig = await world.rig();
    const { remote: v1 } = await rig.syncedFile('/a.txt', 'v1');
    await rig.write('/a.txt', 'v2 local');
    await rig.scan();
    await rig.executor.run(uploadOp(rig, '/a.txt', v1.rev));
    assert.deepEqual(await rig.remoteSnapshot(), { 'a.txt': hashOf('v2 local') });
    assert.equal(rig.index.getSynced('/a.txt')?.contentHash, hashOf('v2 local'));
  });

  test('a file edited after planning goes up as it is now, and the base is what was sent', async () => {
    const rig = await world.rig();
    await rig.write('/a.txt', 'planned');
    await rig.scan();
    const op = uploadOp(rig, '/a.txt');
    await rig.write('/a.txt', 'saved after the plan');
    await rig.executor.run(op);
    assert.deepEqual(await rig.remoteSnapshot(), { 'a.txt': hashOf('saved after the plan') });
    const base = rig.index.getSynced('/a.txt');
    assert.equal(base?.contentHash, hashOf('saved after the plan'));
    assert.equal(base?.inode, (await stat(rig.abs('/a.txt'))).ino);
  });

  test('a rev replaced on Dropbox after planning is refused and the other edit stays', async () => {
    const rig = await world.rig();
    const { remote: v1 } = await rig.syncedFile('/a.txt', 'v1');
    await rig.write('/a.txt', 'mine');
    await rig.scan();
    const op = uploadOp(rig, '/a.txt', v1.rev);
    await rig.put('/a.txt', 'theirs', v1.rev);
    await assert.rejects(rig.executor.run(op), RemoteChangedError);
    assert.deepEqual(await rig.remoteSnapshot(), { 'a.txt': hashOf('theirs') });
    assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'mine' });
    assert.equal(rig.index.getSynced('/a.txt')?.rev, v1.rev, 'the base is still the version both agreed on');
  });

  test('a file added on Dropbox after planning a new upload is not overwritten', async () => {
    const rig = await world.rig();
    await rig.write('/a.txt', 'mine');
    await rig.scan();
    const op = uploadOp(rig, '/a.txt');
    await rig.put('/a.txt', 'theirs');
    await assert.rejects(rig.executor.run(op), RemoteChangedError);
    assert.deepEqual(await rig.remoteSnapshot(), { 'a.txt': hashOf('theirs') });
    assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'mine' });
    assert.equal(rig.index.getSynced('/a.txt'), undefined);
  });

  const vanished: { what: string; change: (rig: ExecutorRig) => Promise<void>; after: Record<string, string> }[] = [
    { what: 'deleted', change: (rig) => rm(rig.abs('/a.txt')), after: {} },
    { what: 'replaced by a folder', change: async (rig) => (await rm(rig.abs('/a.txt')), await mkdir(rig.abs('/a.txt'))), after: { 'a.txt': '<dir>' } },
  ];
  for (const { what, change, after: expected } of vanished) {
    refusalAs(
      `a file ${what} after planning is refused and Dropbox is untouched`,
      LocalChangedError,
      async () => {
        const rig = await world.rig();
        await rig.write('/a.txt', 'mine');
        await rig.scan();
        const op = uploadOp(rig, '/a.txt');
        await change(rig);
        return {
          act: () => rig.executor.run(op),
          check: async () => {
            assert.deepEqual(await rig.remoteSnapshot(), {});
            assert.deepEqual(await snapshot(rig.root), expected);
            assert.equal(rig.index.getSynced('/a.txt'), undefined);
          },
        };
      },
    );
  }
});

describe('download', () => {
  function downloadOp(remote: RemoteItem, localPath = remote.path): OpOf<'download'> {
    return { type: 'download', key: remote.key, localPath, remotePath: remote.path, remote };
  }

  test('a new file is placed with its Dropbox time; the base and the activity are recorded', async () => {
    const rig = await world.rig();
    const remote = await rig.put('/b.txt', 'from dropbox');
    await rig.scan();
    await rig.executor.run(downloadOp(remote));
    assert.deepEqual(await snapshot(rig.root), { 'b.txt': 'from dropbox' });
    const stats = await stat(rig.abs('/b.txt'));
    assert.equal(stats.mtime.getTime(), new Date(remote.clientModified!).getTime());
    const base = rig.index.getSynced('/b.txt');
    assert.deepEqual({ rev: base?.rev, hash: base?.contentHash, inode: base?.inode }, { rev: remote.rev, hash: hashOf('from dropbox'), inode: stats.ino });
    assert.equal(rig.lastActivity()?.action, 'download');
    assert.deepEqual(await readdir(nodePath.join(rig.root, '.twinfold', 'tmp')).catch(() => []), [], 'no temp file left');
  });

  test("the merge base's version is replaced by the newer Dropbox version", async () => {
    const rig = await world.rig();
    const { remote: v1 } = await rig.syncedFile('/a.txt', 'v1');
    const v2 = await rig.put('/a.txt', 'v2 from dropbox', v1.rev);
    await rig.scan();
    await rig.executor.run(downloadOp(v2));
    assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'v2 from dropbox' });
    assert.equal(rig.index.getSynced('/a.txt')?.rev, v2.rev);
  });

  // Each change lands after the bytes arrived and before the file is placed: the narrowest window.
  const localChanges: { what: string; change: (rig: ExecutorRig) => Promise<void>; after: Record<string, string> }[] = [
    { what: 'edited', change: (rig) => writeFile(rig.abs('/a.txt'), 'saved meanwhile'), after: { 'a.txt': 'saved meanwhile' } },
    {
      what: 'replaced by another file of the same size and time',
      change: async (rig) => {
        const before = await stat(rig.abs('/a.txt'));
        await writeFile(rig.abs('/other'), 'v9');
        await utimes(rig.abs('/other'), before.atime, before.mtime);
        await rename(rig.abs('/other'), rig.abs('/a.txt'));
      },
      after: { 'a.txt': 'v9' },
    },
    { what: 'deleted', change: (rig) => rm(rig.abs('/a.txt')), after: {} },
    { what: 'replaced by a folder', change: async (rig) => (await rm(rig.abs('/a.txt')), await mkdir(rig.abs('/a.txt'))), after: { 'a.txt': '<dir>' } },
  ];
  for (const { what, change, after: expected } of localChanges) {
    test(`a local file ${what} during the download is not replaced`, async () => {
      const rig = await world.rig();
      const { remote: v1 } = await rig.syncedFile('/a.txt', 'v1');
      const v2 = await rig.put('/a.txt', 'v2 from dropbox', v1.rev);
      await rig.scan();
      rig.provider.hooks.download = async (_path, _dest, _opts, real) => {
        const item = await real();
        await change(rig);
        return item;
      };
      await assert.rejects(rig.executor.run(downloadOp(v2)), LocalChangedError);
      assert.deepEqual(await snapshot(rig.root), expected);
      assert.equal(rig.index.getSynced('/a.txt')?.rev, v1.rev, 'the base is unchanged');
      assert.deepEqual(await readdir(nodePath.join(rig.root, '.twinfold', 'tmp')), [], 'the downloaded bytes are cleaned up');
    });
  }

  test('a file that appears where a new one is to be placed is not replaced', async () => {
    const rig = await world.rig();
    const remote = await rig.put('/b.txt', 'from dropbox');
    await rig.scan();
    rig.provider.hooks.download = async (_path, _dest, _opts, real) => {
      const item = await real();
      await rig.write('/b.txt', 'made here meanwhile');
      return item;
    };
    await assert.rejects(rig.executor.run(downloadOp(remote)), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), { 'b.txt': 'made here meanwhile' });
    assert.equal(rig.index.getSynced('/b.txt'), undefined);
  });

  test('a file edited locally after planning is not replaced, even before the download starts', async () => {
    const rig = await world.rig();
    const { remote: v1 } = await rig.syncedFile('/a.txt', 'v1');
    const v2 = await rig.put('/a.txt', 'v2 from dropbox', v1.rev);
    await rig.scan();
    await rig.write('/a.txt', 'v1 edited');
    await assert.rejects(rig.executor.run(downloadOp(v2)), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'v1 edited' });
  });

  refusalWithKnownWrongClass(
    'a version replaced on Dropbox after planning is not written in place of the planned one',
    RemoteChangedError,
    'the provider rejects the newer body as a VerificationError ("did not arrive intact"), which the engine records as a transfer failure',
    async () => {
      const rig = await world.rig();
      const { remote: v1 } = await rig.syncedFile('/a.txt', 'v1');
      const v2 = await rig.put('/a.txt', 'v2', v1.rev);
      await rig.scan();
      await rig.put('/a.txt', 'v3 newer', v2.rev);
      return {
        act: () => rig.executor.run(downloadOp(v2)),
        check: async () => {
          assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'v1' });
          assert.equal(rig.index.getSynced('/a.txt')?.rev, v1.rev);
          assert.deepEqual(await rig.remoteSnapshot(), { 'a.txt': hashOf('v3 newer') });
        },
      };
    },
  );

  test('a file is never written through a symlinked folder that leaves the root', async () => {
    const rig = await world.rig();
    await linkOutside(rig);
    const remote = await rig.put('/link/x.txt', 'from dropbox');
    await rig.scan();
    await assert.rejects(rig.executor.run(downloadOp(remote)), isOutsideRefusal);
    assert.deepEqual(await readdir(rig.outside), []);
    assert.equal(rig.index.getSynced('/link/x.txt'), undefined);
  });

  test('a symlink where a new file is to be placed is neither replaced nor followed', async () => {
    const rig = await world.rig();
    await writeFile(nodePath.join(rig.outside, 'target.txt'), 'outside');
    await symlink(nodePath.join(rig.outside, 'target.txt'), rig.abs('/b.txt'));
    const remote = await rig.put('/b.txt', 'from dropbox');
    await rig.scan();
    await assert.rejects(rig.executor.run(downloadOp(remote)), LocalChangedError);
    assert.equal((await lstat(rig.abs('/b.txt'))).isSymbolicLink(), true);
    assert.equal(await readFile(nodePath.join(rig.outside, 'target.txt'), 'utf8'), 'outside');
  });
});

describe('createLocalFolder', () => {
  function mkdirOp(remote: RemoteItem): OpOf<'createLocalFolder'> {
    return { type: 'createLocalFolder', key: remote.key, localPath: remote.path, remote };
  }

  test('the folder is made and its base records both sides', async () => {
    const rig = await world.rig();
    const remote = await rig.dropbox.createFolder('/f');
    await rig.scan();
    await rig.executor.run(mkdirOp(remote));
    assert.deepEqual(await snapshot(rig.root), { f: '<dir>' });
    const base = rig.index.getSynced('/f');
    assert.deepEqual({ kind: base?.kind, id: base?.id, inode: base?.inode }, { kind: 'folder', id: remote.id, inode: (await stat(rig.abs('/f'))).ino });
    assert.equal(rig.lastActivity()?.action, 'mkdir_local');
  });

  test('a file that appeared at its place after planning is kept', async () => {
    const rig = await world.rig();
    const remote = await rig.dropbox.createFolder('/f');
    await rig.scan();
    await rig.write('/f', 'a file made meanwhile');
    await assert.rejects(rig.executor.run(mkdirOp(remote)), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), { f: 'a file made meanwhile' });
    assert.equal(rig.index.getSynced('/f'), undefined);
  });

  test('a folder is never made through a symlinked folder that leaves the root', async () => {
    const rig = await world.rig();
    await linkOutside(rig);
    const remote = await rig.dropbox.createFolder('/link/sub');
    await rig.scan();
    await assert.rejects(rig.executor.run(mkdirOp(remote)), isOutsideRefusal);
    assert.deepEqual(await readdir(rig.outside), []);
  });
});

describe('createRemoteFolder', () => {
  const op: OpOf<'createRemoteFolder'> = { type: 'createRemoteFolder', key: '/f', remotePath: '/f' };

  test('the folder is made on Dropbox and its base records both sides', async () => {
    const rig = await world.rig();
    await mkdir(rig.abs('/f'));
    await rig.scan();
    await rig.executor.run(op);
    const remote = await remoteOrFail(rig, '/f');
    assert.equal(remote.kind, 'folder');
    const base = rig.index.getSynced('/f');
    assert.deepEqual({ kind: base?.kind, id: base?.id, inode: base?.inode }, { kind: 'folder', id: remote.id, inode: rig.item('/f').inode });
    assert.equal(rig.lastActivity()?.action, 'mkdir_remote');
  });

  test('a file put there on Dropbox after planning is kept', async () => {
    const rig = await world.rig();
    await mkdir(rig.abs('/f'));
    await rig.scan();
    await rig.put('/f', 'theirs');
    await assert.rejects(rig.executor.run(op), RemoteChangedError);
    assert.deepEqual(await rig.remoteSnapshot(), { f: hashOf('theirs') });
    assert.equal(rig.index.getSynced('/f'), undefined);
  });
});

describe('trashLocal', () => {
  function trashOp(rig: ExecutorRig, key: string): OpOf<'trashLocal'> {
    const item = rig.item(key);
    return { type: 'trashLocal', key, localPath: item.path, kind: item.kind };
  }

  test('a file goes to the trash, recoverable there; its base is dropped', async () => {
    const rig = await world.rig();
    await rig.syncedFile('/a.txt', 'precious');
    await rig.executor.run(trashOp(rig, '/a.txt'));
    assert.deepEqual(await snapshot(rig.root), {});
    const activity = rig.lastActivity();
    assert.equal(activity?.action, 'delete_local');
    const location = trashedAt(activity?.detail);
    assert.equal(await readFile(location, 'utf8'), 'precious');
    await rm(location, { force: true });
    assert.equal(rig.index.getSynced('/a.txt'), undefined);
  });

  test('a folder goes to the trash whole; the bases below it are dropped', async () => {
    const rig = await world.rig();
    await rig.syncedFolder('/d');
    await rig.syncedFile('/d/x.txt', 'inside');
    await rig.executor.run(trashOp(rig, '/d'));
    assert.deepEqual(await snapshot(rig.root), {});
    const location = trashedAt(rig.lastActivity()?.detail);
    assert.equal(await readFile(nodePath.join(location, 'x.txt'), 'utf8'), 'inside');
    await rm(location, { recursive: true, force: true });
    assert.deepEqual([...rig.index.allSynced().keys()], []);
  });

  test('an item already gone is a done deletion', async () => {
    const rig = await world.rig();
    await rig.syncedFile('/a.txt', 'v1');
    const op = trashOp(rig, '/a.txt');
    await rm(rig.abs('/a.txt'));
    await rig.local.refresh(['/a.txt']);
    await rig.executor.run(op);
    assert.equal(rig.index.getSynced('/a.txt'), undefined);
  });

  const fileChanges: { what: string; change: (rig: ExecutorRig) => Promise<void>; after: Record<string, string> }[] = [
    { what: 'edited', change: (rig) => writeFile(rig.abs('/a.txt'), 'saved meanwhile'), after: { 'a.txt': 'saved meanwhile' } },
    {
      what: 'replaced by another file of the same size and time',
      change: async (rig) => {
        const before = await stat(rig.abs('/a.txt'));
        await writeFile(rig.abs('/other'), 'v9');
        await utimes(rig.abs('/other'), before.atime, before.mtime);
        await rename(rig.abs('/other'), rig.abs('/a.txt'));
      },
      after: { 'a.txt': 'v9' },
    },
    { what: 'replaced by a folder', change: async (rig) => (await rm(rig.abs('/a.txt')), await rig.write('/a.txt/new.txt', 'new')), after: { 'a.txt': '<dir>', 'a.txt/new.txt': 'new' } },
  ];
  for (const { what, change, after: expected } of fileChanges) {
    test(`a file ${what} after planning stays where it is`, async () => {
      const rig = await world.rig();
      await rig.syncedFile('/a.txt', 'v1');
      const op = trashOp(rig, '/a.txt');
      await change(rig);
      await assert.rejects(rig.executor.run(op), LocalChangedError);
      assert.deepEqual(await snapshot(rig.root), expected);
      assert.ok(rig.index.getSynced('/a.txt'), 'the base is kept');
    });
  }

  const folderChanges: { what: string; change: (rig: ExecutorRig) => Promise<void>; after: Record<string, string> }[] = [
    { what: 'a file added inside', change: (rig) => rig.write('/d/new.txt', 'new'), after: { d: '<dir>', 'd/x.txt': 'inside', 'd/new.txt': 'new' } },
    { what: 'a file edited inside', change: (rig) => rig.write('/d/x.txt', 'edited inside'), after: { d: '<dir>', 'd/x.txt': 'edited inside' } },
    { what: 'been replaced by a file', change: async (rig) => (await rm(rig.abs('/d'), { recursive: true }), await rig.write('/d', 'a file now')), after: { d: 'a file now' } },
  ];
  for (const { what, change, after: expected } of folderChanges) {
    test(`a folder that has ${what} after planning stays whole`, async () => {
      const rig = await world.rig();
      await rig.syncedFolder('/d');
      await rig.syncedFile('/d/x.txt', 'inside');
      const op = trashOp(rig, '/d');
      await change(rig);
      await assert.rejects(rig.executor.run(op), LocalChangedError);
      assert.deepEqual(await snapshot(rig.root), expected);
    });
  }

  test('nothing is trashed through a symlinked folder that leaves the root', async () => {
    const rig = await world.rig();
    await writeFile(nodePath.join(rig.outside, 'x.txt'), 'outside');
    await linkOutside(rig);
    await rig.scan();
    await rig.executor.run({ type: 'trashLocal', key: '/link/x.txt', localPath: '/link/x.txt', kind: 'file' });
    await rig.executor.run({ type: 'trashLocal', key: '/link', localPath: '/link', kind: 'folder' });
    assert.deepEqual(await readdir(rig.outside), ['x.txt']);
    assert.equal(await readFile(nodePath.join(rig.outside, 'x.txt'), 'utf8'), 'outside');
    assert.equal((await lstat(rig.abs('/link'))).isSymbolicLink(), true);
  });
});

describe('deleteRemote', () => {
  test('a file of the planned rev is deleted on Dropbox; its base is dropped', async () => {
    const rig = await world.rig();
    const { remote } = await rig.syncedFile('/a.txt', 'v1');
    await rig.executor.run({ type: 'deleteRemote', key: '/a.txt', remotePath: '/a.txt', kind: 'file', rev: remote.rev });
    assert.deepEqual(await rig.remoteSnapshot(), {});
    assert.equal(rig.index.getSynced('/a.txt'), undefined);
    assert.deepEqual({ action: rig.lastActivity()?.action, path: rig.lastActivity()?.path }, { action: 'delete_remote', path: '/a.txt' });
  });

  test('a folder is deleted with its subtree', async () => {
    const rig = await world.rig();
    await rig.syncedFolder('/d');
    await rig.syncedFile('/d/x.txt', 'inside');
    await rig.executor.run({ type: 'deleteRemote', key: '/d', remotePath: '/d', kind: 'folder' });
    assert.deepEqual(await rig.remoteSnapshot(), {});
    assert.deepEqual([...rig.index.allSynced().keys()], []);
  });

  test('a folder that got a new file on Dropbox after planning is not deleted with it', { todo: 'deleteRemote of a folder sends delete_v2 with no guard: a file added inside it after the plan is deleted too' }, async () => {
    const rig = await world.rig();
    await rig.syncedFolder('/d');
    await rig.put('/d/new.txt', 'theirs');
    await assert.rejects(rig.executor.run({ type: 'deleteRemote', key: '/d', remotePath: '/d', kind: 'folder' }));
    assert.deepEqual(await rig.remoteSnapshot(), { d: '<dir>', 'd/new.txt': hashOf('theirs') });
  });

  refusalAs('a file edited on Dropbox after planning is not deleted', RemoteChangedError, async () => {
    const rig = await world.rig();
    const { remote: v1 } = await rig.syncedFile('/a.txt', 'v1');
    await rig.put('/a.txt', 'theirs', v1.rev);
    return {
      act: () => rig.executor.run({ type: 'deleteRemote', key: '/a.txt', remotePath: '/a.txt', kind: 'file', rev: v1.rev }),
      check: async () => {
        assert.deepEqual(await rig.remoteSnapshot(), { 'a.txt': hashOf('theirs') });
        assert.equal(rig.index.getSynced('/a.txt')?.rev, v1.rev);
      },
    };
  });
});

describe('moveRemote', () => {
  const op: OpOf<'moveRemote'> = { type: 'moveRemote', fromKey: '/a.txt', fromRemotePath: '/a.txt', toKey: '/b.txt', toRemotePath: '/b.txt', kind: 'file' };

  async function renamedLocally(rig: ExecutorRig, content: string): Promise<RemoteItem> {
    const { remote } = await rig.syncedFile('/a.txt', content);
    await rename(rig.abs('/a.txt'), rig.abs('/b.txt'));
    await rig.scan();
    return remote;
  }

  test('the Dropbox item is moved; the base follows it with the local observation', async () => {
    const rig = await world.rig();
    await renamedLocally(rig, 'v1');
    await rig.executor.run(op);
    assert.deepEqual(await rig.remoteSnapshot(), { 'b.txt': hashOf('v1') });
    assert.equal(rig.index.getSynced('/a.txt'), undefined);
    const base = rig.index.getSynced('/b.txt');
    assert.deepEqual({ path: base?.path, hash: base?.contentHash, inode: base?.inode }, { path: '/b.txt', hash: hashOf('v1'), inode: rig.item('/b.txt').inode });
    assert.equal(rig.lastActivity()?.action, 'move_remote');
  });

  test('an edit made on Dropbox before the move stays a remote change in the base', async () => {
    const rig = await world.rig();
    const v1 = await renamedLocally(rig, 'v1');
    await rig.put('/a.txt', 'v2 theirs', v1.rev);
    await rig.executor.run(op);
    assert.deepEqual(await rig.remoteSnapshot(), { 'b.txt': hashOf('v2 theirs') });
    assert.equal(rig.index.getSynced('/b.txt')?.contentHash, hashOf('v1'), 'the next pass downloads v2 or keeps both');
  });

  refusalAs('a name taken on Dropbox after planning is not overwritten', RemoteChangedError, async () => {
    const rig = await world.rig();
    await renamedLocally(rig, 'v1');
    await rig.put('/b.txt', 'theirs');
    return {
      act: () => rig.executor.run(op),
      check: async () => {
        assert.deepEqual(await rig.remoteSnapshot(), { 'a.txt': hashOf('v1'), 'b.txt': hashOf('theirs') });
        assert.ok(rig.index.getSynced('/a.txt'), 'the base is where it was');
        assert.equal(rig.index.getSynced('/b.txt'), undefined);
      },
    };
  });
});

describe('moveLocal', () => {
  async function movedOnDropbox(rig: ExecutorRig, content = 'v1'): Promise<OpOf<'moveLocal'>> {
    await rig.syncedFile('/a.txt', content);
    const remote = await rig.dropbox.move('/a.txt', '/b.txt');
    return { type: 'moveLocal', fromKey: '/a.txt', fromLocalPath: '/a.txt', toKey: '/b.txt', toLocalPath: '/b.txt', remote };
  }

  test('the local item is renamed; the base follows it', async () => {
    const rig = await world.rig();
    const op = await movedOnDropbox(rig);
    await rig.executor.run(op);
    assert.deepEqual(await snapshot(rig.root), { 'b.txt': 'v1' });
    assert.equal(rig.index.getSynced('/a.txt'), undefined);
    const base = rig.index.getSynced('/b.txt');
    assert.deepEqual({ path: base?.path, id: base?.id, inode: base?.inode }, { path: '/b.txt', id: op.remote.id, inode: rig.item('/b.txt').inode });
    assert.equal(rig.lastActivity()?.action, 'move_local');
  });

  test('a file that appeared at the new name after planning is not replaced', async () => {
    const rig = await world.rig();
    const op = await movedOnDropbox(rig);
    await rig.write('/b.txt', 'made here meanwhile');
    await assert.rejects(rig.executor.run(op), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'v1', 'b.txt': 'made here meanwhile' });
    assert.ok(rig.index.getSynced('/a.txt'));
  });

  test('a source deleted after planning is refused', async () => {
    const rig = await world.rig();
    const op = await movedOnDropbox(rig);
    await rm(rig.abs('/a.txt'));
    await assert.rejects(rig.executor.run(op), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), {});
  });

  test('an item is never moved through a symlinked folder that leaves the root', async () => {
    const rig = await world.rig();
    await linkOutside(rig);
    await rig.syncedFile('/a.txt', 'v1');
    const remote = await rig.dropbox.move('/a.txt', '/link/a.txt');
    const op: OpOf<'moveLocal'> = { type: 'moveLocal', fromKey: '/a.txt', fromLocalPath: '/a.txt', toKey: '/link/a.txt', toLocalPath: '/link/a.txt', remote };
    await assert.rejects(rig.executor.run(op), isOutsideRefusal);
    assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'v1' });
    assert.deepEqual(await readdir(rig.outside), []);
  });
});

describe('caseRenameLocal', () => {
  const op: OpOf<'caseRenameLocal'> = { type: 'caseRenameLocal', key: '/readme.txt', kind: 'file', fromLocalPath: '/readme.txt', toLocalPath: '/README.txt', remotePath: '/README.txt' };

  async function respelledOnDropbox(rig: ExecutorRig): Promise<void> {
    await rig.syncedFile('/readme.txt', 'v1');
    await rig.dropbox.move('/readme.txt', '/README.txt');
  }

  test('the local name is respelled; the base takes the spelling and keeps its content', async () => {
    const rig = await world.rig();
    await respelledOnDropbox(rig);
    await rig.executor.run(op);
    assert.deepEqual(await snapshot(rig.root), { 'README.txt': 'v1' });
    const base = rig.index.getSynced('/readme.txt');
    assert.deepEqual({ path: base?.path, localName: base?.localName, hash: base?.contentHash }, { path: '/README.txt', localName: undefined, hash: hashOf('v1') });
    assert.equal(rig.lastActivity()?.action, 'move_local');
  });

  test('a file that appeared at the new spelling after planning is not replaced', async () => {
    const rig = await world.rig();
    await respelledOnDropbox(rig);
    await rig.write('/README.txt', 'made here meanwhile');
    await assert.rejects(rig.executor.run(op), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), { 'readme.txt': 'v1', 'README.txt': 'made here meanwhile' });
    assert.equal(rig.index.getSynced('/readme.txt')?.path, '/readme.txt');
  });

  test('a source deleted after planning is refused', async () => {
    const rig = await world.rig();
    await respelledOnDropbox(rig);
    await rm(rig.abs('/readme.txt'));
    await assert.rejects(rig.executor.run(op), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), {});
  });
});

describe('caseRenameRemote', () => {
  const op: OpOf<'caseRenameRemote'> = { type: 'caseRenameRemote', key: '/readme.txt', kind: 'file', fromRemotePath: '/readme.txt', toRemotePath: '/README.txt' };

  async function respelledLocally(rig: ExecutorRig): Promise<RemoteItem> {
    const { remote } = await rig.syncedFile('/readme.txt', 'v1');
    await rename(rig.abs('/readme.txt'), rig.abs('/README.txt'));
    await rig.scan();
    return remote;
  }

  test('the Dropbox name is respelled; the base takes the spelling', async () => {
    const rig = await world.rig();
    await respelledLocally(rig);
    await rig.executor.run(op);
    assert.equal((await remoteOrFail(rig, '/readme.txt')).path, '/README.txt');
    const base = rig.index.getSynced('/readme.txt');
    assert.deepEqual({ path: base?.path, localName: base?.localName, hash: base?.contentHash }, { path: '/README.txt', localName: undefined, hash: hashOf('v1') });
    assert.equal(rig.lastActivity()?.action, 'move_remote');
  });

  test('an edit made on Dropbox before the respelling stays a remote change in the base', async () => {
    const rig = await world.rig();
    const v1 = await respelledLocally(rig);
    await rig.put('/readme.txt', 'v2 theirs', v1.rev);
    await rig.executor.run(op);
    assert.deepEqual(await rig.remoteSnapshot(), { 'readme.txt': hashOf('v2 theirs') });
    assert.equal(rig.index.getSynced('/readme.txt')?.contentHash, hashOf('v1'));
  });

  refusalAs('an item deleted on Dropbox after planning is not brought back', RemoteChangedError, async () => {
    const rig = await world.rig();
    await respelledLocally(rig);
    await rig.dropbox.delete('/readme.txt');
    return {
      act: () => rig.executor.run(op),
      check: async () => {
        assert.deepEqual(await rig.remoteSnapshot(), {});
        assert.deepEqual(await snapshot(rig.root), { 'README.txt': 'v1' });
        assert.equal(rig.index.getSynced('/readme.txt')?.path, '/readme.txt');
      },
    };
  });
});

describe('renameLocalConflict', () => {
  const conflictPath = '/a (conflicted copy box 2024-05-01).txt';
  const op: OpOf<'renameLocalConflict'> = { type: 'renameLocalConflict', key: '/a.txt', localPath: '/a.txt', conflictLocalPath: conflictPath };

  test('the local version is kept under the conflicted-copy name', async () => {
    const rig = await world.rig();
    await rig.write('/a.txt', 'mine');
    await rig.scan();
    await rig.executor.run(op);
    assert.deepEqual(await snapshot(rig.root), { [conflictPath.slice(1)]: 'mine' });
    assert.deepEqual({ action: rig.lastActivity()?.action, path: rig.lastActivity()?.path }, { action: 'conflict', path: '/a.txt' });
  });

  test('a file that appeared at the conflicted-copy name after planning is not replaced', async () => {
    const rig = await world.rig();
    await rig.write('/a.txt', 'mine');
    await rig.scan();
    await rig.write(conflictPath, 'made here meanwhile');
    await assert.rejects(rig.executor.run(op), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'mine', [conflictPath.slice(1)]: 'made here meanwhile' });
  });

  test('a source deleted after planning is refused', async () => {
    const rig = await world.rig();
    await rig.write('/a.txt', 'mine');
    await rig.scan();
    await rm(rig.abs('/a.txt'));
    await assert.rejects(rig.executor.run(op), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), {});
  });

  test('a conflicted copy is never moved to another folder', async () => {
    const rig = await world.rig();
    await rig.write('/a.txt', 'mine');
    await rig.scan();
    await assert.rejects(rig.executor.run({ ...op, conflictLocalPath: '/elsewhere/a (conflicted copy).txt' }), SyncError);
    assert.deepEqual(await snapshot(rig.root), { 'a.txt': 'mine' });
  });
});

describe('renameLocalCaseConflict', () => {
  async function planned(rig: ExecutorRig): Promise<OpOf<'renameLocalCaseConflict'>> {
    await rig.write('/A.txt', 'upper');
    await rig.write('/a.txt', 'lower');
    await rig.scan();
    const [second] = await rig.local.caseConflicts();
    assert.ok(second);
    const toLocalPath = second.path.replace('.txt', ' (case conflict).txt');
    return { type: 'renameLocalCaseConflict', key: '/a.txt', kind: 'file', localPath: second.path, toKey: toLocalPath.toLowerCase(), toLocalPath };
  }

  test('the second name is renamed and both are kept', async () => {
    const rig = await world.rig();
    const op = await planned(rig);
    await rig.executor.run(op);
    const after = await snapshot(rig.root);
    assert.deepEqual(Object.values(after).sort(), ['lower', 'upper']);
    assert.ok(after[op.toLocalPath.slice(1)]);
    assert.equal(rig.lastActivity()?.action, 'conflict');
  });

  test('a file that appeared at the new name after planning is not replaced', async () => {
    const rig = await world.rig();
    const op = await planned(rig);
    await rig.write(op.toLocalPath, 'made here meanwhile');
    await assert.rejects(rig.executor.run(op), LocalChangedError);
    assert.deepEqual(await snapshot(rig.root), { 'A.txt': 'upper', 'a.txt': 'lower', [op.toLocalPath.slice(1)]: 'made here meanwhile' });
  });
});

describe('record and forget', () => {
  const file = (key: string): SyncedItem => ({ key, path: key, kind: 'file', id: `id:${key}`, rev: '0123456789a', contentHash: hashOf(key), size: key.length, inode: 7, mtimeMs: 1 });

  test('record stores the merge base as given, touching neither side', async () => {
    const rig = await world.rig();
    const item: SyncedItem = { ...file('/a.txt'), path: '/A.txt', localName: 'a.txt' };
    await rig.executor.run({ type: 'record', item });
    assert.deepEqual(rig.index.getSynced('/a.txt'), item);
    assert.deepEqual(await snapshot(rig.root), {});
    assert.deepEqual(await rig.remoteSnapshot(), {});
    assert.equal(rig.lastActivity(), undefined);
  });

  test('forget drops one base, or a whole subtree, and nothing beside it', async () => {
    const rig = await world.rig();
    for (const key of ['/d', '/d/x', '/dx', '/e', '/e/y']) await rig.executor.run({ type: 'record', item: file(key) });
    await rig.executor.run({ type: 'forget', key: '/d', subtree: true });
    await rig.executor.run({ type: 'forget', key: '/e', subtree: false });
    assert.deepEqual([...rig.index.allSynced().keys()].sort(), ['/dx', '/e/y']);
    assert.equal(rig.lastActivity(), undefined);
  });
});
