// What the UI shows for one folder pair, built from its settings and its engine's status. Pure:
// the pair manager supplies the status (or a stand-in when no engine runs) and the speed.
import type { OverallState, PairView } from '../../../common/contract.js';
import { formatSpeed } from '../../../common/format.js';
import { statusLine, type EngineStatus } from '../../core/engine/status.js';
import type { PairConfig } from '../settings/settingsSchema.js';

export function overallOfPair(status: EngineStatus): OverallState {
  switch (status.state) {
    case 'idle':
      return 'up_to_date';
    case 'starting':
    case 'syncing':
      return 'syncing';
    case 'paused':
    case 'stopped':
      return 'paused';
    case 'offline':
      return 'offline';
    case 'error':
      return 'error';
    case 'needs_signin':
      return 'signin_needed';
  }
}

export interface PairViewInput {
  config: PairConfig;
  status: EngineStatus;
  /** Replaces the engine's status line (e.g. "Sign in to Dropbox to sync" when no engine runs). */
  line?: string;
  bytesPerSec: number;
  /** All pairs paused until then (epoch ms), when that is still ahead. */
  pausedUntil?: number;
}

export function pairViewOf(input: PairViewInput): PairView {
  const { config, status } = input;
  const moving = status.state === 'syncing' && input.bytesPerSec > 0;
  const base = input.line ?? statusLine(status);
  const view: PairView = {
    id: config.id,
    localPath: config.localPath,
    remotePath: config.remotePath,
    options: config.options,
    paused: config.paused || input.pausedUntil !== undefined,
    engineState: status.state,
    overall: overallOfPair(status),
    line: moving ? `${base}, ${formatSpeed(input.bytesPerSec)}` : base,
    massDeleteHeld: status.state === 'paused' && status.pauseReason === 'mass_delete',
    done: status.done,
    total: status.total,
    bytesPerSec: moving ? input.bytesPerSec : 0,
    transfers: status.transfers.map((t) => ({ pairId: config.id, path: t.path, direction: t.direction, bytes: t.bytes, total: t.total })),
    errorCount: status.errorCount,
  };
  if (input.pausedUntil !== undefined) view.pausedUntil = input.pausedUntil;
  if (status.lastSyncedAt !== undefined) view.lastSyncedAt = status.lastSyncedAt;
  return view;
}
