// Shared setup of the pair manager tests: a fresh SyncWorld (emulator on loopback, temp folders)
// for every test, the managers a test made stopped after it, and providers on the emulator for
// any Dropbox folder (what the account gives the pair manager in the app).
import { afterEach, beforeEach } from 'node:test';
import { SyncWorld, TEST_TOKEN } from './syncHarness.js';
import { DropboxProvider } from '../../src/main/core/remote/dropbox/dropboxProvider.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import type { PairManager } from '../../src/main/service/pairs/pairManager.js';

/** The current test's world; replaced before each test. */
export let world: SyncWorld;
/** Managers to stop after the current test; a test that stops one itself takes it out. */
export const managers: PairManager[] = [];

/** Registers the hooks that create and tear down `world` and `managers` around each test. */
export function usePairManagerWorld(): void {
  beforeEach(async () => {
    world = await SyncWorld.create({ remoteRoot: '' });
    managers.length = 0;
  });
  afterEach(async () => {
    for (const m of managers) await m.stopAll();
    await world.close();
  });
}

/** A provider rooted at `remoteRoot` on the current world's emulator, with fast retries. */
export function emulatorProvider(remoteRoot: string): DropboxProvider {
  return new DropboxProvider({
    remoteRoot,
    credentials: { accessToken: TEST_TOKEN },
    fetch: rewritingFetch(world.emulator.url),
    logger: { warn: () => {} },
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
  });
}
