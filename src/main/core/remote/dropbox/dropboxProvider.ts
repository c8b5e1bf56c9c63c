// RemoteProvider for Dropbox, built on the official SDK. Paths in and out are relative to the
// synced folder (`remoteRoot`); every call is retried per policy and fails with ../../errors.ts.
// `fetch` is injectable so `--api-url` and tests can point the SDK at the emulator.
import { randomBytes } from 'node:crypto';
import type { RemoteItem } from '../../engine/model.js';
import { joinRemote, pathLower, remoteParent } from '../../paths.js';
import { RemoteNotFoundError, SyncError } from '../../errors.js';
import {
  DEFAULT_RETRY_POLICY,
  TRANSFER_RETRY_POLICY,
  realRetryDeps,
  type RetryDeps,
  type RetryPolicy,
} from '../../transfer/retry.js';
import type { ChangePage, DownloadOptions, RemoteAccount, RemoteProvider, UploadOptions } from '../provider.js';
import type { DropboxCredentials, TokenRefreshedCallback } from './auth.js';
import { DropboxClient } from './client.js';
import { downloadFile } from './download.js';
import type { ErrorContext } from './errorMapping.js';
import {
  RootScope,
  parseAccount,
  parseCreatedFolder,
  parseDeleteResult,
  parseItemMetadata,
  parseListPage,
  parseLongpoll,
  parseMovedItem,
  unsafeRelativePath,
  type RemoteLogger,
} from './metadata.js';
import { DEFAULT_UPLOAD_SETTINGS, uploadFile, validateUploadSettings, type UploadSettings } from './upload.js';

export interface DropboxProviderOptions {
  /** The synced folder in Dropbox: '' for the whole Dropbox, or '/Folder'. */
  remoteRoot: string;
  credentials: DropboxCredentials;
  fetch?: typeof fetch;
  /** New short-lived access tokens, for the engine to store in the keychain. */
  onTokenRefreshed?: TokenRefreshedCallback;
  /** Receives remote entries that were ignored (unsafe names, outside the folder). */
  logger?: RemoteLogger;
  /** Overrides for both the metadata and the transfer retry policies (e.g. a short base delay in tests). */
  retry?: Partial<Omit<RetryPolicy, 'retryInvalidResponse'>>;
  retryDeps?: RetryDeps;
  onRetry?: (err: Error, attempt: number, delayMs: number, ctx: ErrorContext) => void;
  upload?: Partial<UploadSettings>;
  /** Milliseconds since the epoch; injectable so longpoll backoff can be tested without waiting. */
  now?: () => number;
}

/** Longpoll timeouts Dropbox accepts. */
const LONGPOLL_MIN_SEC = 30;
const LONGPOLL_MAX_SEC = 480;

const consoleLogger: RemoteLogger = { warn: (message) => console.warn(message) };

export class DropboxProvider implements RemoteProvider {
  private readonly client: DropboxClient;
  private readonly scope: RootScope;
  private readonly logger: RemoteLogger;
  private readonly policy: RetryPolicy;
  private readonly transferPolicy: RetryPolicy;
  private readonly uploadSettings: UploadSettings;
  private readonly retryDeps: RetryDeps;
  private readonly now: () => number;
  /** Dropbox's longpoll `backoff`: no new longpoll before this time, whatever the caller does. */
  private longpollNotBefore = 0;

  constructor(options: DropboxProviderOptions) {
    this.scope = new RootScope(options.remoteRoot);
    this.logger = options.logger ?? consoleLogger;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry, retryInvalidResponse: false };
    this.transferPolicy = { ...TRANSFER_RETRY_POLICY, ...options.retry, retryInvalidResponse: true };
    this.uploadSettings = validateUploadSettings({ ...DEFAULT_UPLOAD_SETTINGS, ...options.upload });
    this.retryDeps = options.retryDeps ?? realRetryDeps;
    this.now = options.now ?? Date.now;
    this.client = new DropboxClient({
      credentials: options.credentials,
      fetch: options.fetch ?? globalThis.fetch,
      onTokenRefreshed: options.onTokenRefreshed,
      retryDeps: this.retryDeps,
      onRetry: options.onRetry,
    });
  }

  async getAccount(): Promise<RemoteAccount> {
    const res = await this.client.call({ route: 'users/get_current_account', path: '', policy: this.policy }, (sdk) => sdk.usersGetCurrentAccount());
    return parseAccount(res.result);
  }

  async listAll(): Promise<ChangePage> {
    const res = await this.client.call({ route: 'files/list_folder', path: '', policy: this.policy }, (sdk) =>
      sdk.filesListFolder({ path: this.scope.root, recursive: true, include_deleted: false }),
    );
    return parseListPage(res.result, this.scope, this.logger);
  }

  async listContinue(cursor: string): Promise<ChangePage> {
    const res = await this.client.call({ route: 'files/list_folder/continue', path: '', policy: this.policy }, (sdk) =>
      sdk.filesListFolderContinue({ cursor }),
    );
    return parseListPage(res.result, this.scope, this.logger);
  }

  async waitForChanges(cursor: string, timeoutSec: number, signal?: AbortSignal): Promise<{ changes: boolean; backoffSec?: number }> {
    const timeout = Math.min(LONGPOLL_MAX_SEC, Math.max(LONGPOLL_MIN_SEC, Math.round(timeoutSec)));
    const wait = this.longpollNotBefore - this.now();
    if (wait > 0) await this.retryDeps.sleep(wait, signal);
    const res = await this.client.call({ route: 'files/list_folder/longpoll', path: '', policy: this.policy, signal }, (sdk) =>
      sdk.filesListFolderLongpoll({ cursor, timeout }),
    );
    const result = parseLongpoll(res.result);
    if (result.backoffSec) this.longpollNotBefore = this.now() + result.backoffSec * 1000;
    return result;
  }

  upload(localAbsPath: string, relPath: string, opts: UploadOptions): Promise<RemoteItem> {
    this.checkPath(relPath);
    const ctx = { client: this.client, scope: this.scope, policy: this.transferPolicy, settings: this.uploadSettings };
    return uploadFile(ctx, localAbsPath, relPath, opts);
  }

  download(relPath: string, destPath: string, opts: DownloadOptions): Promise<RemoteItem> {
    this.checkPath(relPath);
    return downloadFile({ client: this.client, scope: this.scope, policy: this.transferPolicy }, relPath, destPath, opts);
  }

  async getMetadata(relPath: string): Promise<RemoteItem | undefined> {
    this.checkPath(relPath);
    try {
      const res = await this.client.call({ route: 'files/get_metadata', path: relPath, policy: this.policy }, (sdk) =>
        sdk.filesGetMetadata({ path: this.scope.toDropbox(relPath), include_deleted: false }),
      );
      return parseItemMetadata(res.result, this.scope, relPath);
    } catch (err) {
      if (err instanceof RemoteNotFoundError) return undefined;
      throw err;
    }
  }

  /** '' creates the synced folder itself (when it is not the Dropbox root), e.g. on first sync. */
  async createFolder(relPath: string): Promise<RemoteItem> {
    if (relPath !== '' || this.scope.root === '') this.checkPath(relPath);
    const res = await this.client.call({ route: 'files/create_folder_v2', path: relPath, policy: this.policy }, (sdk) =>
      sdk.filesCreateFolderV2({ path: this.scope.toDropbox(relPath), autorename: false }),
    );
    return parseCreatedFolder(res.result, this.scope, relPath);
  }

  async delete(relPath: string, opts: { parentRev?: string } = {}): Promise<void> {
    this.checkPath(relPath);
    const res = await this.client.call({ route: 'files/delete_v2', path: relPath, policy: this.policy }, (sdk) =>
      sdk.filesDeleteV2(opts.parentRev ? { path: this.scope.toDropbox(relPath), parent_rev: opts.parentRev } : { path: this.scope.toDropbox(relPath) }),
    );
    parseDeleteResult(res.result);
  }

  async move(fromRelPath: string, toRelPath: string): Promise<RemoteItem> {
    this.checkPath(fromRelPath);
    this.checkPath(toRelPath);
    if (fromRelPath !== toRelPath && pathLower(fromRelPath) === pathLower(toRelPath)) return this.respell(fromRelPath, toRelPath);
    return this.moveOnce(fromRelPath, toRelPath);
  }

  /**
   * Dropbox answers a case-only move_v2 with success but keeps the old spelling: go through a
   * free temporary name in the same folder. If the second step fails, the item is put back.
   */
  private async respell(fromRelPath: string, toRelPath: string): Promise<RemoteItem> {
    const temp = joinRemote(remoteParent(fromRelPath), `.twinfold-respell-${randomBytes(8).toString('hex')}`);
    await this.moveOnce(fromRelPath, temp);
    try {
      return await this.moveOnce(temp, toRelPath);
    } catch (err) {
      await this.moveOnce(temp, fromRelPath).catch(() => undefined);
      throw err;
    }
  }

  private async moveOnce(fromRelPath: string, toRelPath: string): Promise<RemoteItem> {
    const res = await this.client.call({ route: 'files/move_v2', path: toRelPath, policy: this.policy }, (sdk) =>
      sdk.filesMoveV2({ from_path: this.scope.toDropbox(fromRelPath), to_path: this.scope.toDropbox(toRelPath), autorename: false }),
    );
    return parseMovedItem(res.result, this.scope, toRelPath);
  }

  /** The engine only passes paths of items inside the synced folder; anything else is a bug upstream. */
  private checkPath(relPath: string): void {
    const unsafe = unsafeRelativePath(relPath);
    if (unsafe) {
      throw new SyncError({ path: relPath, title: 'Invalid path', message: `“${relPath}” cannot be used on Dropbox (${unsafe}).`, retryable: false });
    }
  }
}
