// Decides which desktop notifications to show: new conflicts, errors that need the user, and a
// lost sign-in (once per episode). Bursts never flood the desktop: the first notice in a quiet
// period is shown at once, the rest within `windowMs` are held and shown as one summary ("3
// conflicts and 2 errors") when the window ends. Pure apart from the injected clock and timer.
import type { ActivityItem, AppState } from '../../../common/contract.js';

export interface DesktopNotice {
  title: string;
  body: string;
}

type Category = 'conflict' | 'error' | 'signin';

interface Pending {
  category: Category;
  notice: DesktopNotice;
}

export interface NotificationCoalescerOptions {
  notify: (notice: DesktopNotice) => void;
  now: () => number;
  windowMs?: number;
  /** Runs `fn` after `ms`; returns a cancel function. Defaults to an unref'd setTimeout. */
  schedule?: (fn: () => void, ms: number) => () => void;
}

function defaultSchedule(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
}

function baseName(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? path;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 conflicts and 2 errors"; "1 conflict, 2 errors and a sign-in request". */
export function summarize(counts: Record<Category, number>): string {
  const parts: string[] = [];
  if (counts.conflict > 0) parts.push(plural(counts.conflict, 'conflict', 'conflicts'));
  if (counts.error > 0) parts.push(plural(counts.error, 'error', 'errors'));
  if (counts.signin > 0) parts.push('Dropbox sign-in needed');
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

export class NotificationCoalescer {
  readonly #notify: (notice: DesktopNotice) => void;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #schedule: (fn: () => void, ms: number) => () => void;

  #pending: Pending[] = [];
  /** When the current coalescing window ends; nothing shown since then means the next notice goes out at once. */
  #windowEnds = Number.NEGATIVE_INFINITY;
  #cancelTimer: (() => void) | undefined;

  // What was already seen, so only changes notify.
  #initialized = false;
  #signInEpisode = false;
  #errorCounts = new Map<string, number>();
  #engineErrors = new Set<string>();

  constructor(opts: NotificationCoalescerOptions) {
    this.#notify = opts.notify;
    this.#now = opts.now;
    this.#windowMs = opts.windowMs ?? 10_000;
    this.#schedule = opts.schedule ?? defaultSchedule;
  }

  /** Feed every state change with the activity that is new since the previous call. */
  observe(state: AppState, newActivity: readonly ActivityItem[]): void {
    const found = this.#changes(state, newActivity);
    this.#initialized = true;
    if (!state.settings.notifications) {
      // Turned off: drop what was held too, so turning them on later does not replay old news.
      this.#pending = [];
      this.#cancel();
      return;
    }
    for (const item of found) this.#enqueue(item);
  }

  /** Stops the timer; held notices are dropped (the app is quitting). */
  dispose(): void {
    this.#cancel();
    this.#pending = [];
  }

  #changes(state: AppState, newActivity: readonly ActivityItem[]): Pending[] {
    const out: Pending[] = [];
    const pairName = new Map(state.pairs.map((p) => [p.id, baseName(p.localPath)]));

    for (const item of newActivity) {
      if (item.action !== 'conflict') continue;
      const name = baseName(item.path);
      out.push({
        category: 'conflict',
        notice: {
          title: `Conflict: kept both versions of ${name}`,
          body: item.detail ? `The other version was saved as ${baseName(item.detail)}.` : 'Both versions are in the folder.',
        },
      });
    }

    // Errors: each 'error' activity item is one; a rise in a pair's error count without items
    // (errors the service only counts) adds the difference, so nothing is counted twice.
    for (const pair of state.pairs) {
      const items = newActivity.filter((a) => a.action === 'error' && a.pairId === pair.id);
      const previous = this.#errorCounts.get(pair.id) ?? (this.#initialized ? 0 : pair.errorCount);
      this.#errorCounts.set(pair.id, pair.errorCount);
      const extra = Math.max(0, pair.errorCount - previous - items.length);
      for (const item of items) {
        out.push({ category: 'error', notice: { title: `Could not sync ${baseName(item.path)}`, body: item.detail ?? 'Open Twinfold to see why and retry.' } });
      }
      for (let i = 0; i < extra; i++) {
        out.push({ category: 'error', notice: { title: `Could not sync a file in ${pairName.get(pair.id) ?? 'a folder'}`, body: 'Open Twinfold to see why and retry.' } });
      }

      const inError = pair.engineState === 'error';
      if (inError && !this.#engineErrors.has(pair.id)) {
        out.push({ category: 'error', notice: { title: `Syncing stopped for ${pairName.get(pair.id) ?? 'a folder'}`, body: pair.line || 'Open Twinfold to see what needs attention.' } });
      }
      if (inError) this.#engineErrors.add(pair.id);
      else this.#engineErrors.delete(pair.id);
    }
    const present = new Set(state.pairs.map((p) => p.id));
    for (const id of [...this.#errorCounts.keys()]) if (!present.has(id)) this.#errorCounts.delete(id);
    for (const id of [...this.#engineErrors]) if (!present.has(id)) this.#engineErrors.delete(id);

    if (state.signInNeeded && !this.#signInEpisode) {
      out.push({ category: 'signin', notice: { title: 'Sign in to Dropbox again', body: 'Twinfold has stopped syncing until you sign in.' } });
    }
    this.#signInEpisode = state.signInNeeded;
    return out;
  }

  #enqueue(item: Pending): void {
    const now = this.#now();
    if (now >= this.#windowEnds && this.#pending.length === 0) {
      this.#show(item.notice);
      return;
    }
    this.#pending.push(item);
    this.#cancelTimer ??= this.#schedule(() => this.#flush(), Math.max(0, this.#windowEnds - now));
  }

  #flush(): void {
    this.#cancelTimer = undefined;
    const held = this.#pending;
    this.#pending = [];
    const only = held[0];
    if (only === undefined) return;
    if (held.length === 1) {
      this.#show(only.notice);
      return;
    }
    const counts: Record<Category, number> = { conflict: 0, error: 0, signin: 0 };
    for (const h of held) counts[h.category]++;
    this.#show({ title: 'Twinfold', body: summarize(counts) });
  }

  #show(notice: DesktopNotice): void {
    this.#windowEnds = this.#now() + this.#windowMs;
    this.#notify(notice);
  }

  #cancel(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }
}
