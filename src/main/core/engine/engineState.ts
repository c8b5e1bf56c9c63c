// The one owner of a SyncEngine's state (running, paused, waiting, failed, transfers, scan
// progress). Every change goes through update(), which emits the status derived from it.
import { deriveStatus, type EngineFacts, type EngineStatus, type TransferProgress } from './status.js';

export class EngineStateStore {
  private facts: EngineFacts;
  private readonly transfers = new Map<string, TransferProgress>();

  constructor(private readonly onChange: (status: EngineStatus) => void) {
    this.facts = { lifecycle: 'starting', busy: false, done: 0, total: 0, transfers: this.transfers, errorCount: 0 };
  }

  get(): Readonly<EngineFacts> {
    return this.facts;
  }

  status(): EngineStatus {
    return deriveStatus(this.facts);
  }

  update(patch: Partial<Omit<EngineFacts, 'transfers'>>): void {
    this.facts = { ...this.facts, ...patch };
    this.onChange(this.status());
  }

  setTransfer(progress: TransferProgress, finished: boolean): void {
    if (finished) this.transfers.delete(progress.path);
    else this.transfers.set(progress.path, progress);
    this.onChange(this.status());
  }
}
