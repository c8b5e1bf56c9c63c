// The engine against a server that misbehaves: endless pages, a stuck cursor, long Retry-After,
// an entry repeated in every page, a change feed that lags behind acknowledged writes, transient
// failures that heal; and the engine's own state: pause during a run, scan progress, what a
// one-time sync left undone.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SyncWorld, contentHashOf, converged, exists, remoteSnapshot, waitFor } from '../helpers/syncHarness.js';
import { HookedProvider } from '../helpers/hostileProvider.js';
import { statusLine } from '../../src/main/core/engine/status.js';
import { CursorResetError, NetworkError, VerificationError } from '../../src/main/core/errors.js';
import type { RemoteItem } from '../../src/main/core/engine/model.js';
import type { ChangePage } from '../../src/main/core/remote/provider.js';

let world: SyncWorld;

beforeEach(async () => {
  world = await SyncWorld.create();
});

afterEach(async () => {
  await world.close();
});

/** Rejects when `promise` has not settled within `ms`: a hang is a failure, not a stuck suite. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('engine state', () => {
  test('a pause during a run that then converges shows paused, and resume syncs again', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked });
    await a.engine.start();
    await a.engine.whenIdle();
    const before = a.engine.getStatus().lastSyncedAt ?? 0;
    // The run reads the feed, the user pauses meanwhile, and the run finds nothing to do.
    hooked.hooks.listContinue = (cursor, real) => {
      hooked.hooks.listContinue = undefined;
      a.engine.pause();
      return real(cursor);
    };
    a.engine.retryNow();
    await waitFor('the run to end', () => (a.engine.getStatus().lastSyncedAt ?? 0) > before && a.engine.getStatus().total === 0);
    assert.equal(a.engine.getStatus().state, 'paused');
    assert.equal(statusLine(a.engine.getStatus()), 'Paused: paused by you');
    await writeFile(nodePath.join(a.root, 'after-resume.txt'), 'x');
    a.engine.resume();
    await converged(world);
    assert.ok('after-resume.txt' in (await remoteSnapshot(world)));
  });

  test('the first scan shows a live count, and start can leave it to the background', async () => {
    const a = await world.device('alpha', { live: false });
    await mkdir(nodePath.join(a.root, 'many'));
    await Promise.all(Array.from({ length: 450 }, (_, i) => writeFile(nodePath.join(a.root, 'many', `f${i}.txt`), `${i}`)));
    const lines: string[] = [];
    a.engine.on('status', (status) => lines.push(statusLine(status)));
    await a.engine.syncOnce();
    assert.ok(lines.some((line) => /^Scanning… [1-9]\d* files$/.test(line)), lines.slice(0, 5).join('\n'));
  });

  test('start can leave the first scan to the background', async () => {
    const a = await world.device('alpha');
    await writeFile(nodePath.join(a.root, 'one.txt'), '1');
    await a.engine.start({ awaitScan: false });
    const final = await converged(world);
    assert.equal(final['one.txt'], '1');
  });

  test('stop ends a first scan running in the background', async () => {
    const a = await world.device('alpha');
    await Promise.all(Array.from({ length: 300 }, (_, i) => writeFile(nodePath.join(a.root, `f${i}.txt`), `${i}`)));
    await a.engine.start({ awaitScan: false });
    await within(5_000, a.engine.stop());
    assert.equal(a.engine.getStatus().state, 'stopped');
  });

  test('a second syncOnce on the same engine sees what another device changed meanwhile', async () => {
    const a = await world.device('alpha', { live: false });
    await a.engine.syncOnce();
    const theirs = nodePath.join(await world.tempDir('other'), 'theirs.txt');
    await writeFile(theirs, 'theirs');
    await world.provider().upload(theirs, '/theirs.txt', {});
    assert.equal((await a.engine.syncOnce()).converged, true);
    assert.equal(await readFile(nodePath.join(a.root, 'theirs.txt'), 'utf8'), 'theirs');
  });

  test('syncOnce lists what it could not sync: failed paths and unsyncable local items, not symlinks', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false });
    await writeFile(nodePath.join(a.root, 'trailing '), 'x');
    await symlink('/tmp', nodePath.join(a.root, 'link'));
    await writeFile(nodePath.join(a.root, 'refused.txt'), 'x');
    hooked.hooks.upload = (relPath, real) => (relPath === '/refused.txt' ? Promise.reject(new VerificationError(relPath, undefined, '')) : real());
    const result = await a.engine.syncOnce();
    const paths = result.unsynced.map((u) => u.path).sort();
    assert.deepEqual(paths, ['/refused.txt', '/trailing '], JSON.stringify(result.unsynced));
    assert.ok(result.unsynced.every((u) => u.reason.length > 0));
  });
});

describe('caps on what a server can make us do', () => {
  test('endless has_more ends the refresh as a server fault', async () => {
    const hooked = new HookedProvider(world.provider());
    hooked.hooks.listAll = async (real) => ({ ...(await real()), hasMore: true });
    hooked.hooks.listContinue = async (cursor) => {
      if (hooked.calls.listContinue > 2_000) throw new Error('test: the engine kept asking');
      return { changes: [], cursor: `${cursor}+`, hasMore: true };
    };
    const a = await world.device('alpha', { provider: hooked, live: false, maxPagesPerRefresh: 100 });
    await assert.rejects(a.engine.syncOnce(), /after 100 pages/);
    assert.ok(hooked.calls.listContinue < 100);
  });

  test('a one-time sync against the emulator\'s endless pages ends with a clear error', async () => {
    world.emulator.faults.add({ fault: { kind: 'endless_pages' }, routes: ['files/list_folder', 'files/list_folder/continue'] });
    const a = await world.device('alpha', { live: false });
    await assert.rejects(within(10_000, a.engine.syncOnce()), /cursor does not advance/);
  });

  test('a cursor that does not advance is a server fault; live mode shows it and backs off', async () => {
    const hooked = new HookedProvider(world.provider());
    hooked.hooks.listAll = async (real) => ({ ...(await real()), hasMore: true });
    hooked.hooks.listContinue = async (cursor) => {
      if (hooked.calls.listContinue > 2_000) throw new Error('test: the engine kept asking');
      return { changes: [], cursor, hasMore: true };
    };
    const a = await world.device('alpha', { provider: hooked, offlineRetryMs: 60_000 });
    await a.engine.start();
    await waitFor('the fault shown', () => /does not advance/.test(a.engine.getStatus().message ?? ''), 5_000);
    assert.equal(a.engine.getStatus().state, 'error');
    assert.ok(hooked.calls.listContinue <= 2, `continue called ${hooked.calls.listContinue} times`);
  });

  test('a long Retry-After is capped and shown with the time; retryNow ends the wait', async () => {
    world.emulator.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 3600 }, routes: ['files/list_folder'], times: 1 });
    const a = await world.device('alpha');
    await a.engine.start();
    await waitFor('the wait shown', () => a.engine.getStatus().waitingUntil !== undefined, 5_000);
    const status = a.engine.getStatus();
    assert.ok(status.waitingUntil! <= Date.now() + 5 * 60_000, 'capped at five minutes');
    assert.match(statusLine(status), /Dropbox asked us to wait until \d\d:\d\d/);
    a.engine.retryNow();
    await within(10_000, a.engine.whenIdle());
    assert.equal(a.engine.getStatus().waitingUntil, undefined);
  });

  test('--once gives up on a long Retry-After with a clear message instead of blocking', async () => {
    world.emulator.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 3600 }, routes: ['files/list_folder'], times: 1 });
    const a = await world.device('alpha', { live: false });
    await assert.rejects(within(5_000, a.engine.syncOnce()), /asked us to wait 3600 s/);
  });

  test('an entry repeated in every page does not reset its own backoff', async () => {
    const bad: RemoteItem = { key: '/bad.txt', path: '/bad.txt', kind: 'file', id: 'id:bad', rev: '0123456789abcdef', size: 3, contentHash: 'f'.repeat(64) };
    const withBad = (page: ChangePage): ChangePage => ({ ...page, changes: [...page.changes, { kind: 'upsert', item: bad }] });
    const hooked = new HookedProvider(world.provider());
    hooked.hooks.listAll = async (real) => withBad(await real());
    hooked.hooks.listContinue = async (cursor, real) => withBad(await real(cursor));
    hooked.hooks.download = (relPath, _dest, _opts, real) => {
      if (relPath !== '/bad.txt') return real();
      if (hooked.calls.download > 20) return Promise.reject(new Error('test: retried over and over'));
      return Promise.reject(new VerificationError(relPath, bad.contentHash, 'e'.repeat(64)));
    };
    const a = await world.device('alpha', { provider: hooked, live: false });
    const result = await a.engine.syncOnce();
    assert.equal(hooked.calls.download, 1);
    assert.deepEqual(result.unsynced.map((u) => u.path), ['/bad.txt']);
  });
});

describe('recovery and lagging feeds', () => {
  test('a success elsewhere wakes a path whose failure was transient', async () => {
    const seed = await world.tempDir('seed');
    await writeFile(nodePath.join(seed, 'a.txt'), 'remote');
    await world.provider().upload(nodePath.join(seed, 'a.txt'), '/a.txt', {});
    const hooked = new HookedProvider(world.provider());
    let failures = 0;
    hooked.hooks.download = (relPath, _dest, _opts, real) => {
      if (relPath !== '/a.txt' || failures >= 2) return real();
      failures += 1;
      return Promise.reject(new VerificationError(relPath, undefined, '', 'cut short'));
    };
    // Backoff long enough that only a wake-up can explain a prompt retry.
    const a = await world.device('alpha', { provider: hooked, offlineRetryMs: 60_000 });
    await a.engine.start();
    await waitFor('the first failure', () => failures === 1, 5_000);
    await writeFile(nodePath.join(a.root, 'b.txt'), 'b');
    await waitFor('a retry woken by the upload of b', () => failures === 2, 5_000);
    await writeFile(nodePath.join(a.root, 'c.txt'), 'c');
    await waitFor('a.txt downloaded after the upload of c', () => exists(nodePath.join(a.root, 'a.txt')), 5_000);
  });

  test('an acknowledged upload the feed does not show yet is neither trashed nor uploaded again', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false });
    await a.engine.syncOnce();
    let held = 0;
    hooked.hooks.listContinue = async (cursor, real) => {
      if (held >= 3) return real(cursor);
      held += 1;
      return { changes: [], cursor, hasMore: false };
    };
    await writeFile(nodePath.join(a.root, 'new.txt'), 'hello');
    const first = await a.engine.syncOnce();
    assert.equal(first.converged, true);
    assert.equal(await readFile(nodePath.join(a.root, 'new.txt'), 'utf8'), 'hello');
    await a.engine.syncOnce();
    await a.engine.syncOnce();
    assert.equal(await readFile(nodePath.join(a.root, 'new.txt'), 'utf8'), 'hello');
    assert.equal(hooked.calls.upload, 1);
    assert.equal(hooked.calls.getMetadata, 0, 'a feed that only omits the upload costs no extra call');
  });

  /** Another device changes /x.txt right after our upload of it, before our feed showed that upload. */
  async function racedByAnotherDevice(hooked: HookedProvider, change: 'delete' | 'edit'): Promise<void> {
    const other = world.provider();
    const theirs = nodePath.join(await world.tempDir('other'), 'x.txt');
    await writeFile(theirs, 'their edit');
    let raced = false;
    hooked.hooks.upload = async (relPath, real) => {
      const ours = await real();
      if (relPath === '/x.txt' && !raced) {
        raced = true;
        if (change === 'delete') await other.delete('/x.txt');
        else await other.upload(theirs, '/x.txt', { parentRev: ours.rev });
      }
      return ours;
    };
  }

  for (const change of ['delete', 'edit'] as const) {
    test(`another device's ${change} right after our upload is applied by the same one-time sync`, async () => {
      const hooked = new HookedProvider(world.provider());
      const a = await world.device('alpha', { provider: hooked, live: false });
      await a.engine.syncOnce();
      await racedByAnotherDevice(hooked, change);
      await writeFile(nodePath.join(a.root, 'x.txt'), 'ours');
      const result = await a.engine.syncOnce();
      assert.equal(result.converged, true);
      const remote = await remoteSnapshot(world);
      if (change === 'delete') {
        assert.equal(await exists(nodePath.join(a.root, 'x.txt')), false, 'the delete reached this device');
        assert.equal(remote['x.txt'], undefined);
      } else {
        assert.equal(await readFile(nodePath.join(a.root, 'x.txt'), 'utf8'), 'their edit');
        assert.equal(remote['x.txt'], contentHashOf(Buffer.from('their edit')));
      }
      assert.equal(hooked.calls.upload, 1);
    });

    test(`a live engine applies another device's ${change} right after our upload without further changes`, async () => {
      const hooked = new HookedProvider(world.provider());
      const a = await world.device('alpha', { provider: hooked });
      await racedByAnotherDevice(hooked, change);
      await a.engine.start();
      await writeFile(nodePath.join(a.root, 'x.txt'), 'ours');
      const path = nodePath.join(a.root, 'x.txt');
      if (change === 'delete') await waitFor('the delete applied', async () => hooked.calls.upload === 1 && !(await exists(path)), 5_000);
      else await waitFor('the edit applied', async () => (await exists(path)) && (await readFile(path, 'utf8')) === 'their edit', 5_000);
      assert.equal(hooked.calls.upload, 1);
    });
  }

  test('a first sync whose Dropbox folder another device creates meanwhile lists it instead of failing', async () => {
    const hooked = new HookedProvider(world.provider());
    let raced = false;
    hooked.hooks.listAll = async (real) => {
      if (raced) return real();
      raced = true;
      // Not there yet; another device's first sync creates it before ours does.
      const missing = await real().then(() => assert.fail('the synced folder existed already'), (err: unknown) => err);
      await world.provider().createFolder('');
      throw missing;
    };
    const a = await world.device('alpha', { provider: hooked, live: false });
    await writeFile(nodePath.join(a.root, 'mine.txt'), 'mine');
    const result = await a.engine.syncOnce();
    assert.equal(result.converged, true);
    assert.deepEqual(Object.keys(await remoteSnapshot(world)), ['mine.txt']);
  });

  test('retryNow during the run in which a path failed retries it in that run', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false, offlineRetryMs: 60_000 });
    await a.engine.syncOnce();
    let failing = true;
    hooked.hooks.upload = (relPath, real) => (failing ? Promise.reject(new VerificationError(relPath, undefined, '', 'cut short')) : real());
    // The failed upload makes the run look at the server again: the user presses Retry meanwhile.
    hooked.hooks.listContinue = async (cursor, real) => {
      if (failing && a.index.errors().length > 0) {
        failing = false;
        a.engine.retryNow('/stuck.txt');
      }
      return real(cursor);
    };
    await writeFile(nodePath.join(a.root, 'stuck.txt'), 'stuck');
    const result = await a.engine.syncOnce();
    assert.equal(failing, false, 'the upload failed once');
    assert.equal(result.converged, true);
    assert.equal(hooked.calls.upload, 2);
    assert.equal((await remoteSnapshot(world))['stuck.txt'], contentHashOf(Buffer.from('stuck')));
    assert.deepEqual(a.index.errors(), []);
  });

  test('after a cursor reset, an upload the feed never showed and another device deleted is not put back', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false });
    await a.engine.syncOnce();
    let feed: 'lagging' | 'reset' | 'real' = 'lagging';
    hooked.hooks.listContinue = async (cursor, real) => {
      if (feed === 'real') return real(cursor);
      if (feed === 'lagging') return { changes: [], cursor, hasMore: false };
      feed = 'real';
      throw new CursorResetError('reset');
    };
    await writeFile(nodePath.join(a.root, 'x.txt'), 'ours');
    await a.engine.syncOnce();
    await world.provider().delete('/x.txt');
    feed = 'reset';
    const result = await a.engine.syncOnce();
    assert.equal(result.converged, true);
    assert.equal(await exists(nodePath.join(a.root, 'x.txt')), false, 'the delete reached this device');
    assert.equal(hooked.calls.upload, 1);
  });

  test('a relisting cut short by a failure does not keep an upload another device deleted', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false });
    await a.engine.syncOnce();
    let feed: 'lagging' | 'reset' | 'cut' | 'real' = 'lagging';
    hooked.hooks.listContinue = async (cursor, real) => {
      if (feed === 'lagging') return { changes: [], cursor, hasMore: false };
      if (feed === 'reset') {
        feed = 'cut';
        throw new CursorResetError('reset');
      }
      if (feed === 'cut') {
        feed = 'real';
        throw new NetworkError('connection lost in the middle of the listing');
      }
      return real(cursor);
    };
    // The relisting's first page says more follows, so the failure lands between its pages.
    hooked.hooks.listAll = async (real) => ({ ...(await real()), hasMore: true });
    await writeFile(nodePath.join(a.root, 'x.txt'), 'ours');
    await a.engine.syncOnce();
    await world.provider().delete('/x.txt');
    feed = 'reset';
    await assert.rejects(a.engine.syncOnce(), NetworkError);
    assert.equal(feed, 'real');
    assert.equal((await a.engine.syncOnce()).converged, true);
    assert.equal(await exists(nodePath.join(a.root, 'x.txt')), false, 'the delete reached this device');
  });

  test('a folder we made that another device deleted and made again loses its old contents here too', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false });
    await a.engine.syncOnce();
    // A feed that does not show our folder yet, but shows what another device put into it.
    let hideOurFolder = true;
    hooked.hooks.listContinue = async (cursor, real) => {
      const page = await real(cursor);
      return hideOurFolder ? { ...page, changes: page.changes.filter((c) => !(c.kind === 'upsert' && c.item.key === '/a')) } : page;
    };
    await mkdir(nodePath.join(a.root, 'a'));
    await a.engine.syncOnce();
    const other = world.provider();
    const theirs = nodePath.join(await world.tempDir('other'), 'd');
    await writeFile(theirs, 'theirs');
    await other.upload(theirs, '/a/d', {});
    await a.engine.syncOnce();
    assert.equal(await readFile(nodePath.join(a.root, 'a', 'd'), 'utf8'), 'theirs');
    hideOurFolder = false;
    await other.delete('/a');
    await other.createFolder('/a');
    assert.equal((await a.engine.syncOnce()).converged, true);
    assert.equal(await exists(nodePath.join(a.root, 'a', 'd')), false, 'the delete reached this device');
    assert.equal(await exists(nodePath.join(a.root, 'a')), true);
  });

  test('a folder we moved does not bring back an item another device deleted first, even across a restart', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false });
    await mkdir(nodePath.join(a.root, 'd'));
    await writeFile(nodePath.join(a.root, 'd', 'x.txt'), 'x');
    await writeFile(nodePath.join(a.root, 'd', 'y.txt'), 'y');
    await a.engine.syncOnce();
    // Our feed lags: the delete of d/x.txt is not seen before we move d (carrying x.txt in the mirror).
    hooked.hooks.listContinue = async (cursor) => ({ changes: [], cursor, hasMore: false });
    await world.provider().delete('/d/x.txt');
    await rename(nodePath.join(a.root, 'd'), nodePath.join(a.root, 'e'));
    await a.engine.syncOnce();
    assert.deepEqual(Object.keys(await remoteSnapshot(world)).sort(), ['e', 'e/y.txt']);
    await world.stopDevice(a);
    const again = await world.device('alpha', { root: a.root, live: false });
    assert.equal((await again.engine.syncOnce()).converged, true);
    assert.equal(await exists(nodePath.join(a.root, 'e', 'x.txt')), false, 'the delete reached this device');
    assert.equal(await readFile(nodePath.join(a.root, 'e', 'y.txt'), 'utf8'), 'y');
  });

  test('a local rename racing an edit on Dropbox keeps the edit: downloaded, never overwritten by the renamed copy', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false });
    await writeFile(nodePath.join(a.root, 'f'), 'agreed');
    await a.engine.syncOnce();
    const synced = a.index.getRemote('/f')!;
    // Our feed lags: the edit on Dropbox is not seen before we move f (which carries the edit along).
    let lagging = true;
    hooked.hooks.listContinue = async (cursor, real) => (lagging ? { changes: [], cursor, hasMore: false } : real(cursor));
    const theirs = nodePath.join(await world.tempDir('other'), 'f');
    await writeFile(theirs, 'their edit');
    await world.provider().upload(theirs, '/f', { parentRev: synced.rev });
    await rename(nodePath.join(a.root, 'f'), nodePath.join(a.root, 'e'));
    await a.engine.syncOnce();
    lagging = false;
    await a.engine.syncOnce();
    assert.equal(await readFile(nodePath.join(a.root, 'e'), 'utf8'), 'their edit');
    assert.deepEqual(await remoteSnapshot(world), { e: contentHashOf(Buffer.from('their edit')) });
  });

  test('a stale page still showing the old rev does not roll back an acknowledged upload', async () => {
    const hooked = new HookedProvider(world.provider());
    const a = await world.device('alpha', { provider: hooked, live: false });
    await writeFile(nodePath.join(a.root, 'x.txt'), 'v1');
    await a.engine.syncOnce();
    const old = a.index.getRemote('/x.txt')!;
    let stale = 1;
    hooked.hooks.listContinue = async (cursor, real) => {
      if (stale === 0) return real(cursor);
      stale -= 1;
      return { changes: [{ kind: 'upsert', item: old }], cursor, hasMore: false };
    };
    await writeFile(nodePath.join(a.root, 'x.txt'), 'version 2');
    await a.engine.syncOnce();
    await a.engine.syncOnce();
    assert.equal(await readFile(nodePath.join(a.root, 'x.txt'), 'utf8'), 'version 2');
    assert.equal(hooked.calls.download, 0, 'the stale rev was never fetched');
  });
});
