// Spelling end to end: the disk is addressed by its own spelling of a name, Dropbox by its own
// (case, Unicode form), and case-only renames travel both ways. Real temp folders, the emulator.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SyncWorld, contentHashOf, converged, waitFor, type Device } from '../helpers/syncHarness.js';

let world: SyncWorld;

beforeEach(async () => {
  world = await SyncWorld.create();
});

afterEach(async () => {
  await world.close();
});

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';

/** Dropbox's spelling (path_display) of everything in the synced folder, by key. */
async function remoteSpellings(): Promise<Map<string, { path: string; contentHash?: string }>> {
  const provider = world.provider();
  const out = new Map<string, { path: string; contentHash?: string }>();
  let page = await provider.listAll();
  for (;;) {
    for (const change of page.changes) if (change.kind === 'upsert') out.set(change.item.key, { path: change.item.path, contentHash: change.item.contentHash });
    if (!page.hasMore) return out;
    page = await provider.listContinue(page.cursor);
  }
}

/** Names in one folder of a device, exactly as spelled on disk. */
async function namesIn(device: Device, rel = ''): Promise<string[]> {
  return (await readdir(nodePath.join(device.root, rel))).filter((n) => n !== '.twinfold').sort();
}

/** Puts a file on Dropbox directly, as another client would, spelled exactly as given. */
async function uploadAs(remotePath: string, content: string): Promise<void> {
  const src = nodePath.join(await world.tempDir('src'), 'file');
  await writeFile(src, content);
  await world.provider().upload(src, remotePath, {});
}

async function startAll(...devices: Device[]): Promise<void> {
  for (const d of devices) await d.engine.start();
}

describe('each side is addressed by its own spelling', () => {
  test('a new local file in a folder Dropbox spells differently uploads into that folder, and a second device gets it', async () => {
    await world.provider().createFolder('/Docs');
    const a = await world.device('alpha');
    await mkdir(nodePath.join(a.root, 'docs'));
    await writeFile(nodePath.join(a.root, 'docs/x.txt'), 'x');
    const b = await world.device('beta');
    await startAll(a, b);
    await converged(world);

    assert.equal((await remoteSpellings()).get('/docs/x.txt')?.path, '/Docs/x.txt');
    assert.deepEqual(await namesIn(a), ['docs'], 'the local folder keeps its own spelling');
    assert.equal(await readFile(nodePath.join(b.root, 'Docs/x.txt'), 'utf8'), 'x');

    // And the other way: a file new on Dropbox lands in the folder as spelled on disk.
    await uploadAs('/Docs/y.txt', 'y');
    await waitFor('y.txt on alpha', async () => (await namesIn(a, 'docs')).includes('y.txt'));
    assert.deepEqual(await namesIn(a), ['docs']);
    assert.equal(await readFile(nodePath.join(a.root, 'docs/y.txt'), 'utf8'), 'y');
  });

  for (const [disk, dropbox] of [
    ['NFD', 'NFC'],
    ['NFC', 'NFD'],
  ] as const) {
    test(`an edit of a file spelled ${disk} on disk and ${dropbox} on Dropbox is uploaded`, async () => {
      const diskName = disk === 'NFD' ? NFD : NFC;
      const dropboxName = dropbox === 'NFD' ? NFD : NFC;
      await uploadAs(`/${dropboxName}`, 'v1');
      const a = await world.device('alpha');
      await writeFile(nodePath.join(a.root, diskName), 'v1');
      await startAll(a);
      await converged(world);

      await writeFile(nodePath.join(a.root, diskName), 'v2');
      await waitFor('the edit on Dropbox', async () => [...(await remoteSpellings()).values()][0]?.contentHash === contentHashOf(Buffer.from('v2')));
      await converged(world);
      const remote = [...(await remoteSpellings()).values()];
      assert.deepEqual(remote.map((r) => r.path), [`/${dropboxName}`], 'no rename for a Unicode form');
      assert.deepEqual(await namesIn(a), [diskName]);
    });
  }
});

describe('case-only renames', () => {
  test('a local case-only rename reaches Dropbox and a second device', async () => {
    const a = await world.device('alpha');
    const b = await world.device('beta');
    await startAll(a, b);
    await writeFile(nodePath.join(a.root, 'a.txt'), 'v1');
    await converged(world);

    await rename(nodePath.join(a.root, 'a.txt'), nodePath.join(a.root, 'A.txt'));
    await waitFor('the new spelling on beta', async () => (await namesIn(b)).includes('A.txt'));
    await converged(world);
    assert.equal((await remoteSpellings()).get('/a.txt')?.path, '/A.txt');
    assert.deepEqual(await namesIn(a), ['A.txt']);
    assert.deepEqual(await namesIn(b), ['A.txt']);
    assert.equal(await readFile(nodePath.join(b.root, 'A.txt'), 'utf8'), 'v1');
  });

  test('an edit after a local case-only rename reaches Dropbox', async () => {
    const a = await world.device('alpha');
    const b = await world.device('beta');
    await startAll(a, b);
    await writeFile(nodePath.join(a.root, 'a.txt'), 'v1');
    await converged(world);

    await rename(nodePath.join(a.root, 'a.txt'), nodePath.join(a.root, 'A.txt'));
    await writeFile(nodePath.join(a.root, 'A.txt'), 'v2');
    await waitFor('v2 on beta', async () => (await namesIn(b)).includes('A.txt') && (await readFile(nodePath.join(b.root, 'A.txt'), 'utf8')) === 'v2');
    await converged(world);
    const remote = (await remoteSpellings()).get('/a.txt');
    assert.equal(remote?.path, '/A.txt');
    assert.equal(remote?.contentHash, contentHashOf(Buffer.from('v2')));
  });

  test('a remote case-only rename of a folder respells it on disk, with its contents', async () => {
    const a = await world.device('alpha');
    const b = await world.device('beta');
    await startAll(a, b);
    await mkdir(nodePath.join(a.root, 'docs'));
    await writeFile(nodePath.join(a.root, 'docs/x.txt'), 'x');
    await converged(world);

    // Another client respells the folder on Dropbox: through a temporary name, as Dropbox requires.
    const other = world.provider();
    await other.move('/docs', '/docs-respelling');
    await other.move('/docs-respelling', '/Docs');
    await waitFor('the new spelling on both devices', async () => (await namesIn(a)).includes('Docs') && (await namesIn(b)).includes('Docs'));
    await converged(world);
    assert.deepEqual(await namesIn(a), ['Docs']);
    assert.equal(await readFile(nodePath.join(b.root, 'Docs/x.txt'), 'utf8'), 'x');
    assert.equal((await remoteSpellings()).get('/docs/x.txt')?.path, '/Docs/x.txt');
  });
});
