// The tray icon and its menu, kept in step with the app: each update computes the pure TrayModel
// and touches Electron only when it changed (rebuilding closes an open menu on some desktops).
import { Menu, nativeImage, nativeTheme, Tray, type MenuItemConstructorOptions } from 'electron';
import * as path from 'node:path';
import type { ActivityItem, AppState } from '../../common/contract.js';
import { trayIconFile } from './trayIcons.js';
import { buildTrayModel, sameTrayModel, type MenuItemModel, type TrayAction, type TrayModel } from './trayModel.js';

export interface TrayControllerOptions {
  assetsDir: string;
  onAction: (action: TrayAction) => void;
  /** Left click on Windows/Linux: show the window (macOS opens the menu instead). */
  onClick: () => void;
}

export class TrayController {
  readonly #tray: Tray;
  #model: TrayModel | undefined;
  #iconFile = '';

  constructor(private readonly opts: TrayControllerOptions) {
    this.#tray = new Tray(this.#icon('up_to_date'));
    if (process.platform !== 'darwin') this.#tray.on('click', () => opts.onClick());
    // The taskbar's theme can change while we run (Windows light/dark switch).
    nativeTheme.on('updated', () => {
      if (this.#model) this.#setIcon(this.#model.iconState, true);
    });
  }

  update(state: AppState, recent: readonly ActivityItem[]): void {
    const model = buildTrayModel({ state, recent, now: Date.now() });
    if (sameTrayModel(this.#model, model)) return;
    const previous = this.#model;
    this.#model = model;
    this.#setIcon(model.iconState, false);
    if (previous?.tooltip !== model.tooltip) this.#tray.setToolTip(model.tooltip);
    if (previous === undefined || JSON.stringify(previous.menu) !== JSON.stringify(model.menu)) {
      this.#tray.setContextMenu(Menu.buildFromTemplate(this.#template(model.menu)));
    }
  }

  /** For tests and diagnostics: what the tray shows now. */
  get model(): TrayModel | undefined {
    return this.#model;
  }

  destroy(): void {
    this.#tray.destroy();
  }

  #icon(state: TrayModel['iconState']): Electron.NativeImage {
    const file = trayIconFile(state, { platform: process.platform, darkTheme: nativeTheme.shouldUseDarkColors });
    this.#iconFile = file;
    // createFromPath picks the @2x sibling on HiDPI screens by itself.
    const image = nativeImage.createFromPath(path.join(this.opts.assetsDir, file));
    if (process.platform === 'darwin') image.setTemplateImage(true);
    return image;
  }

  #setIcon(state: TrayModel['iconState'], force: boolean): void {
    const file = trayIconFile(state, { platform: process.platform, darkTheme: nativeTheme.shouldUseDarkColors });
    if (!force && file === this.#iconFile) return;
    this.#tray.setImage(this.#icon(state));
  }

  #template(items: MenuItemModel[]): MenuItemConstructorOptions[] {
    return items.map((item): MenuItemConstructorOptions => {
      switch (item.type) {
        case 'separator':
          return { type: 'separator' };
        case 'submenu':
          return { label: item.label, submenu: this.#template(item.items) };
        case 'item': {
          const action = item.action;
          return { label: item.label, enabled: item.enabled, ...(action ? { click: () => this.opts.onAction(action) } : {}) };
        }
      }
    });
  }
}
