// A RemoteProvider that passes every call to a real one unless a test hooks it: the way to play a
// hostile or lagging server (endless pages, repeated entries, a feed that holds changes back).
import type { ChangePage, DownloadOptions, RemoteAccount, RemoteProvider, UploadOptions } from '../../src/main/core/remote/provider.js';
import type { RemoteItem } from '../../src/main/core/engine/model.js';

export interface ProviderHooks {
  listAll?: (real: () => Promise<ChangePage>) => Promise<ChangePage>;
  listContinue?: (cursor: string, real: (cursor: string) => Promise<ChangePage>) => Promise<ChangePage>;
  download?: (relPath: string, destPath: string, opts: DownloadOptions, real: () => Promise<RemoteItem>) => Promise<RemoteItem>;
  upload?: (relPath: string, real: () => Promise<RemoteItem>) => Promise<RemoteItem>;
  getMetadata?: (relPath: string, real: () => Promise<RemoteItem | undefined>) => Promise<RemoteItem | undefined>;
}

export class HookedProvider implements RemoteProvider {
  readonly calls = { listAll: 0, listContinue: 0, getMetadata: 0, upload: 0, download: 0 };

  constructor(private readonly real: RemoteProvider, public hooks: ProviderHooks = {}) {}

  getAccount(): Promise<RemoteAccount> {
    return this.real.getAccount();
  }

  listAll(): Promise<ChangePage> {
    this.calls.listAll += 1;
    const real = () => this.real.listAll();
    return this.hooks.listAll ? this.hooks.listAll(real) : real();
  }

  listContinue(cursor: string): Promise<ChangePage> {
    this.calls.listContinue += 1;
    const real = (c: string) => this.real.listContinue(c);
    return this.hooks.listContinue ? this.hooks.listContinue(cursor, real) : real(cursor);
  }

  waitForChanges(cursor: string, timeoutSec: number, signal?: AbortSignal): Promise<{ changes: boolean; backoffSec?: number }> {
    return this.real.waitForChanges(cursor, timeoutSec, signal);
  }

  upload(localAbsPath: string, relPath: string, opts: UploadOptions): Promise<RemoteItem> {
    this.calls.upload += 1;
    const real = () => this.real.upload(localAbsPath, relPath, opts);
    return this.hooks.upload ? this.hooks.upload(relPath, real) : real();
  }

  download(relPath: string, destPath: string, opts: DownloadOptions): Promise<RemoteItem> {
    this.calls.download += 1;
    const real = () => this.real.download(relPath, destPath, opts);
    return this.hooks.download ? this.hooks.download(relPath, destPath, opts, real) : real();
  }

  getMetadata(relPath: string): Promise<RemoteItem | undefined> {
    this.calls.getMetadata += 1;
    const real = () => this.real.getMetadata(relPath);
    return this.hooks.getMetadata ? this.hooks.getMetadata(relPath, real) : real();
  }

  createFolder(relPath: string): Promise<RemoteItem> {
    return this.real.createFolder(relPath);
  }

  delete(relPath: string, opts?: { parentRev?: string }): Promise<void> {
    return this.real.delete(relPath, opts);
  }

  move(fromRelPath: string, toRelPath: string): Promise<RemoteItem> {
    return this.real.move(fromRelPath, toRelPath);
  }
}
