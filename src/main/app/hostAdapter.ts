// The HostAdapter for the desktop app: native folder dialog, the file manager, the system browser,
// start at login (login items on macOS/Windows, an XDG autostart entry on Linux) and notifications.
// Thin Electron glue; the decisions live in the service and in tested plain modules.
import { app, dialog, Notification, shell, type BrowserWindow } from 'electron';
import type { HostAdapter } from '../service/types.js';
import { HIDDEN_START_ARG, launchCommand, XdgAutostart } from '../service/autostart/xdgAutostart.js';
import { isExternalWebUrl } from './appProtocol.js';

export interface ElectronHostOptions {
  /** The settings window (dialogs attach to it when shown), if it exists. */
  window: () => BrowserWindow | undefined;
  /** A notification was clicked: show the settings window. */
  showSettings: () => void;
}

function loginItemAutostart(): NonNullable<HostAdapter['autostart']> {
  // Windows matches the entry by path and args, so reads must pass the same args as writes.
  const args = [HIDDEN_START_ARG];
  return {
    async isEnabled() {
      return app.getLoginItemSettings(process.platform === 'win32' ? { args } : undefined).openAtLogin;
    },
    async setEnabled(enabled) {
      // macOS has no start arguments for login items; main.ts reads wasOpenedAtLogin instead.
      app.setLoginItemSettings(process.platform === 'win32' ? { openAtLogin: enabled, args } : { openAtLogin: enabled });
    },
  };
}

function xdgAutostart(): NonNullable<HostAdapter['autostart']> {
  return new XdgAutostart({ command: launchCommand({ execPath: process.execPath, appPath: app.getAppPath(), isPackaged: app.isPackaged, env: process.env }) });
}

export function createElectronHost(opts: ElectronHostOptions): HostAdapter {
  // Electron drops click handlers of notifications that were garbage-collected; hold them until done.
  const live = new Set<Notification>();
  return {
    kind: 'electron',

    async pickLocalFolder() {
      const options: Electron.OpenDialogOptions = { title: 'Choose a folder to sync', properties: ['openDirectory', 'createDirectory'] };
      const win = opts.window();
      const result = win && win.isVisible() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },

    async reveal(absPath, open) {
      if (!open) {
        shell.showItemInFolder(absPath);
        return;
      }
      // openPath reports failure as a message rather than throwing.
      const failure = await shell.openPath(absPath);
      if (failure) throw new Error(failure);
    },

    async openExternal(url) {
      if (!isExternalWebUrl(url)) throw new Error('Only web addresses (http or https) are opened in the browser.');
      await shell.openExternal(url);
    },

    autostart: process.platform === 'linux' ? xdgAutostart() : loginItemAutostart(),

    notify({ title, body }) {
      if (!Notification.isSupported()) return;
      const n = new Notification({ title, body });
      live.add(n);
      const done = () => live.delete(n);
      n.on('click', () => {
        done();
        opts.showSettings();
      });
      n.on('close', done);
      n.on('failed', done);
      n.show();
    },
  };
}
