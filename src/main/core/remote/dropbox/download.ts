// Downloads one Dropbox file into a (temporary) local path, streaming and hashing as it goes.
//
// Not the SDK's filesDownload: on Node it resolves only after `res.buffer()` has collected the
// whole body in memory, so a 1 GiB file would cost 1 GiB of RSS (the budget is 200 MB). Instead we
// call the same endpoint with the injected fetch and the SDK's current access token, write the body
// to disk chunk by chunk, and verify the bytes against the content_hash in Dropbox-API-Result.
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { RemoteItem } from '../../engine/model.js';
import { ContentHasher } from '../../contentHash.js';
import { InvalidResponseError, VerificationError, fsErrorToSyncError } from '../../errors.js';
import type { RetryPolicy } from '../../transfer/retry.js';
import type { DownloadOptions } from '../provider.js';
import type { DropboxClient } from './client.js';
import { isTruncatedBody, mapHttpFailure } from './errorMapping.js';
import { parseApiResultHeader, parseFileMetadata, type RootScope } from './metadata.js';

const DOWNLOAD_URL = 'https://content.dropboxapi.com/2/files/download';

/** JSON for an HTTP header: DEL and everything non-ASCII escaped as \uXXXX, as Dropbox expects. */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

interface DownloadContext {
  client: DropboxClient;
  scope: RootScope;
  policy: RetryPolicy;
}

export function downloadFile(ctx: DownloadContext, relPath: string, destPath: string, opts: DownloadOptions): Promise<RemoteItem> {
  return ctx.client.call(
    { route: 'files/download', path: relPath, policy: ctx.policy, signal: opts.signal },
    async () => {
      try {
        return await downloadOnce(ctx, relPath, destPath, opts);
      } catch (err) {
        // Never leave a partial file behind; the next attempt starts from an empty one.
        await rm(destPath, { force: true }).catch(() => undefined);
        throw err;
      }
    },
  );
}

async function downloadOnce(ctx: DownloadContext, relPath: string, destPath: string, opts: DownloadOptions): Promise<RemoteItem> {
  const headers: Record<string, string> = { 'Dropbox-API-Arg': headerSafeJson({ path: ctx.scope.toDropbox(relPath) }) };
  const token = ctx.client.tokens.accessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await ctx.client.fetch(DOWNLOAD_URL, { method: 'POST', headers, signal: opts.signal });
  if (!res.ok) {
    const body = parseMaybeJson(await res.text());
    throw mapHttpFailure({ status: res.status, headers: res.headers, body }, { route: 'files/download', path: relPath });
  }
  const item = parseFileMetadata(parseApiResultHeader(res.headers.get('dropbox-api-result')), ctx.scope, relPath, 'Dropbox-API-Result');
  if (!res.body) throw new InvalidResponseError('download without a body');
  const total = item.size ?? 0;

  const hasher = new ContentHasher();
  const file = await openForWrite(destPath, relPath);
  try {
    for await (const chunk of res.body) {
      hasher.update(chunk);
      // A server that keeps sending past the announced size is not trusted to stop at all.
      if (hasher.bytesHashed > total) throw new VerificationError(relPath, item.contentHash, '', 'more data than announced');
      await writeAll(file, chunk, relPath);
      opts.onProgress?.(hasher.bytesHashed, total);
    }
  } catch (err) {
    // Cut short but cleanly closed: this file's content is damaged, the connection is fine, so it
    // is a per-file verification failure rather than "offline" (which would pause everything).
    if (isTruncatedBody(err) && !opts.signal?.aborted) {
      throw new VerificationError(relPath, item.contentHash, '', `received ${hasher.bytesHashed} of ${total} bytes`);
    }
    throw err;
  } finally {
    await file.close();
  }

  const received = hasher.bytesHashed;
  const actual = hasher.digest();
  if (received !== total) throw new VerificationError(relPath, item.contentHash, actual, `received ${received} of ${total} bytes`);
  if (item.contentHash !== undefined && actual !== item.contentHash) throw new VerificationError(relPath, item.contentHash, actual);
  if (opts.expectedHash !== undefined && actual !== opts.expectedHash) {
    throw new VerificationError(relPath, opts.expectedHash, actual, 'content differs from the version expected');
  }
  return item;
}

async function openForWrite(destPath: string, relPath: string): Promise<FileHandle> {
  try {
    return await open(destPath, 'w');
  } catch (err) {
    throw fsErrorToSyncError(err, relPath, 'downloading');
  }
}

async function writeAll(file: FileHandle, chunk: Uint8Array, relPath: string): Promise<void> {
  try {
    for (let offset = 0; offset < chunk.length; ) {
      const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
  } catch (err) {
    throw fsErrorToSyncError(err, relPath, 'downloading');
  }
}
