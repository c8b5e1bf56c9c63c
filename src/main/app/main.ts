// The desktop app's entry point: one instance, a tray icon, the settings window, the IPC channel and
// the app service that runs the sync engines. Thin wiring only: every decision lives in a tested
// module (startup.ts, trayModel.ts, trayActions.ts, ipcReply.ts, appProtocol.ts, settingsRecovery.ts).
import { app, dialog } from 'electron';
import { appendFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ActivityItem } from '../../common/contract.js';
import { redactSecrets, errorMessage } from '../core/errors.js';
import { createAppService } from '../service/appService.js';
import { builtinAppKey } from '../service/account/builtinAppKey.js';
import type { AppServiceApi } from '../service/types.js';
import { openAppSecretStore } from './appSecrets.js';
import { createElectronHost } from './hostAdapter.js';
import { installIpc } from './ipc.js';
import { failureReply } from './ipcReply.js';
import { checkSettingsFile, type SettingsCheck } from './settingsRecovery.js';
import { ElectronSettingsStore, SETTINGS_STORE_NAME } from './settingsStore.js';
import { QuitSequence, readAppEnv, shouldOpenWindowAtStart } from './startup.js';
import { TrayController } from './tray.js';
import { trayEffect } from './trayActions.js';
import type { TrayAction } from './trayModel.js';
import { builtPaths, installAppProtocol, registerAppScheme, SettingsWindow } from './window.js';

const RECENT_FOR_TRAY = 20;

function createLog(userData: string): (line: string) => void {
  const dir = path.join(userData, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'main.log');
  return (line) => {
    const text = `${new Date().toISOString()} ${redactSecrets(line)}\n`;
    process.stdout.write(text);
    try {
      appendFileSync(file, text);
    } catch {
      // A full disk must not take the app down over a log line.
    }
  };
}

/** Folders of the built UI and of the tray icons, in development and when packaged. */
function appLocations(): { rendererDir: string; preloadPath: string; assetsDir: string } {
  const root = app.getAppPath();
  // Packaged: assets/tray and the icon are extraResources (real files, which tray APIs need).
  const assetsDir = app.isPackaged ? process.resourcesPath : path.join(root, 'assets');
  return { ...builtPaths(root), assetsDir };
}

async function showSettingsProblem(check: SettingsCheck): Promise<void> {
  if (check.kind !== 'damaged') return;
  await dialog.showMessageBox({
    type: 'warning',
    title: 'Twinfold',
    message: 'Your Twinfold settings were damaged, so Twinfold started with fresh settings.',
    detail: `Problem: ${check.reason}.\nThe damaged file was kept as ${check.copy}. Your synced files are untouched; add your folders again in Settings.`,
  });
}

async function start(window: SettingsWindow, userData: string, log: (line: string) => void): Promise<AppServiceApi> {
  const env = readAppEnv(process.env);
  const where = appLocations();

  const settingsCheck = await checkSettingsFile(path.join(userData, `${SETTINGS_STORE_NAME}.json`));
  if (settingsCheck.kind === 'newer') throw new Error(settingsCheck.message);
  if (settingsCheck.kind === 'damaged') log(`settings: damaged (${settingsCheck.reason}); kept a copy at ${settingsCheck.copy}`);
  const settings = new ElectronSettingsStore(userData);
  const secrets = await openAppSecretStore(userData, log);
  log(`secrets: using the ${secrets.kind} store`);

  installAppProtocol(where.rendererDir);
  const host = createElectronHost({ window: () => window.browserWindow, showSettings: () => window.show() });
  const service = createAppService({
    host,
    settings,
    secrets,
    stateDir: userData,
    ...(env.apiUrl ? { apiUrl: env.apiUrl } : {}),
    envAppKey: env.envAppKey ?? builtinAppKey(),
    deviceName: os.hostname(),
    log,
  });

  let recent: ActivityItem[] = [];
  const runTrayAction = (action: TrayAction) => {
    const effect = trayEffect(action, Date.now());
    if (effect.kind === 'showSettings') return window.show();
    if (effect.kind === 'quit') return app.quit();
    service.call(effect.name, effect.args).catch((err: unknown) => {
      const { message } = failureReply(err).error;
      log(`tray: ${effect.name} failed: ${message}`);
      void dialog.showMessageBox({ type: 'error', title: 'Twinfold', message });
    });
  };
  const tray = new TrayController({ assetsDir: where.assetsDir, onAction: runTrayAction, onClick: () => window.show() });
  const refreshRecent = async () => {
    try {
      const { activity } = (await service.call('getActivity', { limit: RECENT_FOR_TRAY })) as { activity: ActivityItem[] };
      recent = activity;
      tray.update(service.getState(), recent);
    } catch (err) {
      log(`tray: could not read recent activity: ${failureReply(err).error.message}`);
    }
  };
  service.on('state', (state) => tray.update(state, recent));
  service.on('activity', () => void refreshRecent());
  installIpc(service, window, log);
  app.on('before-quit', () => tray.destroy());

  await service.start();
  tray.update(service.getState(), recent);
  await refreshRecent();

  const openWindow = shouldOpenWindowAtStart({
    argv: process.argv,
    wasOpenedAtLogin: process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin,
    hasAccount: service.getState().account !== undefined,
  });
  if (openWindow || settingsCheck.kind === 'damaged') window.show();
  if (process.env.TWINFOLD_E2E === '1') {
    // Read-only probes for tests/e2e/electron-app.test.ts (Playwright evaluates in this process).
    (globalThis as Record<string, unknown>).__twinfoldE2E = { trayIconState: () => tray.model?.iconState, trayTooltip: () => tray.model?.tooltip };
  }
  void showSettingsProblem(settingsCheck);
  return service;
}

function main(): void {
  // Privileged schemes must be registered before 'ready'.
  registerAppScheme();
  // A separate profile (tests, a second account): set before the single-instance lock, which is per profile.
  const profileDir = process.env.TWINFOLD_USER_DATA_DIR;
  if (profileDir && path.isAbsolute(profileDir)) app.setPath('userData', profileDir);
  if (!app.requestSingleInstanceLock()) {
    // Another Twinfold runs: it gets 'second-instance' and shows its window.
    app.quit();
    return;
  }
  const userData = app.getPath('userData');
  const log = createLog(userData);
  let service: AppServiceApi | undefined;
  const quit = new QuitSequence({ stop: async () => service?.stop(), exit: (code) => app.exit(code), log });
  const where = appLocations();
  const window = new SettingsWindow({
    preloadPath: where.preloadPath,
    iconPath: path.join(where.assetsDir, 'icon.png'),
    isQuitting: () => quit.quitting,
  });

  app.on('second-instance', () => window.show());
  app.on('activate', () => window.show()); // macOS: the app was opened again from Finder or Spotlight
  // The tray keeps the app alive; the window only ever hides.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => quit.onBeforeQuit(event));

  app.whenReady().then(async () => {
    app.dock?.hide();
    try {
      service = await start(window, userData, log);
      log('started');
    } catch (err) {
      const message = redactSecrets(errorMessage(err));
      log(`start failed: ${message}`);
      dialog.showErrorBox('Twinfold could not start', message);
      app.exit(1);
    }
  }, (err: unknown) => log(`electron failed to start: ${String(err)}`));
}

main();
