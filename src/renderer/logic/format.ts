// Numbers and times written for people: sizes, speeds, "2 minutes ago", durations.
// Sizes use decimal units (1 kB = 1000 bytes), as Dropbox, macOS and disk makers do, so a size
// here matches the size Dropbox shows for the same file. Pure: no DOM, tested in Node.

export { formatBytes, formatSpeed } from '../../common/format.js';
export { countFiles } from '../../common/status.js';

/** Whole percent for a progress bar, 0..100; an empty or unknown total counts as done. */
export function percent(bytes: number, total: number): number {
  if (!(total > 0)) return 100;
  return Math.max(0, Math.min(100, Math.floor((bytes / total) * 100)));
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface DateOptions {
  /** For tests; the viewer's own zone and locale otherwise. */
  timeZone?: string;
  locale?: string;
}

/** "just now", "5 minutes ago", "yesterday", "3 days ago", then a date ("on 3 Mar 2025"). */
export function formatRelativeTime(time: number, now: number, options: DateOptions = {}): string {
  const ago = now - time;
  // A clock a little ahead (another machine's timestamp) still reads as "just now".
  if (ago < 45 * SECOND) return 'just now';
  if (ago < 90 * SECOND) return '1 minute ago';
  if (ago < 45 * MINUTE) return `${plural(Math.round(ago / MINUTE), 'minute')} ago`;
  if (ago < 90 * MINUTE) return '1 hour ago';
  if (ago < 22 * HOUR) return `${plural(Math.round(ago / HOUR), 'hour')} ago`;
  if (ago < 36 * HOUR) return 'yesterday';
  if (ago < 7 * DAY) return `${plural(Math.max(2, Math.round(ago / DAY)), 'day')} ago`;
  return `on ${formatDate(time, options)}`;
}

/** "3 Mar 2025". */
export function formatDate(time: number, options: DateOptions = {}): string {
  return new Intl.DateTimeFormat(options.locale ?? 'en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: options.timeZone }).format(time);
}

/** "14:05" (24-hour clock, the viewer's zone). */
export function formatClock(time: number, options: DateOptions = {}): string {
  return new Intl.DateTimeFormat(options.locale ?? 'en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: options.timeZone }).format(time);
}

/** A span of time, rounded to what matters: "40 seconds", "5 minutes", "1 hour 20 minutes", "2 days". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  // Round first, then pick the unit, so 59.7 s reads "1 minute" and not "60 seconds".
  const seconds = Math.round(ms / SECOND);
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
  }
  return plural(Math.round(ms / DAY), 'day');
}
