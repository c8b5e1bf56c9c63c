// Status words derived from the folder pairs, shared by the service's status line, the window
// header and the tray so they never disagree: files left, "Syncing 3 files, 2.1 MB/s", and
// whether every pair is paused. Pure; like format.ts, safe for the renderer bundle.
import type { PairView } from './contract.js';
import { formatSpeed } from './format.js';

/** "1 file", "3 files". */
export function countFiles(n: number): string {
  return `${n} ${n === 1 ? 'file' : 'files'}`;
}

/** Files still to do across the pairs that are syncing. */
export function filesLeft(pairs: readonly Pick<PairView, 'overall' | 'done' | 'total'>[]): number {
  return pairs.reduce((sum, p) => sum + (p.overall === 'syncing' ? Math.max(0, p.total - p.done) : 0), 0);
}

/** "Syncing 3 files, 2.1 MB/s": the count only when something is counted, the speed only when something moves. */
export function syncingLine(pairs: readonly Pick<PairView, 'overall' | 'done' | 'total'>[], bytesPerSec: number): string {
  const left = filesLeft(pairs);
  const what = left > 0 ? `Syncing ${countFiles(left)}` : 'Syncing';
  const speed = formatSpeed(bytesPerSec);
  return speed ? `${what}, ${speed}` : what;
}

/** Every pair paused by the user, and at least one pair: pause controls then offer to resume. */
export function allPaused(pairs: readonly Pick<PairView, 'paused'>[]): boolean {
  return pairs.length > 0 && pairs.every((p) => p.paused);
}
