// The headline of the app and of each folder pair: which words, icon and colour an overall state
// gets, and the one-line summary under it. Pure: no DOM, tested in Node.
import type { AppState, OverallState } from '../../common/contract.js';
import { syncingLine } from '../../common/status.js';
import { formatClock, formatDuration, type DateOptions } from './format.js';

export { allPaused, filesLeft } from '../../common/status.js';

/** Colour families in styles.css (`tone-ok` etc.). */
export type Tone = 'ok' | 'busy' | 'neutral' | 'warn' | 'error';
/** Icon names drawn by components/Icon.tsx. */
export type IconName = 'check' | 'sync' | 'pause' | 'offline' | 'alert' | 'signin' | 'folder';

export interface StateLook {
  label: string;
  icon: IconName;
  tone: Tone;
}

export function overallLook(state: OverallState): StateLook {
  switch (state) {
    case 'up_to_date':
      return { label: 'Up to date', icon: 'check', tone: 'ok' };
    case 'syncing':
      return { label: 'Syncing', icon: 'sync', tone: 'busy' };
    case 'paused':
      return { label: 'Paused', icon: 'pause', tone: 'neutral' };
    case 'offline':
      return { label: 'Offline', icon: 'offline', tone: 'warn' };
    case 'error':
      return { label: 'Needs attention', icon: 'alert', tone: 'error' };
    case 'signin_needed':
      return { label: 'Sign-in needed', icon: 'signin', tone: 'error' };
    case 'no_pairs':
      return { label: 'No folders yet', icon: 'folder', tone: 'neutral' };
  }
}

/**
 * The big words of the header: "Syncing 3 files, 2.1 MB/s" while busy, "Paused until 15:30" for a
 * timed pause, "Not signed in" before the first sign-in, otherwise the state's label.
 */
export function headline(state: Pick<AppState, 'overall' | 'pairs' | 'bytesPerSec' | 'pausedUntil' | 'account'>, now: number, dates: DateOptions = {}): string {
  const look = overallLook(state.overall);
  // Before the first sign-in there is nothing to sync yet: say what is missing first.
  if (state.account === undefined && state.overall === 'no_pairs') return 'Not signed in';
  if (state.overall === 'syncing') return syncingLine(state.pairs, state.bytesPerSec);
  if (state.overall === 'paused' && state.pausedUntil !== undefined && state.pausedUntil > now) {
    return `Paused until ${formatClock(state.pausedUntil, dates)}`;
  }
  return look.label;
}

/** "Resumes in 42 minutes" for a timed pause still running; undefined otherwise. */
export function resumesIn(pausedUntil: number | undefined, now: number): string | undefined {
  if (pausedUntil === undefined || pausedUntil <= now) return undefined;
  return `Resumes in ${formatDuration(pausedUntil - now)}`;
}
