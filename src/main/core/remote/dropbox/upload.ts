// Uploads one local file to Dropbox: files/upload for small files, an upload session for large
// ones (streamed from disk one chunk at a time). Every call carries the content_hash of its bytes
// so Dropbox rejects damaged transfers; the file is re-checked before the commit so an edit during
// the upload is never committed torn; and the committed metadata must hash to what was read.
import type { RemoteItem } from '../../engine/model.js';
import { contentHashOf, DROPBOX_BLOCK_SIZE } from '../../contentHash.js';
import { SyncError, VerificationError } from '../../errors.js';
import { FileSnapshot } from '../../transfer/fileSnapshot.js';
import type { RetryPolicy } from '../../transfer/retry.js';
import type { UploadOptions } from '../provider.js';
import type { DropboxClient } from './client.js';
import { IncorrectOffsetError } from './errorMapping.js';
import { parseFileMetadata, parseUploadSessionStart, type RootScope } from './metadata.js';

export interface UploadSettings {
  /** Files up to this size go in one files/upload request (Dropbox's limit is 150 MiB). */
  singleUploadMaxBytes: number;
  /** Session chunk size; a multiple of 4 MiB as Dropbox's performance guide advises. */
  chunkBytes: number;
}

export const DEFAULT_UPLOAD_SETTINGS: UploadSettings = {
  singleUploadMaxBytes: 8 * 1024 * 1024,
  chunkBytes: 8 * 1024 * 1024,
};

const SINGLE_UPLOAD_LIMIT = 150 * 1024 * 1024;

export function validateUploadSettings(s: UploadSettings): UploadSettings {
  if (!(s.chunkBytes > 0 && s.chunkBytes % DROPBOX_BLOCK_SIZE === 0)) throw new Error('upload chunkBytes must be a positive multiple of 4 MiB');
  if (!(s.singleUploadMaxBytes >= 0 && s.singleUploadMaxBytes <= SINGLE_UPLOAD_LIMIT)) throw new Error('singleUploadMaxBytes must be between 0 and 150 MiB');
  return s;
}

/** Dropbox timestamps are whole seconds in UTC: '2024-05-01T12:00:00Z'. */
export function dropboxTimestamp(date: Date): string | undefined {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

interface UploadContext {
  client: DropboxClient;
  scope: RootScope;
  policy: RetryPolicy;
  settings: UploadSettings;
  relPath: string;
  opts: UploadOptions;
}

export async function uploadFile(
  ctx: Omit<UploadContext, 'relPath' | 'opts'>,
  localAbsPath: string,
  relPath: string,
  opts: UploadOptions,
): Promise<RemoteItem> {
  const full: UploadContext = { ...ctx, relPath, opts };
  const snapshot = await FileSnapshot.open(localAbsPath, relPath);
  try {
    const commit = commitInfo(full, snapshot);
    const committed = snapshot.size <= ctx.settings.singleUploadMaxBytes
      ? await uploadWhole(full, snapshot, commit)
      : await uploadInSession(full, snapshot, commit);
    const item = parseFileMetadata(committed.result, ctx.scope, relPath, 'upload result');
    if (item.contentHash !== committed.hash) {
      throw new VerificationError(relPath, committed.hash, item.contentHash ?? '', 'Dropbox stored different content');
    }
    return item;
  } finally {
    await snapshot.close();
  }
}

type Commit = {
  path: string;
  mode: { '.tag': 'add' } | { '.tag': 'update'; update: string };
  autorename: false;
  client_modified?: string;
};

function commitInfo(ctx: UploadContext, snapshot: FileSnapshot): Commit {
  const commit: Commit = {
    path: ctx.scope.toDropbox(ctx.relPath),
    // add never replaces a different file; update replaces only the revision we synced from.
    mode: ctx.opts.parentRev ? { '.tag': 'update', update: ctx.opts.parentRev } : { '.tag': 'add' },
    autorename: false,
  };
  const modified = dropboxTimestamp(ctx.opts.clientModified ?? new Date(snapshot.identity.mtimeMs));
  if (modified) commit.client_modified = modified;
  return commit;
}

interface Committed {
  result: unknown;
  /** content_hash of the bytes read from disk and sent. */
  hash: string;
}

async function uploadWhole(ctx: UploadContext, snapshot: FileSnapshot, commit: Commit): Promise<Committed> {
  const data = await snapshot.read(snapshot.size);
  const hash = snapshot.digest();
  // files/upload commits as it receives, so the change check has to come before sending.
  await snapshot.assertUnchanged();
  const res = await ctx.client.call(
    { route: 'files/upload', path: ctx.relPath, policy: ctx.policy, signal: ctx.opts.signal },
    // A fresh argument object per attempt: the SDK deletes `contents` from the one it is given.
    (sdk) => sdk.filesUpload({ ...commit, contents: data, content_hash: hash }),
  );
  ctx.opts.onProgress?.(snapshot.size, snapshot.size);
  return { result: res.result, hash };
}

async function uploadInSession(ctx: UploadContext, snapshot: FileSnapshot, commit: Commit): Promise<Committed> {
  const { client, relPath, policy, opts } = ctx;
  const call = { path: relPath, policy, signal: opts.signal };

  // One buffer for every chunk: each chunk is fully appended (retries included) before the next read.
  const buffer = Buffer.allocUnsafe(Math.min(ctx.settings.chunkBytes, snapshot.size));
  const first = await snapshot.read(ctx.settings.chunkBytes, buffer);
  const started = await client.call({ ...call, route: 'files/upload_session/start' }, (sdk) =>
    sdk.filesUploadSessionStart({ close: false, contents: first, content_hash: contentHashOf(first) }),
  );
  const sessionId = parseUploadSessionStart(started.result);
  let offset = first.length;
  opts.onProgress?.(offset, snapshot.size);

  while (!snapshot.done) {
    const chunk = await snapshot.read(ctx.settings.chunkBytes, buffer);
    await appendChunk(ctx, sessionId, offset, chunk);
    offset += chunk.length;
    opts.onProgress?.(offset, snapshot.size);
  }

  const hash = snapshot.digest();
  await snapshot.assertUnchanged();
  // All data went in appends, so finish carries no bytes and no per-call content_hash; the whole
  // file is checked against the committed metadata instead.
  const finished = await client.call({ ...call, route: 'files/upload_session/finish' }, (sdk) =>
    sdk.filesUploadSessionFinish({ cursor: { session_id: sessionId, offset }, commit, contents: Buffer.alloc(0) }),
  );
  return { result: finished.result, hash };
}

/**
 * Appends `chunk` at `offset`. When an earlier attempt landed but its answer was lost, Dropbox
 * replies incorrect_offset with the offset it has: skip what it already holds and send the rest.
 */
async function appendChunk(ctx: UploadContext, sessionId: string, offset: number, chunk: Buffer): Promise<void> {
  let confirmed = 0;
  for (let resyncs = 0; ; resyncs++) {
    const rest = chunk.subarray(confirmed);
    try {
      await ctx.client.call(
        { route: 'files/upload_session/append_v2', path: ctx.relPath, policy: ctx.policy, signal: ctx.opts.signal },
        (sdk) => sdk.filesUploadSessionAppendV2({
          cursor: { session_id: sessionId, offset: offset + confirmed },
          close: false,
          contents: rest,
          content_hash: contentHashOf(rest),
        }),
      );
      return;
    } catch (err) {
      if (!(err instanceof IncorrectOffsetError) || resyncs >= 2) throw err;
      const held = err.correctOffset - offset;
      // Only data of this chunk is still in memory; anything else means starting over.
      if (held < 0 || held > chunk.length) {
        throw new SyncError({ path: ctx.relPath, title: 'Upload out of step', message: `The upload of “${ctx.relPath}” lost its place on Dropbox; it will start again.`, retryable: true, cause: err });
      }
      if (held === chunk.length) return;
      confirmed = held;
    }
  }
}
