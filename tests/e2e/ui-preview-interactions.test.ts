// The window UI driven in Chromium against a fake host: what each control sends, that confirms
// come first, that bad input changes nothing, and that pushed state shows up. Skips with a reason
// when Chromium or the built UI (node scripts/build-ui.mjs) is missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { AppState } from '../../src/common/contract.js';
import { fixtures, type PreviewFixture } from './ui-preview-fixtures.js';
import { fakeApiScript, launchChromium, missingForUi, serveRenderer } from './ui-preview-support.js';

const missing = missingForUi();
let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serveRenderer>> | undefined;

before(async () => {
  if (missing) return;
  server = await serveRenderer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

type Call = { name: string; args: unknown };

async function open(fixture: PreviewFixture): Promise<Page> {
  if (!browser || !server) throw new Error('not started');
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.addInitScript({ content: fakeApiScript(fixture) });
  await page.goto(server.url);
  await page.getByRole('heading', { name: 'Status' }).waitFor();
  assert.deepEqual(problems, []);
  return page;
}

async function calls(page: Page, ignore: readonly string[] = ['getState', 'getActivity']): Promise<Call[]> {
  const all = (await page.evaluate('window.__calls')) as Call[];
  return all.filter((c) => !ignore.includes(c.name));
}

/** Waits until the fake host has seen a call named `name` (no sleeping: polls the page). */
async function waitForCall(page: Page, name: string): Promise<void> {
  await page.waitForFunction((n) => (globalThis as unknown as { __calls: Call[] }).__calls.some((c) => c.name === n), name);
}

const now = Date.now();
const skip = missing ? `UI not testable here: ${missing}` : false;

test('signing out asks first; Escape cancels without a call, confirming signs out', { skip }, async () => {
  const page = await open(fixtures(now).syncing!);
  await page.getByRole('button', { name: 'Sign out' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? '', /files stay/i);
  // Focus starts inside the dialog, on the safe choice.
  assert.equal(await page.evaluate('document.activeElement.textContent'), 'Cancel');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate('document.activeElement.textContent'), 'Sign out', 'focus went back to the button');
  assert.deepEqual(await calls(page), []);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Sign out' }).click();
  await waitForCall(page, 'signOut');
  assert.deepEqual(await calls(page), [{ name: 'signOut', args: {} }]);
  await page.context().close();
});

test('removing a pair says files are never deleted, then removes that pair only', { skip }, async () => {
  const page = await open(fixtures(now).paused!);
  await page.getByRole('listitem', { name: 'Phone' }).getByRole('button', { name: 'Remove' }).click();
  const dialog = page.getByRole('dialog');
  assert.match((await dialog.textContent()) ?? '', /No files are deleted/);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await waitForCall(page, 'removePair');
  assert.deepEqual(await calls(page), [{ name: 'removePair', args: { pairId: 'pphoto01' } }]);
  await page.context().close();
});

test('a failed call is shown next to the action and nothing is swallowed', { skip }, async () => {
  const page = await open(fixtures(now).paused!);
  await page.evaluate("window.__failNext = 'Twinfold cannot reach Dropbox right now.'");
  await page.getByRole('listitem', { name: 'Work' }).getByRole('button', { name: 'Resume' }).click();
  await page.getByRole('listitem', { name: 'Work' }).getByRole('alert').filter({ hasText: 'cannot reach Dropbox' }).waitFor();
  assert.deepEqual(await calls(page), [{ name: 'setPairPaused', args: { pairId: 'pwork001', paused: false } }]);
  await page.context().close();
});

test('errors offer Retry for that path; Reveal and Open only where the host can', { skip }, async () => {
  const attention = fixtures(now).attention!;
  const page = await open(attention);
  const list = page.getByRole('list', { name: 'Files that could not be synced' });
  await list.getByRole('listitem').first().waitFor();
  assert.equal(await list.getByRole('button', { name: 'Reveal' }).count(), 0, 'the web host cannot reveal');
  await list.getByRole('listitem').filter({ hasText: 'huge-export.zip' }).getByRole('button', { name: 'Retry', exact: true }).click();
  await waitForCall(page, 'retryErrors');
  assert.deepEqual(await calls(page), [{ name: 'retryErrors', args: { pairId: 'pwork001', path: '/Clients/Acme/huge-export.zip' } }]);
  await page.context().close();

  const desktop = await open({ ...attention, state: { ...attention.state, host: { kind: 'electron', nativeFolderPicker: true, canReveal: true, canAutostart: true } } });
  const row = desktop.getByRole('list', { name: 'Files that could not be synced' }).getByRole('listitem').first();
  await row.getByRole('button', { name: 'Open' }).click();
  await waitForCall(desktop, 'revealPath');
  assert.deepEqual(await calls(desktop), [{ name: 'revealPath', args: { pairId: 'pwork001', path: '/Clients/Acme/huge-export.zip', open: true } }]);
  await desktop.context().close();
});

test('adding a pair on the web: browse both sides, name a new Dropbox folder, start syncing', { skip }, async () => {
  const page = await open(fixtures(now).attention!);
  await page.getByRole('button', { name: 'Add folder pair' }).click();
  const dialog = page.getByRole('dialog');
  // Nothing chosen yet: submitting says what is missing and sends nothing.
  await dialog.getByRole('button', { name: 'Start syncing' }).click();
  await dialog.getByText('Choose a folder on this computer.').waitFor();

  await dialog.getByRole('button', { name: 'Choose…' }).click();
  await dialog.getByRole('button', { name: 'Documents' }).click();
  await dialog.getByRole('button', { name: 'Work' }).waitFor();
  await dialog.getByRole('button', { name: 'Choose this folder' }).click();
  await dialog.getByText('/home/ann/Documents', { exact: true }).waitFor();

  await dialog.getByRole('button', { name: 'Browse…' }).click();
  await dialog.getByRole('button', { name: 'Work' }).click();
  await dialog.getByRole('button', { name: 'Clients' }).waitFor();
  await dialog.getByRole('button', { name: 'Choose this folder' }).click();

  const name = dialog.getByLabel('New folder inside it (optional)');
  await name.fill('a/b');
  await dialog.getByRole('button', { name: 'Start syncing' }).click();
  await dialog.getByText(/cannot contain \//).waitFor();
  await name.fill('Acme');
  await name.press('Enter');
  await waitForCall(page, 'addPair');
  assert.deepEqual(await calls(page, ['getState', 'getActivity', 'browseLocal', 'browseRemote']), [{ name: 'addPair', args: { localPath: '/home/ann/Documents', remotePath: '/Work/Acme' } }]);
  await dialog.waitFor({ state: 'detached' });
  await page.context().close();
});

test('pair options: a bad quiet period is refused without a call; selective sync saves exclusions', { skip }, async () => {
  const page = await open(fixtures(now).syncing!);
  const pair = page.getByRole('listitem', { name: 'Phone' });
  await pair.getByRole('button', { name: 'Options' }).click();
  await pair.getByLabel('Quiet period (seconds)').fill('9999');
  await pair.getByRole('button', { name: 'Save options' }).click();
  await pair.getByText('at most 3600 seconds').waitFor();
  assert.deepEqual(await calls(page, ['getState', 'getActivity', 'getIgnoreRules', 'browseRemote']), []);

  await pair.getByLabel('Quiet period (seconds)').fill('2');
  await pair.getByRole('button', { name: 'Save options' }).click();
  await waitForCall(page, 'updatePairOptions');

  // '/Raw' starts excluded; include it and leave out 2023 instead.
  await pair.getByRole('checkbox', { name: 'Raw' }).check();
  await pair.getByRole('checkbox', { name: '2023' }).uncheck();
  await pair.getByRole('button', { name: 'Save selection' }).click();
  await page.waitForFunction(() => (globalThis as unknown as { __calls: Call[] }).__calls.filter((c) => c.name === 'updatePairOptions').length === 2);
  assert.deepEqual(await calls(page, ['getState', 'getActivity', 'getIgnoreRules', 'browseRemote']), [
    { name: 'updatePairOptions', args: { pairId: 'pphoto01', options: { quietMs: 2000 } } },
    { name: 'updatePairOptions', args: { pairId: 'pphoto01', options: { excluded: ['/2023'] } } },
  ]);
  await page.context().close();
});

test('pushed state replaces the view; progress bars expose their value', { skip }, async () => {
  const all = fixtures(now);
  const page = await open(all.syncing!);
  const bar = page.getByRole('progressbar', { name: 'Uploading Brand guidelines 2025 (final).pdf' });
  assert.equal(await bar.getAttribute('aria-valuenow'), '38');
  const next: AppState = all.paused!.state;
  await page.evaluate((state) => (globalThis as unknown as { __emit(n: string, p: unknown): void }).__emit('state', state), next);
  await page.getByTestId('status-headline').filter({ hasText: /^Paused until/ }).waitFor();
  assert.equal(await page.getByRole('progressbar').count(), 0);
  await page.context().close();
});

test('paste sign-in: the link opens in a new tab and the code is sent trimmed', { skip }, async () => {
  const page = await open(fixtures(now)['signing-in-paste']!);
  const link = page.getByRole('link', { name: 'Open the Dropbox sign-in page' });
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match((await link.getAttribute('rel')) ?? '', /noopener/);
  await page.getByLabel('Code from Dropbox').fill('  abc123  ');
  await page.getByRole('button', { name: 'Finish sign-in' }).click();
  await waitForCall(page, 'signInFinish');
  assert.deepEqual(await calls(page), [{ name: 'signInFinish', args: { code: 'abc123' } }]);
  await page.context().close();
});
