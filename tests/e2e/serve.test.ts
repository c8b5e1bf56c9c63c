// `twinfold serve` end to end, as a user meets it: a real browser (Debian's chromium through
// playwright-core) opens the printed address, signs in through the Dropbox emulator's consent page,
// adds a folder pair with the web folder browsers, and watches files reach a second device (a
// `twinfold sync` child). It pauses and resumes, sees progress and activity, and, after the
// emulator revokes the sign-in, sees "Sign in again" explained and signs in again.
// The UI is opened on http://localhost:PORT while the emulator is 127.0.0.1: the consent page and
// the UI are different sites, so the way back from Dropbox arrives without the SameSite=Strict
// session cookie, exactly as it does from dropbox.com.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator } from '../../src/emulator/index.js';
import { defer, repoRoot, startCli } from '../emulator/support.js';
import { waitFor } from '../helpers/syncHarness.js';
import { isolatedEnv, startServe, tempDir } from './support/serveProcess.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DEVICE_B_TOKEN = 'e2e-device-b-token';
const UI_INDEX = nodePath.join(repoRoot, 'dist/renderer/index.html');

/**
 * The README's screenshots (sign-in, status-syncing, folders, activity) go to docs/screenshots
 * with TWINFOLD_SCREENSHOTS=1, else to a temp folder; other steps always go to a temp folder.
 */
async function screenshotDirs(): Promise<{ readme: string; steps: string }> {
  const steps = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-e2e-screens-'));
  if (process.env.TWINFOLD_SCREENSHOTS !== '1') return { readme: steps, steps };
  const readme = nodePath.join(repoRoot, 'docs/screenshots');
  await mkdir(readme, { recursive: true });
  return { readme, steps };
}

/** Resolves when `file` exists with exactly `content`. */
function arrives(file: string, content: string, timeoutMs = 20_000): Promise<void> {
  return waitFor(`${file} to hold ${JSON.stringify(content.slice(0, 20))}`, async () => (await readFile(file, 'utf8').catch(() => undefined)) === content, timeoutMs);
}

async function consentAndReturn(page: Page, emulatorUrl: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/authorize`));
  await page.getByRole('button', { name: 'Allow' }).click();
  // Back on Twinfold: the callback page sends the browser on to / with its session.
  await page.waitForURL((url) => url.pathname === '/' && url.host.startsWith('localhost:'));
}

test('twinfold serve in a browser: sign in, add a pair, sync to a second device, pause, revoked sign-in', { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests`);
    return;
  }
  if (!existsSync(UI_INDEX)) {
    t.skip(`${UI_INDEX} is missing: run npm run build first`);
    return;
  }
  const { readme: shots, steps } = await screenshotDirs();
  t.diagnostic(`screenshots: ${shots} and ${steps}`);

  const emu = await startEmulator({ accessTokens: [DEVICE_B_TOKEN], autoApprove: false });
  defer(t, () => emu.close());
  const root = await tempDir(t, 'e2e-serve');
  const homeA = nodePath.join(root, 'home-a');
  const work = nodePath.join(homeA, 'Work');
  const deviceB = nodePath.join(root, 'device-b');
  await mkdir(work, { recursive: true });
  await mkdir(deviceB);

  const serve = await startServe(t, ['--port', '0', '--state', nodePath.join(root, 'state-a'), '--api-url', emu.url, '--app-key', 'test-app'], isolatedEnv(homeA));
  defer(t, () => serve.stop());

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  defer(t, () => browser.close());
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, colorScheme: 'light' });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const callbacks: number[] = [];
  page.on('response', (res) => {
    if (new URL(res.url()).pathname === '/oauth/callback') callbacks.push(res.status());
  });

  // ---- open the printed address: the token becomes the session cookie and leaves the URL -------
  const localUrl = serve.url.replace('//127.0.0.1:', '//localhost:');
  await page.goto(localUrl);
  assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
  const account = page.getByRole('region', { name: 'Account' });
  const status = page.getByRole('region', { name: 'Status' });
  const folders = page.getByRole('region', { name: 'Folders' });
  const activity = page.getByRole('region', { name: 'Activity' });
  await account.getByRole('button', { name: 'Sign in with Dropbox' }).waitFor();
  await page.screenshot({ path: nodePath.join(shots, 'sign-in.png') });

  // ---- sign in through the emulator's consent page ---------------------------------------------
  await account.getByRole('button', { name: 'Sign in with Dropbox' }).click();
  await consentAndReturn(page, emu.url);
  await account.getByRole('button', { name: 'Sign out' }).waitFor();
  // 200 = the cookie-less path (a page that continues to /), proving the Strict cookie was withheld
  // on the way back from the other site and the pending state alone let the sign-in finish.
  assert.deepEqual(callbacks, [200]);

  // ---- add a pair: ~/Work ⇄ a new Dropbox folder /Shared --------------------------------------
  await folders.getByRole('button', { name: 'Add folder pair' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: /^Choose/ }).click();
  await dialog.getByRole('button', { name: 'Work', exact: true }).click();
  await dialog.getByText('No folders inside').waitFor();
  await dialog.getByRole('button', { name: 'Choose this folder' }).click();
  await dialog.getByText(work, { exact: true }).waitFor();
  await dialog.getByRole('button', { name: /^Browse/ }).click();
  await dialog.getByRole('button', { name: 'Choose this folder' }).click();
  await dialog.getByLabel('New folder inside it (optional)').fill('Shared');
  await dialog.getByText('Syncs with').waitFor();
  await page.screenshot({ path: nodePath.join(shots, 'folders.png') });
  await dialog.getByRole('button', { name: 'Start syncing' }).click();
  await dialog.waitFor({ state: 'detached' });
  await folders.getByText(work).waitFor();

  // ---- the second device syncs the same Dropbox folder ----------------------------------------
  const b = startCli(t, ['sync', deviceB, '/Shared', '--api-url', emu.url, '--quiet-ms', '100'], isolatedEnv(nodePath.join(root, 'home-b'), { TWINFOLD_DROPBOX_TOKEN: DEVICE_B_TOKEN }));
  defer(t, async () => {
    if (b.child.exitCode === null) b.child.kill('SIGTERM');
    await b.exited;
  });
  await b.waitForLine(/syncing /);

  await mkdir(nodePath.join(work, 'notes'));
  await writeFile(nodePath.join(work, 'hello.txt'), 'hello from the web host\n');
  await writeFile(nodePath.join(work, 'notes', 'plan.md'), '# Plan\n');
  await arrives(nodePath.join(deviceB, 'hello.txt'), 'hello from the web host\n');
  await arrives(nodePath.join(deviceB, 'notes', 'plan.md'), '# Plan\n');
  await activity.getByText('hello.txt').first().waitFor();
  await status.getByText('Up to date').first().waitFor();

  // ---- progress: an upload held by the emulator shows as syncing ------------------------------
  emu.faults.add({ fault: { kind: 'latency', ms: 30_000 }, routes: ['files/upload'], times: 1 });
  const big = Buffer.alloc(3 * 1024 * 1024, 7);
  await writeFile(nodePath.join(work, 'video.bin'), big);
  await status.getByText(/Syncing/).first().waitFor();
  await page.screenshot({ path: nodePath.join(shots, 'status-syncing.png') });
  emu.faults.clear(); // releases the held upload
  await waitFor('video.bin on device B', async () => (await readFile(nodePath.join(deviceB, 'video.bin')).catch(() => Buffer.alloc(0))).equals(big));
  await status.getByText('Up to date').first().waitFor();

  await activity.getByText('video.bin').first().waitFor();
  await folders.evaluate((section) => section.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: nodePath.join(shots, 'activity.png') });
  await status.evaluate((section) => section.scrollIntoView({ block: 'end' }));

  // ---- pause and resume the pair --------------------------------------------------------------
  await folders.getByRole('button', { name: 'Pause', exact: true }).click();
  await folders.getByRole('button', { name: 'Resume', exact: true }).waitFor();
  await status.getByText('Paused').first().waitFor();
  await writeFile(nodePath.join(work, 'while-paused.txt'), 'written while paused\n');
  assert.equal(existsSync(nodePath.join(deviceB, 'while-paused.txt')), false);
  await folders.getByRole('button', { name: 'Resume', exact: true }).click();
  await folders.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  await arrives(nodePath.join(deviceB, 'while-paused.txt'), 'written while paused\n');

  // ---- Dropbox revokes the sign-in: the UI explains and offers "Sign in again" ----------------
  for (const { token } of emu.tokens.snapshot().accessTokens) emu.tokens.revokeAccessToken(token);
  await writeFile(nodePath.join(work, 'after-revoke.txt'), 'written after the revoke\n');
  const again = page.getByRole('button', { name: 'Sign in again' });
  await again.waitFor();
  await page.getByText('Dropbox no longer accepts the saved sign-in').first().waitFor();
  await page.screenshot({ path: nodePath.join(steps, 'sign-in-again.png') });
  await again.click();
  await consentAndReturn(page, emu.url);
  await again.waitFor({ state: 'detached' });
  await arrives(nodePath.join(deviceB, 'after-revoke.txt'), 'written after the revoke\n');

  assert.deepEqual(pageErrors, [], 'no script errors in the page');
  assert.equal(await serve.stop(), 0, serve.cli.stderr());
  assert.doesNotMatch(serve.cli.stderr(), new RegExp(serve.token), 'the session token is never logged');
});
