// What the tray shows, as plain data: the icon state, the tooltip and the menu, computed from the
// app state and the recent activity. Pure (no electron), so every rule is table-tested; tray.ts
// only turns this model into an Electron Menu. Menu items carry action descriptors, not closures.
//
// "Pause until tomorrow" pauses until 09:00 local time on the next calendar day: people who pause
// in the evening expect syncing back when the working day starts, and midnight would resume it
// while they are still away (or after a few minutes, for a pause at 23:50). The minutes are
// computed when the item is clicked (see trayActions.ts), not when the menu was built.
import type { ActivityItem, AppState, OverallState } from '../../common/contract.js';
import { allPaused } from '../../common/status.js';

export type TrayIconState = 'up_to_date' | 'syncing' | 'paused' | 'offline' | 'error' | 'signin_needed';

export type TrayAction =
  | { kind: 'reveal'; pairId: string; path: string }
  | { kind: 'pause' }
  | { kind: 'pauseFor'; minutes: number }
  | { kind: 'pauseUntilTomorrow' }
  | { kind: 'resume' }
  | { kind: 'openPairFolder'; pairId: string }
  | { kind: 'openSettings' }
  | { kind: 'quit' };

export type MenuItemModel =
  | { type: 'item'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'separator' }
  | { type: 'submenu'; label: string; items: MenuItemModel[] };

export interface TrayModel {
  iconState: TrayIconState;
  tooltip: string;
  menu: MenuItemModel[];
}

export const RECENT_FILES_IN_MENU = 5;
/** Windows cuts tray tooltips at 127 characters; keep ours whole everywhere. */
export const MAX_TOOLTIP_LENGTH = 127;

// Activity that leaves a file worth revealing: deletes point at nothing, folders are not "files".
const REVEALABLE = new Set<ActivityItem['action']>(['upload', 'download', 'conflict', 'move_local', 'move_remote']);

export function trayIconState(state: AppState): TrayIconState {
  if (state.signInNeeded || !state.account) return 'signin_needed';
  return iconForOverall(state.overall);
}

function iconForOverall(overall: OverallState): TrayIconState {
  switch (overall) {
    case 'up_to_date':
    case 'syncing':
    case 'paused':
    case 'offline':
    case 'error':
    case 'signin_needed':
      return overall;
    // Nothing configured is nothing out of date; the status line says what to do.
    case 'no_pairs':
      return 'up_to_date';
  }
}

/** The status line: the service's own line, or a fallback when it is empty. */
function statusLine(state: AppState, now: number): string {
  if (state.signInNeeded) return 'Sign in to Dropbox again to keep syncing';
  if (state.account && state.pausedUntil !== undefined && state.pausedUntil > now) return `Paused until ${formatUntil(state.pausedUntil, now)}`;
  if (state.line.trim() !== '') return state.line.trim();
  if (!state.account) return 'Not signed in to Dropbox';
  return FALLBACK_LINES[state.overall];
}

const FALLBACK_LINES: Record<OverallState, string> = {
  up_to_date: 'Up to date',
  syncing: 'Syncing…',
  paused: 'Paused',
  offline: 'Offline: waiting for the network',
  error: 'Syncing stopped: open Settings',
  signin_needed: 'Sign in to Dropbox again to keep syncing',
  no_pairs: 'No folders yet: add one in Settings',
};

/** "14:30" today, "09:00 tomorrow", else "Mon 09:00" (the pause is at most a week). */
export function formatUntil(until: number, now: number): string {
  const at = new Date(until);
  const hhmm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  const day = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
  const today = new Date(now);
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  if (day(at) === day(today)) return hhmm;
  if (day(at) === day(tomorrow)) return `${hhmm} tomorrow`;
  return `${at.toLocaleDateString('en-US', { weekday: 'short' })} ${hhmm}`;
}

/** Minutes from `now` until 09:00 local time on the next calendar day (DST-safe: built from local fields). */
export function minutesUntilTomorrowMorning(now: number): number {
  const today = new Date(now);
  const target = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1, 9, 0, 0, 0);
  return Math.ceil((target.getTime() - now) / 60_000);
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? path;
}

/** The newest distinct files (one entry per pair+path), newest first. */
export function recentFiles(activity: readonly ActivityItem[], limit = RECENT_FILES_IN_MENU): ActivityItem[] {
  const seen = new Set<string>();
  const out: ActivityItem[] = [];
  const newestFirst = [...activity].sort((a, b) => b.time - a.time);
  for (const item of newestFirst) {
    if (!REVEALABLE.has(item.action)) continue;
    const key = `${item.pairId}\0${item.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
    if (out.length === limit) break;
  }
  return out;
}

function recentFileItems(activity: readonly ActivityItem[]): MenuItemModel[] {
  const files = recentFiles(activity);
  if (files.length === 0) return [];
  const names = files.map((f) => baseName(f.path));
  return [
    { type: 'separator' },
    { type: 'item', label: 'Recently changed', enabled: false },
    ...files.map((f, i): MenuItemModel => ({
      type: 'item',
      // Two files with the same name in different folders: show the path so they can be told apart.
      label: names.filter((n) => n === names[i]).length > 1 ? f.path.replace(/^\//, '') : (names[i] ?? f.path),
      enabled: true,
      action: { kind: 'reveal', pairId: f.pairId, path: f.path },
    })),
  ];
}

function pauseItems(state: AppState): MenuItemModel[] {
  if (!state.account || state.pairs.length === 0) return [];
  if (allPaused(state.pairs)) return [{ type: 'separator' }, { type: 'item', label: 'Resume syncing', enabled: true, action: { kind: 'resume' } }];
  return [
    { type: 'separator' },
    { type: 'item', label: 'Pause syncing', enabled: true, action: { kind: 'pause' } },
    { type: 'item', label: 'Pause for 1 hour', enabled: true, action: { kind: 'pauseFor', minutes: 60 } },
    { type: 'item', label: 'Pause until tomorrow', enabled: true, action: { kind: 'pauseUntilTomorrow' } },
  ];
}

function openFolderItems(state: AppState): MenuItemModel[] {
  const pairs = state.pairs;
  const only = pairs[0];
  if (only === undefined) return [];
  if (pairs.length === 1) return [{ type: 'item', label: 'Open folder', enabled: true, action: { kind: 'openPairFolder', pairId: only.id } }];
  const names = pairs.map((p) => baseName(p.localPath));
  return [
    {
      type: 'submenu',
      label: 'Open folder',
      items: pairs.map((p, i): MenuItemModel => ({
        type: 'item',
        label: names.filter((n) => n === names[i]).length > 1 ? p.localPath : (names[i] ?? p.localPath),
        enabled: true,
        action: { kind: 'openPairFolder', pairId: p.id },
      })),
    },
  ];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function buildTrayModel(input: { state: AppState; recent: readonly ActivityItem[]; now: number }): TrayModel {
  const { state, recent, now } = input;
  const line = statusLine(state, now);
  const signInItems: MenuItemModel[] =
    state.signInNeeded || !state.account ? [{ type: 'item', label: 'Sign in to Dropbox…', enabled: true, action: { kind: 'openSettings' } }] : [];
  return {
    iconState: trayIconState(state),
    tooltip: truncate(`Twinfold: ${line}`, MAX_TOOLTIP_LENGTH),
    menu: [
      { type: 'item', label: line, enabled: false },
      ...signInItems,
      ...recentFileItems(recent),
      ...pauseItems(state),
      { type: 'separator' },
      ...openFolderItems(state),
      { type: 'item', label: 'Settings…', enabled: true, action: { kind: 'openSettings' } },
      { type: 'separator' },
      { type: 'item', label: 'Quit Twinfold', enabled: true, action: { kind: 'quit' } },
    ],
  };
}

/** Equal models need no new Electron Menu (rebuilding closes an open menu on some desktops). */
export function sameTrayModel(a: TrayModel | undefined, b: TrayModel): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
