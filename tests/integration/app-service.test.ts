// The app service as both hosts use it, end to end against the emulator: sign in by the paste flow,
// add folder pairs on two devices, watch a file travel, pause and resume, lose the sign-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createAppService } from '../../src/main/service/appService.js';
import { MemorySettingsStore } from '../../src/main/service/settings/jsonSettingsStore.js';
import { MemorySecretStore } from '../../src/main/core/secrets/index.js';
import type { AppServiceApi } from '../../src/main/service/types.js';
import type { AppState, PairView } from '../../src/common/contract.js';
import { waitFor, exists } from '../helpers/syncHarness.js';

interface Device {
  service: AppServiceApi;
  secrets: MemorySecretStore;
  settings: MemorySettingsStore;
  root: string;
  states: AppState[];
}

type TestContext = { after: (fn: () => Promise<void>) => void };

async function device(t: TestContext, emulator: Emulator, name: string): Promise<Device> {
  const root = await mkdtemp(nodePath.join(tmpdir(), `twinfold-${name}-`));
  const stateDir = await mkdtemp(nodePath.join(tmpdir(), `twinfold-${name}-state-`));
  const secrets = new MemorySecretStore();
  const settings = new MemorySettingsStore();
  const service = createAppService({ host: { kind: 'web' }, settings, secrets, stateDir, apiUrl: emulator.url, envAppKey: 'test-app', deviceName: name, stateIntervalMs: 20 });
  const states: AppState[] = [];
  service.on('state', (s) => states.push(s));
  await service.start();
  // One hook, in this order: the engines must stop before their folders go.
  t.after(async () => {
    await service.stop();
    await Promise.all([root, stateDir].map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return { service, secrets, settings, root, states };
}

/** The paste flow, as a user does it: open the link, copy the code Dropbox shows, paste it. */
async function signIn(d: Device): Promise<void> {
  const start = (await d.service.call('signInStart', {})) as AppState['signIn'];
  assert.equal(start.mode, 'paste');
  assert.ok(start.authorizeUrl);
  const page = await (await fetch(start.authorizeUrl)).text();
  const code = /id="authorization-code">([^<]+)</.exec(page)?.[1];
  assert.ok(code, 'the emulator shows a code');
  await d.service.call('signInFinish', { code });
}

test('app service: two devices sign in, pair the same Dropbox folder and sync through it', async (t) => {
  const emulator = await startEmulator({ autoApprove: true });
  t.after(() => emulator.close());
  const a = await device(t, emulator, 'alpha');
  const b = await device(t, emulator, 'beta');

  assert.equal(a.service.getState().overall, 'signin_needed');
  await assert.rejects(a.service.call('addPair', { localPath: 'relative/path', remotePath: '/Shared' }), /absolute|not/i);
  await assert.rejects(a.service.call('setPairPaused', { pairId: 'NOT VALID', paused: true }), (err: Error & { code?: string }) => err.code === 'bad_request');
  await assert.rejects(a.service.call('noSuchRequest', {}), (err: Error & { code?: string }) => err.code === 'not_found');

  await signIn(a);
  await signIn(b);
  assert.equal(a.service.getState().account?.accountId, emulator.accountId);
  assert.equal(a.service.getState().overall, 'no_pairs');
  assert.equal(a.settings.read().accountId, emulator.accountId);
  assert.equal(JSON.stringify(a.settings.read()).includes('token'), false, 'no token in the settings');
  assert.deepEqual(await a.secrets.list(), [emulator.accountId]);

  const top = (await a.service.call('browseRemote', { path: '' })) as { folders: unknown[] };
  assert.deepEqual(top.folders, []);

  await writeFile(nodePath.join(a.root, 'hello.txt'), 'hello from alpha');
  const pairA = (await a.service.call('addPair', { localPath: a.root, remotePath: '/Shared', options: { quietMs: 50 } })) as PairView;
  const pairB = (await b.service.call('addPair', { localPath: b.root, remotePath: '/Shared', options: { quietMs: 50 } })) as PairView;
  await assert.rejects(a.service.call('addPair', { localPath: nodePath.join(a.root, 'sub'), remotePath: '/Other' }), /another|inside|exist/i);

  await waitFor('hello.txt reaches beta', () => exists(nodePath.join(b.root, 'hello.txt')));
  assert.equal(await readFile(nodePath.join(b.root, 'hello.txt'), 'utf8'), 'hello from alpha');
  await waitFor('alpha reports up to date', () => a.service.getState().overall === 'up_to_date');
  assert.ok(a.states.length > 0, 'state events were pushed');

  // The file lands before the engine records the download: wait for the record, not the file.
  const downloaded = async () => ((await b.service.call('getActivity', { limit: 10 })) as { activity: { action: string; path: string }[] }).activity;
  await waitFor('beta records the download', async () => (await downloaded()).some((e) => e.action === 'download' && e.path === '/hello.txt'));

  // Paused: nothing travels; resumed: it does.
  await b.service.call('setPairPaused', { pairId: pairB.id, paused: true });
  await waitFor('beta shows paused', () => b.service.getState().pairs[0]?.overall === 'paused');
  await writeFile(nodePath.join(a.root, 'while-paused.txt'), 'later');
  await waitFor('alpha uploaded it', async () => a.service.getState().overall === 'up_to_date' && (await a.service.call('getActivity', { limit: 10 }) as { activity: { path: string }[] }).activity.some((e) => e.path === '/while-paused.txt'));
  assert.equal(await exists(nodePath.join(b.root, 'while-paused.txt')), false);
  await b.service.call('setPairPaused', { pairId: pairB.id, paused: false });
  await waitFor('while-paused.txt reaches beta after resume', () => exists(nodePath.join(b.root, 'while-paused.txt')));

  // Removing a pair never deletes files.
  await a.service.call('removePair', { pairId: pairA.id });
  assert.equal(await readFile(nodePath.join(a.root, 'hello.txt'), 'utf8'), 'hello from alpha');
  assert.equal(a.service.getState().pairs.length, 0);
});

test('app service: a revoked sign-in shows "sign in again", and sign-out forgets the secret', async (t) => {
  const emulator = await startEmulator({ autoApprove: true });
  t.after(() => emulator.close());
  const a = await device(t, emulator, 'alpha');
  await signIn(a);
  await a.service.call('addPair', { localPath: a.root, remotePath: '/Docs', options: { quietMs: 50 } });
  await waitFor('up to date', () => a.service.getState().overall === 'up_to_date');

  const saved = JSON.parse((await a.secrets.get(emulator.accountId))!) as { refreshToken: string };
  emulator.tokens.revokeRefreshToken(saved.refreshToken);
  emulator.expireTokens();
  await writeFile(nodePath.join(a.root, 'after-revoke.txt'), 'x');
  await waitFor('sign-in needed', () => a.service.getState().signInNeeded, 20_000);
  assert.equal(a.service.getState().overall, 'signin_needed');

  await a.service.call('signOut', {});
  assert.deepEqual(await a.secrets.list(), []);
  assert.equal(a.settings.read().accountId, undefined);
  assert.equal(a.service.getState().account, undefined);
  assert.equal(await readFile(nodePath.join(a.root, 'after-revoke.txt'), 'utf8'), 'x', 'files stay');
});
