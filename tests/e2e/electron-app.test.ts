// The real desktop app, end to end, through Playwright's Electron driver against the Dropbox
// emulator: the window opens on first launch, shows "Sign in with Dropbox", the sign-in goes
// through the loopback redirect, and the tray leaves its "sign-in needed" state. It needs the
// Electron binary, which cannot be downloaded everywhere: without it the test skips and says how
// to install it. The browser step is played by the test (shell.openExternal is captured).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { startEmulator } from '../../src/emulator/index.js';
import { waitFor } from '../helpers/syncHarness.js';
import { repoRoot } from '../emulator/support.js';

const root = repoRoot;
const electronDir = path.join(root, 'node_modules', 'electron');

/** The installed Electron binary, or why there is none. */
function electronBinary(): { path: string } | { missing: string } {
  const pathTxt = path.join(electronDir, 'path.txt');
  if (!existsSync(pathTxt)) return { missing: `Electron binary not installed (${pathTxt} is missing); run \`node node_modules/electron/install.js\` where downloads work` };
  const binary = path.join(electronDir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  if (!existsSync(binary)) return { missing: `Electron binary not installed (${binary} is missing); run \`node node_modules/electron/install.js\` where downloads work` };
  return { path: binary };
}

const found = electronBinary();
const skip = 'missing' in found ? found.missing : false;

interface E2EProbes {
  trayIconState(): string | undefined;
}

test('desktop app: first launch, sign-in through the browser redirect, tray follows', { skip, timeout: 120_000 }, async (t) => {
  assert.ok('path' in found);
  const mainJs = path.join(root, 'dist', 'src', 'main', 'app', 'main.js');
  assert.ok(existsSync(mainJs), `${mainJs} is missing: run \`npm run build\` first`);
  if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html')) || !existsSync(path.join(root, 'dist', 'preload', 'preload.cjs'))) {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-ui.mjs')], { cwd: root, stdio: 'inherit' });
  }

  const emulator = await startEmulator({ autoApprove: true });
  t.after(() => emulator.close());
  const home = await mkdtemp(path.join(os.tmpdir(), 'twinfold-e2e-electron-'));
  t.after(() => rm(home, { recursive: true, force: true }));

  const app = await electron.launch({
    executablePath: found.path,
    args: [root, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      // No keyring: the app falls back as a user without one would, never touching the real keychain.
      DBUS_SESSION_BUS_ADDRESS: 'disabled:',
      TWINFOLD_USER_DATA_DIR: path.join(home, 'userData'),
      TWINFOLD_API_URL: emulator.url,
      TWINFOLD_DROPBOX_APP_KEY: 'e2eappkey',
      TWINFOLD_E2E: '1',
    },
  });
  t.after(() => app.close());

  // Capture the system browser: the test follows the authorize URL itself.
  await app.evaluate(({ shell }) => {
    const opened: string[] = [];
    (globalThis as Record<string, unknown>).__opened = opened;
    shell.openExternal = async (url: string) => {
      opened.push(url);
    };
  });

  const window = await app.firstWindow();
  assert.match(window.url(), /^app:\/\/twinfold\//);
  const signIn = window.getByRole('button', { name: 'Sign in with Dropbox' });
  await signIn.waitFor({ state: 'visible', timeout: 30_000 });

  const trayState = () => app.evaluate(() => ((globalThis as Record<string, unknown>).__twinfoldE2E as E2EProbes | undefined)?.trayIconState());
  await waitFor('the tray to show sign-in needed', async () => (await trayState()) === 'signin_needed', 30_000);

  // The renderer cannot reach Node or Electron: only the facade.
  assert.deepEqual(await window.evaluate(() => [typeof (window as unknown as { twinfold?: unknown }).twinfold, typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process]), ['object', 'undefined', 'undefined']);

  await signIn.click();
  let authorizeUrl: string | undefined;
  await waitFor('the app to open the authorize page in the browser', async () => {
    authorizeUrl = await app.evaluate(() => ((globalThis as Record<string, unknown>).__opened as string[])[0]);
    return authorizeUrl !== undefined;
  });
  const opened = authorizeUrl ?? '';
  assert.match(opened, /\/oauth2\/authorize\?/);
  // The emulator approves at once and redirects to the app's loopback listener, as Dropbox would after "Allow".
  const landing = await fetch(opened.replace(/^https:\/\/www\.dropbox\.com/, emulator.url), { redirect: 'follow' });
  assert.equal(landing.status, 200);

  await waitFor('the tray to leave the sign-in state', async () => (await trayState()) === 'up_to_date', 30_000);
  await signIn.waitFor({ state: 'detached', timeout: 30_000 });
});
