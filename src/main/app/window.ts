// The settings window: the renderer (dist/renderer) served from app://twinfold through the
// sandboxed preload facade. Locked down: isolation + sandbox, no navigation away, no new windows
// (web links go to the browser), every permission denied. Closing hides it unless the app quits.
import { BrowserWindow, protocol, session, shell } from 'electron';
import * as path from 'node:path';
import { APP_SCHEME, APP_START_URL, isAppUrl, isExternalWebUrl, serveAppRequest } from './appProtocol.js';

/** Must run before app 'ready': makes app:// a secure, standard origin (fetch, CSP 'self', storage). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** After 'ready': serves the UI folder on app:// and denies every permission the page could ask for. */
export function installAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const res = await serveAppRequest(rendererDir, request.url, request.method);
    const body = typeof res.body === 'string' ? res.body : new Uint8Array(res.body);
    return new Response(body, { status: res.status, headers: res.headers });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

export interface SettingsWindowOptions {
  preloadPath: string;
  iconPath?: string;
  /** True once the app is quitting: close then really closes. */
  isQuitting: () => boolean;
}

function openOutside(url: string): void {
  if (isExternalWebUrl(url)) void shell.openExternal(url);
}

export class SettingsWindow {
  #win: BrowserWindow | undefined;

  constructor(private readonly opts: SettingsWindowOptions) {}

  /** The window if it exists (it may be hidden). */
  get browserWindow(): BrowserWindow | undefined {
    return this.#win && !this.#win.isDestroyed() ? this.#win : undefined;
  }

  show(): void {
    const win = this.browserWindow ?? this.#create();
    win.setSkipTaskbar(false);
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  hide(): void {
    const win = this.browserWindow;
    if (!win) return;
    win.hide();
    // Only the tray shows Twinfold while the window is hidden.
    win.setSkipTaskbar(true);
  }

  #create(): BrowserWindow {
    const win = new BrowserWindow({
      width: 900,
      height: 640,
      minWidth: 640,
      minHeight: 480,
      show: false,
      title: 'Twinfold',
      ...(this.opts.iconPath ? { icon: this.opts.iconPath } : {}),
      autoHideMenuBar: true,
      webPreferences: {
        preload: this.opts.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false,
        spellcheck: false,
      },
    });
    win.removeMenu();
    win.webContents.on('will-navigate', (event, url) => {
      if (isAppUrl(url) && url.split('#')[0] === APP_START_URL) return; // a reload of our own page
      event.preventDefault();
      openOutside(url);
    });
    win.webContents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    win.webContents.setWindowOpenHandler(({ url }) => {
      openOutside(url);
      return { action: 'deny' };
    });
    win.webContents.on('will-attach-webview', (event) => event.preventDefault());
    win.on('close', (event) => {
      if (this.opts.isQuitting()) return;
      event.preventDefault();
      this.hide();
    });
    void win.loadURL(APP_START_URL);
    this.#win = win;
    return win;
  }
}

/** Where the built UI and preload live, relative to the compiled main (dist/src/main/app/). */
export function builtPaths(appRoot: string): { rendererDir: string; preloadPath: string } {
  return { rendererDir: path.join(appRoot, 'dist', 'renderer'), preloadPath: path.join(appRoot, 'dist', 'preload', 'preload.cjs') };
}
