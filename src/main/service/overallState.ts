// The headline of the whole app, derived from the pairs and the account: what the tray icon and the
// window header show. Pure, so hosts and tests agree on one priority order: a problem the user must
// act on beats a transient one, which beats progress, which beats calm.
import type { OverallState, PairView } from '../../common/contract.js';
import { syncingLine } from '../../common/status.js';

export interface OverallInput {
  signedIn: boolean;
  signInNeeded: boolean;
  pairs: readonly Pick<PairView, 'overall' | 'done' | 'total' | 'bytesPerSec' | 'lastSyncedAt' | 'line' | 'errorCount'>[];
}

export interface Overall {
  overall: OverallState;
  line: string;
  bytesPerSec: number;
  lastSyncedAt?: number;
}

export function deriveOverall(input: OverallInput): Overall {
  const { pairs } = input;
  const bytesPerSec = pairs.reduce((sum, p) => sum + p.bytesPerSec, 0);
  const synced = pairs.map((p) => p.lastSyncedAt).filter((t): t is number => t !== undefined);
  const lastSyncedAt = synced.length > 0 && synced.length === pairs.length ? Math.min(...synced) : undefined;
  const base = { bytesPerSec, lastSyncedAt };

  if (input.signInNeeded) return { ...base, overall: 'signin_needed', line: 'Sign in again: Dropbox no longer accepts the saved sign-in' };
  if (!input.signedIn) return { ...base, overall: 'signin_needed', line: 'Sign in to Dropbox to start syncing' };
  if (pairs.length === 0) return { ...base, overall: 'no_pairs', line: 'Choose a folder to sync' };

  const having = (state: OverallState) => pairs.filter((p) => p.overall === state);
  const one = (list: readonly { line: string }[], many: string) => (list.length === 1 && pairs.length === 1 ? list[0]!.line : many);

  const failing = having('error');
  if (failing.length > 0) return { ...base, overall: 'error', line: one(failing, `${failing.length} of ${pairs.length} folder pairs need attention`) };
  const signin = having('signin_needed');
  if (signin.length > 0) return { ...base, overall: 'signin_needed', line: 'Sign in again to keep syncing' };
  const offline = having('offline');
  if (offline.length > 0) return { ...base, overall: 'offline', line: 'Offline, waiting for the network' };
  // The same words as the window header's, from the same function.
  if (having('syncing').length > 0) return { ...base, overall: 'syncing', line: syncingLine(pairs, bytesPerSec) };
  const paused = having('paused');
  if (paused.length === pairs.length) return { ...base, overall: 'paused', line: 'Paused' };
  const errors = pairs.reduce((sum, p) => sum + p.errorCount, 0);
  const notes = [paused.length > 0 ? `${paused.length} paused` : '', errors > 0 ? `${errors} ${errors === 1 ? 'item' : 'items'} could not be synced` : ''].filter(Boolean);
  return { ...base, overall: 'up_to_date', line: notes.length > 0 ? `Up to date (${notes.join(', ')})` : 'Up to date' };
}
