// Upload routes: files/upload and the upload_session family (start, append, append_v2, finish,
// finish_batch with its check, finish_batch_v2).
import { contentHashOf } from '../../main/core/contentHash.js';
import { nest, RouteError, tag, WriteFailure, type Tagged } from '../errors.js';
import type { FileMetadata } from '../metadata.js';
import { parsePathArg, type PathArg } from '../pathArgs.js';
import { SCHEMAS, type CommitInfoArg, type SessionAppendArg, type SessionCursorArg, type SessionFinishArg, type SessionStartArg, type UploadArg } from '../schemas.js';
import { SessionError } from '../uploadSessions.js';
import { rpc, upload, type Call, type Route } from './types.js';

function checkHash(expected: string | undefined, data: Buffer): void {
  if (expected !== undefined && expected !== contentHashOf(data)) throw new RouteError(tag('content_hash_mismatch'));
}

/** Stores the content, then commits it; WriteFailure comes back for the caller to wrap. */
async function commit(call: Call, info: CommitInfoArg, path: PathArg, data: Buffer): Promise<FileMetadata> {
  const hash = contentHashOf(data);
  await call.ctx.blobs.put(hash, data);
  return call.ctx.ns.commitFile(
    {
      path,
      mode: info.mode,
      autorename: info.autorename,
      strictConflict: info.strict_conflict,
      ...(info.client_modified !== undefined ? { clientModified: info.client_modified } : {}),
    },
    { hash, size: data.length },
  );
}

const uploadFile = upload<UploadArg>({
  name: 'files/upload',
  arg: SCHEMAS.upload,
  mutates: true,
  async handle(arg, body, call) {
    const path = parsePathArg(arg.path, call.ctx.account.namespaceId);
    checkHash(arg.content_hash, body);
    try {
      return await commit(call, arg, path, body);
    } catch (err) {
      if (!(err instanceof WriteFailure)) throw err;
      // The data is kept in a session so the client can retry the commit with upload_session/finish.
      const sessionId = call.ctx.sessions.start('sequential', true, body);
      throw new RouteError(tag('path', { reason: err.reason, upload_session_id: sessionId }));
    }
  },
});

const sessionStart = upload<SessionStartArg>({
  name: 'files/upload_session/start',
  arg: SCHEMAS.uploadSessionStart,
  handle(arg, body, { ctx }) {
    const type = arg.session_type?.['.tag'] ?? 'sequential';
    if (type === 'concurrent' && body.length > 0) throw new RouteError(tag('concurrent_session_data_not_allowed'));
    if (type === 'concurrent' && arg.close) throw new RouteError(tag('concurrent_session_close_not_allowed'));
    checkHash(arg.content_hash, body);
    return { session_id: ctx.sessions.start(type, arg.close, body) };
  },
});

function append(call: Call, cursor: SessionCursorArg, body: Buffer, close: boolean): null {
  try {
    call.ctx.sessions.append(cursor.session_id, cursor.offset, body, close);
  } catch (err) {
    // UploadSessionAppendError has the lookup reasons as its own members.
    if (err instanceof SessionError) throw new RouteError(err.reason);
    throw err;
  }
  return null;
}

const sessionAppendV2 = upload<SessionAppendArg>({
  name: 'files/upload_session/append_v2',
  arg: SCHEMAS.uploadSessionAppendV2,
  handle(arg, body, call) {
    checkHash(arg.content_hash, body);
    return append(call, arg.cursor, body, arg.close);
  },
});

const sessionAppend = upload<SessionCursorArg>({
  name: 'files/upload_session/append',
  arg: SCHEMAS.uploadSessionAppend,
  handle: (arg, body, call) => append(call, arg, body, false),
});

/** UploadSessionFinishError members that are not lookup failures. */
const FINISH_TOP_LEVEL = new Set(['concurrent_session_not_closed', 'concurrent_session_missing_data']);

function finishError(err: SessionError): Tagged {
  return FINISH_TOP_LEVEL.has(err.reason['.tag']) ? err.reason : nest('lookup_failed', err.reason);
}

/**
 * Commits a session. `data` (finish only) is appended first, and stays appended if the commit
 * fails, as Dropbox's error says ("retry with empty data body and updated offset").
 */
async function finishSession(call: Call, entry: SessionFinishArg, path: PathArg, data: Buffer, requireClosed: boolean): Promise<FileMetadata> {
  const sessions = call.ctx.sessions;
  const id = entry.cursor.session_id;
  let contents: Buffer;
  try {
    let offset = entry.cursor.offset;
    if (data.length > 0) {
      if (sessions.type(id) === 'concurrent') throw new RouteError(tag('concurrent_session_data_not_allowed'));
      sessions.append(id, offset, data, false);
      offset += data.length;
    }
    contents = sessions.contents(id, offset, requireClosed);
  } catch (err) {
    if (err instanceof SessionError) throw new RouteError(finishError(err));
    throw err;
  }
  try {
    const metadata = await commit(call, entry.commit, path, contents);
    sessions.markCommitted(id);
    return metadata;
  } catch (err) {
    if (err instanceof WriteFailure) throw new RouteError(nest('path', err.reason));
    throw err;
  }
}

const sessionFinish = upload<SessionFinishArg>({
  name: 'files/upload_session/finish',
  arg: SCHEMAS.uploadSessionFinish,
  mutates: true,
  handle(arg, body, call) {
    const path = parsePathArg(arg.commit.path, call.ctx.account.namespaceId);
    checkHash(arg.content_hash, body);
    return finishSession(call, arg, path, body, false);
  },
});

/** Commits every entry in order; a failure is reported in its slot and does not stop the rest. */
async function finishBatch(entries: SessionFinishArg[], call: Call): Promise<Tagged[]> {
  const paths = entries.map((e) => parsePathArg(e.commit.path, call.ctx.account.namespaceId));
  const results: Tagged[] = [];
  for (const [i, entry] of entries.entries()) {
    try {
      results.push({ '.tag': 'success', ...(await finishSession(call, entry, paths[i]!, Buffer.alloc(0), true)) });
    } catch (err) {
      if (!(err instanceof RouteError)) throw err;
      results.push({ '.tag': 'failure', failure: err.error });
    }
  }
  return results;
}

const sessionFinishBatchV2 = rpc<{ entries: SessionFinishArg[] }>({
  name: 'files/upload_session/finish_batch_v2',
  arg: SCHEMAS.uploadSessionFinishBatch,
  mutates: true,
  async handle(arg, call) {
    return { entries: await finishBatch(arg.entries, call) };
  },
});

const sessionFinishBatch = rpc<{ entries: SessionFinishArg[] }>({
  name: 'files/upload_session/finish_batch',
  arg: SCHEMAS.uploadSessionFinishBatch,
  mutates: true,
  async handle(arg, call) {
    const entries = await finishBatch(arg.entries, call);
    return tag('async_job_id', { async_job_id: call.ctx.jobs.add(tag('complete', { entries })) });
  },
});

const sessionFinishBatchCheck = rpc<{ async_job_id: string }>({
  name: 'files/upload_session/finish_batch/check',
  arg: SCHEMAS.poll,
  handle: (arg, { ctx }) => ctx.jobs.get(arg.async_job_id),
});

export const uploadRoutes: Route[] = [
  uploadFile,
  sessionStart,
  sessionAppend,
  sessionAppendV2,
  sessionFinish,
  sessionFinishBatch,
  sessionFinishBatchV2,
  sessionFinishBatchCheck,
];
