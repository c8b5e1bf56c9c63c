// Converts Dropbox HTTP failures (from the SDK's DropboxResponseError or our own fetches) and
// transport failures (fetch errors, reset connections, aborted bodies) into ../../errors.ts.
// The only place that knows Dropbox's error tags.
import { DropboxResponseError } from 'dropbox';
import {
  AuthError,
  CursorResetError,
  InvalidResponseError,
  NetworkError,
  RateLimitError,
  RemoteConflictError,
  RemoteNotFoundError,
  ServerError,
  SyncError,
  TwinfoldError,
  VerificationError,
  isAbortError,
  redactSecrets,
  type ConflictWith,
} from '../../errors.js';

/** An HTTP failure in neutral form: status, headers, body parsed as JSON when it is JSON. */
export interface HttpFailure {
  status: number;
  headers: { get(name: string): string | null } | undefined;
  body: unknown;
}

export interface ErrorContext {
  /** API route, for messages: 'files/upload'. */
  route: string;
  /** Relative path the call concerns; '' for the synced folder or account-wide calls. */
  path: string;
}

/** 401 expired_access_token: the caller refreshes once and repeats the request. */
export class ExpiredTokenError extends AuthError {
  constructor() {
    super('The Dropbox sign-in expired and could not be renewed');
    this.name = 'ExpiredTokenError';
  }
}

/** upload_session append/finish at the wrong offset; the uploader resynchronises from `correctOffset`. */
export class IncorrectOffsetError extends SyncError {
  readonly correctOffset: number;

  constructor(path: string, correctOffset: number) {
    super({ path, title: 'Upload out of step', message: `The upload of “${path}” lost its place; it will start again.`, retryable: true });
    this.name = 'IncorrectOffsetError';
    this.correctOffset = correctOffset;
  }
}

const DEFAULT_RATE_LIMIT_MS = 5_000;

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH', 'EHOSTDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/** True for a failure to reach the server or to receive a whole response. */
export function isTransportFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    // undici: 'fetch failed' (could not connect or send), 'terminated' (body cut off).
    if (e instanceof TypeError && (e.message === 'fetch failed' || e.message === 'terminated')) return true;
    if (e.name === 'SocketError' || e.message === 'other side closed') return true;
  }
  return false;
}

/**
 * True when a response body ended cleanly but shorter than its Content-Length: the server (or a
 * proxy) cut it off. For downloads this is damaged content, not a dead connection.
 */
export function isTruncatedBody(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return true;
  }
  return false;
}

/** Dropbox error tags as a chain: 'path/conflict/file/..' → ['path', 'conflict', 'file']. */
export function errorTags(body: unknown): string[] {
  const summary = (body as { error_summary?: unknown } | null)?.error_summary;
  if (typeof summary === 'string') return summary.split('/').filter((part) => part !== '' && !/^\.+$/.test(part));
  // No summary: walk the union ({".tag": t, t: {...}} or inlined struct fields).
  const tags: string[] = [];
  let node = (body as { error?: unknown } | null)?.error;
  while (node && typeof node === 'object' && tags.length < 8) {
    const record = node as Record<string, unknown>;
    const tag = record['.tag'];
    if (typeof tag === 'string') {
      tags.push(tag);
      node = record[tag] ?? record.reason;
    } else {
      node = record.reason;
    }
  }
  return tags;
}

/** Finds `correct_offset` in an upload session error, wherever the union nests it. */
export function correctOffsetOf(body: unknown): number | undefined {
  const stack: unknown[] = [(body as { error?: unknown } | null)?.error];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    const value = (node as Record<string, unknown>).correct_offset;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    stack.push(...Object.values(node));
  }
  return undefined;
}

/** Retry-After in ms: seconds or an HTTP date in the header, else the body's retry_after. */
export function retryAfterMs(headers: HttpFailure['headers'], body: unknown, now = Date.now()): number {
  const header = headers?.get('retry-after')?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) return Math.round(Number(header) * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const fromBody = (body as { error?: { retry_after?: unknown } } | null)?.error?.retry_after;
  if (typeof fromBody === 'number' && fromBody >= 0) return fromBody * 1000;
  return DEFAULT_RATE_LIMIT_MS;
}

function conflictWith(tags: string[]): ConflictWith {
  const what = tags[tags.indexOf('conflict') + 1];
  return what === 'file' || what === 'folder' || what === 'file_ancestor' ? what : 'other';
}

function summaryText(body: unknown): string {
  const summary = (body as { error_summary?: unknown } | null)?.error_summary;
  if (typeof summary === 'string') return summary;
  if (typeof body === 'string') return body.slice(0, 200);
  return 'unknown error';
}

/** Maps a route error (HTTP 409) by its tags. */
function routeError(failure: HttpFailure, ctx: ErrorContext): TwinfoldError {
  const tags = errorTags(failure.body);
  const has = (tag: string): boolean => tags.includes(tag);
  const path = ctx.path;
  if (tags[0] === 'reset') return new CursorResetError(failure.body);
  const offset = correctOffsetOf(failure.body);
  if (has('incorrect_offset') && offset !== undefined) return new IncorrectOffsetError(path, offset);
  if (has('too_many_write_operations')) return new RateLimitError(retryAfterMs(failure.headers, failure.body), 'too_many_write_operations');
  if (has('conflict')) return new RemoteConflictError(path, conflictWith(tags));
  if (has('not_found')) {
    // An expired or unknown upload session is not a missing file: start the upload again.
    if (tags[0] === 'lookup_failed' || tags[0] === 'not_found') {
      return new SyncError({ path, title: 'Upload expired', message: `The upload of “${path}” expired on Dropbox; it will start again.`, retryable: true });
    }
    return new RemoteNotFoundError(path);
  }
  if (has('content_hash_mismatch')) return new VerificationError(path, undefined, '', 'Dropbox received different bytes than were sent');
  if (has('insufficient_space')) {
    return new SyncError({ path, title: 'Dropbox is full', message: `There is no space left on Dropbox for “${path}”.`, retryable: true });
  }
  if (has('no_write_permission') || has('restricted_content') || has('no_permission')) {
    return new SyncError({ path, title: 'Not allowed', message: `Dropbox does not allow changing “${path}”.`, retryable: false });
  }
  if (has('disallowed_name') || has('malformed_path')) {
    return new SyncError({ path, title: 'Name not allowed', message: `Dropbox does not accept the name “${path}”.`, retryable: false });
  }
  if (has('in_progress') || has('too_many_files')) {
    return new SyncError({ path, title: 'Dropbox is busy', message: `Dropbox could not finish “${path}” yet (${tags.join('/')}).`, retryable: true });
  }
  return new SyncError({ path, title: 'Dropbox refused the change', message: `Dropbox refused ${ctx.route} for “${path}”: ${summaryText(failure.body)}.`, retryable: false });
}

/** Maps a non-2xx HTTP answer. */
export function mapHttpFailure(failure: HttpFailure, ctx: ErrorContext): TwinfoldError {
  const { status, body } = failure;
  // The OAuth endpoint answers {error: 'invalid_grant', ...}: the refresh token is revoked.
  const oauthError = (body as { error?: unknown } | null)?.error;
  if (typeof oauthError === 'string' && /invalid_grant|invalid_client|unauthorized_client/.test(oauthError)) return new AuthError();
  if (status === 401) {
    const tags = errorTags(body);
    if (tags[0] === 'expired_access_token') return new ExpiredTokenError();
    if (tags[0] === 'missing_scope') return new AuthError('Twinfold lacks a permission it needs on Dropbox');
    return new AuthError();
  }
  if (status === 409) return routeError(failure, ctx);
  if (status === 429) {
    const tags = errorTags(body);
    const reason = tags[0] === 'too_many_write_operations' || tags.includes('too_many_write_operations') ? 'too_many_write_operations' : 'too_many_requests';
    return new RateLimitError(retryAfterMs(failure.headers, body), reason);
  }
  if (status >= 500) return new ServerError(status);
  if (status === 400) {
    const text = typeof body === 'string' ? body : summaryText(body);
    // Malformed tokens are reported as plain-text 400s rather than 401s.
    if (/access token|authorization|oauth/i.test(text)) return new AuthError();
    return new SyncError({ path: ctx.path, title: 'Request refused', message: `Dropbox refused ${ctx.route}: ${redactSecrets(text.slice(0, 300))}`, retryable: false });
  }
  if (status === 403) {
    return new SyncError({ path: ctx.path, title: 'Not allowed', message: `Dropbox does not allow ${ctx.route} for “${ctx.path}”.`, retryable: false });
  }
  return new InvalidResponseError(`unexpected HTTP status ${status} from ${ctx.route}`);
}

/**
 * Maps anything a Dropbox call threw. Our own cancellation (the signal fired) is rethrown as is;
 * errors already in our hierarchy pass through; unknown errors (bugs) are left untouched so they
 * are not mistaken for transient failures.
 */
export function mapDropboxError(err: unknown, ctx: ErrorContext, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  if (err instanceof TwinfoldError) return err;
  if (err instanceof DropboxResponseError) {
    const headers = err.headers as HttpFailure['headers'];
    return mapHttpFailure({ status: err.status, headers, body: err.error }, ctx);
  }
  if (isTransportFailure(err)) return new NetworkError(`Connection to Dropbox failed during ${ctx.route}`, err);
  // A body aborted by the other side (not by us) is a transport failure too.
  if (isAbortError(err)) return new NetworkError(`Connection to Dropbox was interrupted during ${ctx.route}`, err);
  if (err instanceof SyntaxError) return new InvalidResponseError(`${ctx.route} answered with malformed JSON`, err);
  return err;
}
