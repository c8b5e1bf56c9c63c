// The sync engine end to end: real temp folders, real watcher, the emulator, several devices.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, rm, symlink, writeFile, readdir, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SyncWorld, converged, exists, remoteSnapshot, snapshot, waitFor } from '../helpers/syncHarness.js';

let world: SyncWorld;

beforeEach(async () => {
  world = await SyncWorld.create();
});

afterEach(async () => {
  await world.close();
});

async function twoDevices() {
  const a = await world.device('alpha');
  const b = await world.device('beta');
  await a.engine.start();
  await b.engine.start();
  await converged(world);
  return { a, b };
}

describe('live two-way sync', () => {
  test('files and folders created, edited and deleted on one device appear on the other', async () => {
    const { a, b } = await twoDevices();
    await mkdir(nodePath.join(a.root, 'docs/empty'), { recursive: true });
    await writeFile(nodePath.join(a.root, 'docs/readme.txt'), 'hello');
    await writeFile(nodePath.join(a.root, 'top.txt'), 'top');
    assert.deepEqual(await converged(world), {
      docs: '<dir>',
      'docs/empty': '<dir>',
      'docs/readme.txt': 'hello',
      'top.txt': 'top',
    });

    await writeFile(nodePath.join(b.root, 'docs/readme.txt'), 'hello again');
    await converged(world);
    assert.equal(await readFile(nodePath.join(a.root, 'docs/readme.txt'), 'utf8'), 'hello again');

    await rm(nodePath.join(a.root, 'top.txt'));
    await rm(nodePath.join(a.root, 'docs/empty'), { recursive: true });
    assert.deepEqual(await converged(world), { docs: '<dir>', 'docs/readme.txt': 'hello again' });
  });

  test('a rename on one side is a move on the other, not a delete and re-upload', async () => {
    const { a, b } = await twoDevices();
    await mkdir(nodePath.join(a.root, 'folder'));
    await writeFile(nodePath.join(a.root, 'folder/x.txt'), 'x');
    await converged(world);
    const before = a.index.getSynced('/folder/x.txt');

    await rename(nodePath.join(a.root, 'folder'), nodePath.join(a.root, 'renamed'));
    assert.deepEqual(await converged(world), { renamed: '<dir>', 'renamed/x.txt': 'x' });
    const after = a.index.getSynced('/renamed/x.txt');
    assert.equal(after?.id, before?.id, 'the Dropbox id survives the move');
    const actionsA = a.index.recentActivity(50).map((e) => e.action);
    assert.ok(actionsA.includes('move_remote'), `alpha moved remotely: ${actionsA.join(',')}`);
    assert.ok(!actionsA.slice(0, actionsA.indexOf('move_remote')).includes('upload'));
    const actionsB = b.index.recentActivity(50).map((e) => e.action);
    assert.ok(actionsB.includes('move_local'), `beta moved locally: ${actionsB.join(',')}`);
  });

  test('a remote delete moves the local file to the trash, never unlinks it', async () => {
    const { a, b } = await twoDevices();
    await writeFile(nodePath.join(a.root, 'keep-me.txt'), 'precious');
    await converged(world);
    await rm(nodePath.join(b.root, 'keep-me.txt'));
    await converged(world);
    assert.equal(await exists(nodePath.join(a.root, 'keep-me.txt')), false);
    const deleted = a.index.recentActivity(20).find((e) => e.action === 'delete_local');
    assert.ok(deleted, 'alpha recorded a local delete');
    const location = /trash: (.+)$/.exec(deleted.detail ?? '')?.[1];
    assert.ok(location, `the activity says where it went: ${deleted.detail}`);
    assert.equal(await readFile(location, 'utf8'), 'precious', 'the deleted file is recoverable from there');
    await rm(location, { force: true });
  });
});

describe('merging and conflicts', () => {
  test('first sync of two non-empty sides links identical files and keeps everything', async () => {
    const a = await world.device('alpha');
    await writeFile(nodePath.join(a.root, 'same.txt'), 'same');
    await writeFile(nodePath.join(a.root, 'only-a.txt'), 'a');
    await a.engine.start();
    await converged(world);

    const b = await world.device('beta');
    await writeFile(nodePath.join(b.root, 'same.txt'), 'same');
    await writeFile(nodePath.join(b.root, 'only-b.txt'), 'b');
    await b.engine.start();
    const final = await converged(world);
    assert.deepEqual(final, { 'only-a.txt': 'a', 'only-b.txt': 'b', 'same.txt': 'same' });
    const bActions = b.index.recentActivity(50).filter((e) => e.path.toLowerCase() === '/same.txt');
    assert.deepEqual(bActions, [], 'the identical file was linked without a transfer');
  });

  test('both sides edited: remote keeps the name, local becomes a conflicted copy', async () => {
    const a = await world.device('alpha');
    const b = await world.device('beta', { live: false });
    await a.engine.start();
    await writeFile(nodePath.join(a.root, 'notes.txt'), 'base');
    await converged(world);
    await b.engine.syncOnce();
    assert.equal(await readFile(nodePath.join(b.root, 'notes.txt'), 'utf8'), 'base');

    await writeFile(nodePath.join(a.root, 'notes.txt'), 'from alpha');
    await converged(world);
    await writeFile(nodePath.join(b.root, 'notes.txt'), 'from beta');
    await b.engine.syncOnce();
    const files = await snapshot(b.root);
    const copies = Object.keys(files).filter((f) => f.startsWith('notes (beta'));
    assert.equal(copies.length, 1, `one conflicted copy: ${Object.keys(files).join(', ')}`);
    assert.match(copies[0]!, /^notes \(beta's conflicted copy \d{4}-\d{2}-\d{2}\)\.txt$/);
    assert.equal(files['notes.txt'], 'from alpha');
    assert.equal(files[copies[0]!], 'from beta');
    await converged(world);
    assert.equal((await snapshot(a.root))[copies[0]!], 'from beta');
  });

  test('an edit beats a delete', async () => {
    const a = await world.device('alpha');
    const b = await world.device('beta', { live: false });
    await a.engine.start();
    await writeFile(nodePath.join(a.root, 'f.txt'), 'v1');
    await converged(world);
    await b.engine.syncOnce();
    await rm(nodePath.join(a.root, 'f.txt'));
    await converged(world);
    await writeFile(nodePath.join(b.root, 'f.txt'), 'v2 edited offline');
    await b.engine.syncOnce();
    await converged(world);
    assert.equal(await readFile(nodePath.join(a.root, 'f.txt'), 'utf8'), 'v2 edited offline');
  });
});

describe('offline changes and restarts', () => {
  test('changes made while stopped are reconciled at start', async () => {
    const a = await world.device('alpha');
    await a.engine.start();
    await writeFile(nodePath.join(a.root, 'one.txt'), '1');
    await writeFile(nodePath.join(a.root, 'two.txt'), '2');
    await converged(world);
    const root = a.root;
    await world.stopDevice(a);

    await writeFile(nodePath.join(root, 'one.txt'), '1 changed offline');
    await rm(nodePath.join(root, 'two.txt'));
    await writeFile(nodePath.join(root, 'three.txt'), '3');

    const again = await world.device('alpha', { root });
    await again.engine.start();
    const b = await world.device('beta');
    await b.engine.start();
    assert.deepEqual(await converged(world), { 'one.txt': '1 changed offline', 'three.txt': '3' });
    const uploads = again.index.recentActivity(100).filter((e) => e.action === 'upload').map((e) => e.path);
    assert.equal(uploads.filter((p) => p === '/one.txt').length, 2, 'one.txt uploaded once per version, not re-sent');
  });
});

describe('rules', () => {
  test('ignored files are never uploaded; .twinfoldignore rules apply', async () => {
    const { a } = await twoDevices();
    await writeFile(nodePath.join(a.root, '.twinfoldignore'), 'build/\n*.tmp\n');
    await mkdir(nodePath.join(a.root, 'build'));
    await writeFile(nodePath.join(a.root, 'build/out.bin'), 'x');
    await writeFile(nodePath.join(a.root, 'scratch.tmp'), 'x');
    await writeFile(nodePath.join(a.root, '.DS_Store'), 'x');
    await writeFile(nodePath.join(a.root, 'real.txt'), 'real');
    const b = world.devices[1]!;
    await waitFor('real.txt on beta', () => exists(nodePath.join(b.root, 'real.txt')));
    await waitFor('both idle', () => [a, b].every((d) => d.engine.getStatus().state === 'idle'));
    assert.deepEqual(Object.keys(await snapshot(b.root)).sort(), ['.twinfoldignore', 'real.txt']);
    assert.deepEqual(Object.keys(await remoteSnapshot(world)).sort(), ['.twinfoldignore', 'real.txt']);
  });

  test("deletion policy 'keep' never propagates deletions", async () => {
    const a = await world.device('alpha', { deletionPolicy: 'keep' });
    const b = await world.device('beta', { deletionPolicy: 'keep' });
    await a.engine.start();
    await b.engine.start();
    await writeFile(nodePath.join(a.root, 'kept.txt'), 'k');
    await converged(world);
    await rm(nodePath.join(a.root, 'kept.txt'));
    await waitFor('alpha to keep the deletion local', () => a.engine.getStatus().state === 'idle' && a.index.getSynced('/kept.txt')?.keptDeletion === 'local');
    assert.ok('kept.txt' in (await remoteSnapshot(world)), 'still on Dropbox');
    assert.equal(await readFile(nodePath.join(b.root, 'kept.txt'), 'utf8'), 'k');
    assert.equal(await exists(nodePath.join(a.root, 'kept.txt')), false, 'not resurrected on alpha');
  });

  test('mass-delete guard holds back a pass deleting most files', async () => {
    const a = await world.device('alpha');
    await a.engine.start();
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFile(nodePath.join(a.root, `f${i}.txt`), String(i))));
    await converged(world);
    await world.stopDevice(a);
    const b = await world.device('beta', { live: false });
    await b.engine.syncOnce();
    for (const name of await readdir(b.root)) if (name.startsWith('f')) await rm(nodePath.join(b.root, name));
    const { status } = await b.engine.syncOnce();
    assert.equal(status.pauseReason, 'mass_delete');
    const remaining = await world.provider().listAll();
    assert.equal(remaining.changes.filter((c) => c.kind === 'upsert' && c.item.kind === 'file').length, 20, 'nothing deleted remotely');
  });
});

describe('faults', () => {
  test('converges through 429s, 503s, resets and truncated downloads', async () => {
    const { a } = await twoDevices();
    world.emulator.faults.add({ fault: { kind: 'rate_limit', reason: 'too_many_write_operations', retryAfterSec: 0 }, routes: ['files/upload'], times: 2 });
    world.emulator.faults.add({ fault: { kind: 'server_error', status: 503 }, routes: ['files/list_folder/continue'], times: 2 });
    world.emulator.faults.add({ fault: { kind: 'truncate' }, routes: ['files/download'], times: 1 });
    world.emulator.faults.add({ fault: { kind: 'reset' }, routes: ['files/download'], times: 1 });
    for (let i = 0; i < 5; i++) await writeFile(nodePath.join(a.root, `n${i}.txt`), `content ${i}`.repeat(100));
    const final = await converged(world, 30_000);
    assert.equal(Object.keys(final).length, 5);
    assert.equal(final['n3.txt'], 'content 3'.repeat(100));
  });

  test('a revoked token stops the pair with "sign in again"', async () => {
    const { a } = await twoDevices();
    world.emulator.tokens.revokeAccessToken('test-token-harness');
    await writeFile(nodePath.join(a.root, 'after-revoke.txt'), 'x');
    await waitFor('needs sign-in', () => a.engine.getStatus().state === 'needs_signin');
    assert.match(a.engine.getStatus().message ?? '', /sign in again/i);
  });
});

describe('names', () => {
  test('unicode normalisation forms of one name are one file; case collisions are renamed, never overwritten', async () => {
    const { a } = await twoDevices();
    await writeFile(nodePath.join(a.root, 'Report.txt'), 'upper');
    await writeFile(nodePath.join(a.root, 'report.txt'), 'lower');
    const final = await converged(world);
    const names = Object.keys(final).sort();
    assert.equal(names.length, 2, names.join(', '));
    assert.ok(names.some((n) => n.includes('(case conflict)')), names.join(', '));
    assert.deepEqual(Object.values(final).sort(), ['lower', 'upper']);
    const st = await stat(nodePath.join(world.devices[1]!.root, names[0]!));
    assert.ok(st.isFile());
  });
});

describe('more devices and harder cases', () => {
  test('three devices converge on edits made everywhere', async () => {
    const devices = await Promise.all(['one', 'two', 'three'].map((n) => world.device(n)));
    for (const d of devices) await d.engine.start();
    await converged(world);
    await Promise.all(devices.map((d, i) => writeFile(nodePath.join(d.root, `from-${d.name}.txt`), `written on device ${i}`)));
    await mkdir(nodePath.join(devices[2]!.root, 'shared/deep'), { recursive: true });
    await writeFile(nodePath.join(devices[2]!.root, 'shared/deep/file.txt'), 'deep');
    const final = await converged(world);
    assert.deepEqual(Object.keys(final).sort(), ['from-one.txt', 'from-three.txt', 'from-two.txt', 'shared', 'shared/deep', 'shared/deep/file.txt']);
  });

  test('a file added inside a folder the other side deleted survives', async () => {
    const a = await world.device('alpha');
    const b = await world.device('beta', { live: false });
    await a.engine.start();
    await mkdir(nodePath.join(a.root, 'project'));
    await writeFile(nodePath.join(a.root, 'project/old.txt'), 'old');
    await converged(world);
    await b.engine.syncOnce();
    await rm(nodePath.join(a.root, 'project'), { recursive: true });
    await converged(world);
    await writeFile(nodePath.join(b.root, 'project/new.txt'), 'added offline');
    await b.engine.syncOnce();
    const final = await converged(world);
    assert.deepEqual(final, { project: '<dir>', 'project/new.txt': 'added offline' });
  });

  test('NFC and NFD spellings of a name are one file', async () => {
    const { a, b } = await twoDevices();
    const nfd = 'Cafe\u0301.txt';
    await writeFile(nodePath.join(a.root, nfd), 'v1');
    await converged(world);
    const [nameOnB] = (await readdir(b.root)).filter((n) => n !== '.twinfold');
    assert.equal(nameOnB?.normalize('NFC'), 'Café.txt');
    await writeFile(nodePath.join(b.root, nameOnB!), 'v2');
    const final = await converged(world);
    assert.equal(Object.keys(final).length, 1, `one file: ${Object.keys(final).join(', ')}`);
    assert.equal(Object.values(final)[0], 'v2');
  });

  test('a lost network shows offline, then resumes by itself', async () => {
    const { a } = await twoDevices();
    world.emulator.faults.add({ fault: { kind: 'reset' } });
    await writeFile(nodePath.join(a.root, 'while-offline.txt'), 'queued');
    await waitFor('alpha offline', () => a.engine.getStatus().state === 'offline');
    world.emulator.faults.clear();
    const final = await converged(world, 30_000);
    assert.equal(final['while-offline.txt'], 'queued');
  });
});

describe('safety at the edges', () => {
  test('a local symlink never lets a remote file be written outside the folder, nor the remote folder be deleted', async () => {
    const outside = await world.tempDir('outside');
    const a = await world.device('alpha');
    await a.engine.start();
    await mkdir(nodePath.join(a.root, 'link'));
    await writeFile(nodePath.join(a.root, 'link/x.txt'), 'remote content');
    await converged(world);
    await world.stopDevice(a);

    const b = await world.device('beta', { live: false });
    await symlink(outside, nodePath.join(b.root, 'link'));
    await b.engine.syncOnce();
    assert.deepEqual(await readdir(outside), [], 'nothing written through the link');
    assert.equal((await remoteSnapshot(world))['link/x.txt'] !== undefined, true, 'the remote folder survives');
    assert.ok(b.log.some((line) => /symbolic link/.test(line)), b.log.join('\n'));
  });

  test('pause and resume while idle: back to idle, still live', async () => {
    const { a, b } = await twoDevices();
    a.engine.pause();
    assert.equal(a.engine.getStatus().state, 'paused');
    await writeFile(nodePath.join(b.root, 'while-paused.txt'), 'x');
    await waitFor('beta uploaded', async () => 'while-paused.txt' in (await remoteSnapshot(world)));
    assert.equal(await exists(nodePath.join(a.root, 'while-paused.txt')), false, 'nothing applied while paused');
    a.engine.resume();
    const final = await converged(world);
    assert.equal(final['while-paused.txt'], 'x');
  });
});
