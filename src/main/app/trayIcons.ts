// Which PNG the tray shows for a state, per platform. Pure, so the choice is tested without Electron.
// Naming in assets/tray: `<state>-light.png` is drawn for LIGHT panels (dark ink), `<state>-dark.png`
// for DARK panels (light ink), `<state>Template.png` is the macOS template image (black + alpha; the
// menu bar tints it). Each has an `@2x` sibling that Electron picks up on HiDPI screens by itself.
import type { TrayIconState } from './trayModel.js';

export const TRAY_ICON_STATES: readonly TrayIconState[] = ['up_to_date', 'syncing', 'paused', 'offline', 'error', 'signin_needed'];

export interface TrayLook {
  platform: NodeJS.Platform;
  /** nativeTheme.shouldUseDarkColors: follows the taskbar on Windows. */
  darkTheme: boolean;
}

/** Path relative to the assets folder, e.g. `tray/syncing-dark.png`. */
export function trayIconFile(state: TrayIconState, look: TrayLook): string {
  if (look.platform === 'darwin') return `tray/${state}Template.png`;
  // GNOME, KDE and most Linux panels are dark whatever the app theme says, so light ink there.
  const darkPanel = look.platform === 'linux' ? true : look.darkTheme;
  return `tray/${state}-${darkPanel ? 'dark' : 'light'}.png`;
}

/** Every file the packaged app must contain (1x and 2x, all variants); the icon script writes these. */
export function allTrayIconFiles(): string[] {
  const files: string[] = [];
  for (const state of TRAY_ICON_STATES) {
    for (const base of [`${state}-light`, `${state}-dark`, `${state}Template`]) files.push(`tray/${base}.png`, `tray/${base}@2x.png`);
  }
  return files;
}
