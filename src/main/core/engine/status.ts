// What one folder pair is doing, as shown by the CLI, the web UI and the tray. Plain data so it
// can be persisted in the index (for `twinfold status`) and sent over IPC.

export type EngineState =
  | 'starting'
  | 'idle'
  | 'syncing'
  | 'paused'
  | 'offline'
  | 'error'
  | 'needs_signin'
  | 'stopped';

export type PauseReason = 'user' | 'mass_delete';

export interface TransferProgress {
  path: string;
  direction: 'up' | 'down';
  bytes: number;
  total: number;
}

export interface EngineStatus {
  state: EngineState;
  /** One line for people: why paused, what failed, what to do. */
  message?: string;
  pauseReason?: PauseReason;
  /** Operations finished / planned in the current run of passes. */
  done: number;
  total: number;
  transfers: TransferProgress[];
  /** Epoch ms of the last moment all three trees were equal. */
  lastSyncedAt?: number;
  errorCount: number;
}

export function initialStatus(): EngineStatus {
  return { state: 'starting', done: 0, total: 0, transfers: [], errorCount: 0 };
}

/** The status line used by the CLI and the tray tooltip. */
export function statusLine(status: EngineStatus): string {
  switch (status.state) {
    case 'starting':
      return 'Starting…';
    case 'idle':
      return status.errorCount > 0 ? `Up to date, ${status.errorCount} item(s) could not be synced` : 'Up to date';
    case 'syncing':
      return status.total > 0 ? `Syncing ${Math.min(status.done + 1, status.total)} of ${status.total}` : 'Syncing';
    case 'paused':
      return status.message ? `Paused: ${status.message}` : 'Paused';
    case 'offline':
      return status.message ? `Offline: ${status.message}` : 'Offline, waiting for the network';
    case 'error':
      return `Error: ${status.message ?? 'unknown'}`;
    case 'needs_signin':
      return 'Sign in again: Dropbox no longer accepts the saved credentials';
    case 'stopped':
      return 'Stopped';
  }
}
