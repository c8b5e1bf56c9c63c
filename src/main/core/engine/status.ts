// What one folder pair is doing, as shown by the CLI, the web UI and the tray. Plain data so it
// can be persisted in the index (for `twinfold status`) and sent over IPC. Never stored beside the
// engine's state: deriveStatus computes it from that state on every read.

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
  /** Epoch ms until which the server asked us to wait (Retry-After, longpoll backoff). */
  waitingUntil?: number;
  /** Items seen so far by a running scan of the whole local folder. */
  scanned?: number;
}

/** Why the last run of passes did not finish; cleared by the next run that gets through. */
export type RunProblem =
  | { kind: 'offline'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'needs_signin'; message: string };

/** The engine's own state, held in one place (EngineStateStore); the status derives from it. */
export interface EngineFacts {
  lifecycle: 'starting' | 'running' | 'stopped';
  /** A run of passes (or the first scan) is under way. */
  busy: boolean;
  paused?: { reason: PauseReason; message?: string };
  problem?: RunProblem;
  /** Set while the engine waits because the server asked it to (epoch ms). */
  serverWaitUntil?: number;
  /** Items counted by the running full scan; absent when no full scan runs. */
  scanned?: number;
  done: number;
  total: number;
  transfers: ReadonlyMap<string, TransferProgress>;
  lastSyncedAt?: number;
  errorCount: number;
}

export function initialStatus(): EngineStatus {
  return { state: 'starting', done: 0, total: 0, transfers: [], errorCount: 0 };
}

/** The status shown for `facts`: a pure function, so what is shown can never disagree with the engine. */
export function deriveStatus(facts: EngineFacts): EngineStatus {
  const status: EngineStatus = { state: stateOf(facts), done: facts.done, total: facts.total, transfers: [...facts.transfers.values()], errorCount: facts.errorCount };
  if (facts.lastSyncedAt !== undefined) status.lastSyncedAt = facts.lastSyncedAt;
  if (facts.paused) status.pauseReason = facts.paused.reason;
  const message = messageOf(facts, status.state);
  if (message !== undefined) status.message = message;
  if (facts.serverWaitUntil !== undefined && !facts.paused) status.waitingUntil = facts.serverWaitUntil;
  if (facts.scanned !== undefined) status.scanned = facts.scanned;
  return status;
}

function stateOf(facts: EngineFacts): EngineState {
  if (facts.lifecycle === 'stopped') return 'stopped';
  if (facts.problem?.kind === 'needs_signin') return 'needs_signin';
  if (facts.paused) return 'paused';
  if (facts.problem) return facts.problem.kind;
  if (facts.busy || facts.serverWaitUntil !== undefined) return 'syncing';
  return facts.lifecycle === 'starting' ? 'starting' : 'idle';
}

function messageOf(facts: EngineFacts, state: EngineState): string | undefined {
  switch (state) {
    case 'paused':
      return facts.paused?.message ?? (facts.paused?.reason === 'user' ? 'paused by you' : undefined);
    case 'offline':
    case 'error':
    case 'needs_signin':
      return facts.problem?.message;
    case 'syncing':
      return facts.scanned !== undefined ? 'Scanning the local folder' : undefined;
    case 'starting':
    case 'idle':
    case 'stopped':
      return undefined;
  }
}

/** The status line used by the CLI and the tray tooltip. */
export function statusLine(status: EngineStatus): string {
  const line = stateLine(status);
  if (status.waitingUntil === undefined || status.state === 'paused' || status.state === 'stopped') return line;
  return `${line}; Dropbox asked us to wait until ${clockTime(status.waitingUntil)}`;
}

function stateLine(status: EngineStatus): string {
  switch (status.state) {
    case 'starting':
      return 'Starting…';
    case 'idle':
      return status.errorCount > 0 ? `Up to date, ${status.errorCount} item(s) could not be synced` : 'Up to date';
    case 'syncing':
      if (status.scanned !== undefined) return `Scanning… ${status.scanned} files`;
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

/** HH:MM in local time. */
function clockTime(epochMs: number): string {
  const at = new Date(epochMs);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}
