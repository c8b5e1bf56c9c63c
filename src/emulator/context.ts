// What route handlers work with: the account's namespace and stores, plus the emulator's knobs.
import type { AccountIdentity } from './account.js';
import type { AsyncJobs } from './asyncJobs.js';
import type { BlobStore } from './blobs.js';
import type { FaultController } from './faults.js';
import type { HeldLongpolls } from './longpoll.js';
import type { Namespace } from './namespace.js';
import type { TokenStore } from './tokens.js';
import type { UploadSessionStore } from './uploadSessions.js';

export interface LongpollSettings {
  /** How long one second of a longpoll `timeout` lasts, in ms (1000; tests shrink it). */
  secondMs: number;
  /** Up to this much random extra wait before answering a longpoll that timed out. */
  jitterMs: number;
  /** When set, every longpoll answer carries `backoff` with this many seconds. */
  backoffSec: number | undefined;
}

export interface EmulatorContext {
  ns: Namespace;
  sessions: UploadSessionStore;
  jobs: AsyncJobs;
  blobs: BlobStore;
  account: AccountIdentity;
  tokens: TokenStore;
  faults: FaultController;
  longpoll: LongpollSettings;
  heldLongpolls: HeldLongpolls;
  /** Writes the state to the data directory (resolves at once without one). */
  persist(): Promise<void>;
  /** Aborted when the emulator closes, so held requests (longpolls) end. */
  closing: AbortSignal;
}
