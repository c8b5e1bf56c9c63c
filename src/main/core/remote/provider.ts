// The interface the engine uses to talk to a cloud store. Dropbox implements it now, Frame.io
// later, so nothing provider-specific appears here. All paths are relative to the synced folder
// ('/a/b.txt'); keys are their path_lower. Failures are thrown as the classes in ../errors.ts.
import type { PathKey, RemoteItem } from '../engine/model.js';

/** One entry of the remote change feed, applied in order. */
export type RemoteChange =
  | { kind: 'upsert'; item: RemoteItem; providerKey?: string }
  /** Removes the item at `key` and its whole subtree; unknown keys are ignored. */
  | { kind: 'delete'; key: PathKey; providerKey?: string }
  /**
   * An entry the provider could not use (a kind it does not know): what is at `key` is unknown,
   * never deleted. `reason` is for people.
   */
  | { kind: 'refused'; key: PathKey; path: string; reason: string; providerKey?: string };

/*
 * `providerKey` is the provider's own identity of the path when it differs from `key`: Dropbox's
 * path_lower as sent. Two entries the provider keeps apart (a server that does not normalise
 * Unicode, or one that lies about case) can share one key; the provider key tells them apart.
 */

export interface ChangePage {
  changes: RemoteChange[];
  cursor: string;
  hasMore: boolean;
}

export interface RemoteAccount {
  accountId: string;
  displayName: string;
  email: string;
}

export type ProgressCallback = (bytes: number, total: number) => void;

export interface UploadOptions {
  /** Replace only this revision (update mode); absent: add, never overwrite. */
  parentRev?: string;
  /** Defaults to the file's mtime. */
  clientModified?: Date;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export interface DownloadOptions {
  /** The content hash the caller planned for; a different body is rejected. */
  expectedHash?: string;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export interface RemoteProvider {
  getAccount(): Promise<RemoteAccount>;
  /** First page of a recursive listing of the synced folder. */
  listAll(): Promise<ChangePage>;
  /** Next page of changes after `cursor`; throws CursorResetError when the cursor expired. */
  listContinue(cursor: string): Promise<ChangePage>;
  /** Blocks until something changed after `cursor` or the timeout passed (longpoll). */
  waitForChanges(cursor: string, timeoutSec: number, signal?: AbortSignal): Promise<{ changes: boolean; backoffSec?: number }>;
  /** Uploads the local file as `relPath`; the result describes exactly the bytes that were read. */
  upload(localAbsPath: string, relPath: string, opts: UploadOptions): Promise<RemoteItem>;
  /** Writes the remote file to `destPath` (a temp file) and verifies it before resolving. */
  download(relPath: string, destPath: string, opts: DownloadOptions): Promise<RemoteItem>;
  /** What is at `relPath` now (files/get_metadata): the answer to a feed that contradicts a write; undefined when nothing is. */
  getMetadata(relPath: string): Promise<RemoteItem | undefined>;
  createFolder(relPath: string): Promise<RemoteItem>;
  /** Deletes a file or a folder with its subtree; `parentRev` guards a file against a concurrent edit. */
  delete(relPath: string, opts?: { parentRev?: string }): Promise<void>;
  move(fromRelPath: string, toRelPath: string): Promise<RemoteItem>;
}
