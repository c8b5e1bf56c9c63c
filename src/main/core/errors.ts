// The one error hierarchy the engine understands. Provider and filesystem failures are converted
// into these at the edge (the Dropbox provider, the transfer code), so the engine never inspects
// SDK, HTTP or errno details. Messages are written for users and never contain credentials.

export type ErrorCode =
  | 'sync'
  | 'remote_conflict'
  | 'remote_not_found'
  | 'verification'
  | 'auth'
  | 'network'
  | 'rate_limit'
  | 'server'
  | 'cursor_reset'
  | 'invalid_response';

/** Base of every error the engine handles; `retryable` says whether trying again later can help. */
export abstract class TwinfoldError extends Error {
  abstract readonly code: ErrorCode;
  /** Short user-facing heading, e.g. for the activity list. */
  readonly title: string;
  readonly retryable: boolean;

  constructor(title: string, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(redactSecrets(message), options);
    this.title = title;
    this.retryable = retryable;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-path errors: the engine records them against one item and carries on with the rest.

/** A problem with one path. `path` is relative to the synced folder ('/a/b.txt'). */
export class SyncError extends TwinfoldError {
  readonly code: ErrorCode = 'sync';
  readonly path: string;

  constructor(args: { path: string; title: string; message: string; retryable: boolean; cause?: unknown }) {
    super(args.title, args.message, args.retryable, { cause: args.cause });
    this.name = 'SyncError';
    this.path = args.path;
  }
}

/** What occupies the path on the server when a write conflicts. */
export type ConflictWith = 'file' | 'folder' | 'file_ancestor' | 'other';

/** The server refused a write: an update-mode rev mismatch or something already at the path. */
export class RemoteConflictError extends SyncError {
  override readonly code: ErrorCode = 'remote_conflict';
  readonly conflictWith: ConflictWith;

  constructor(path: string, conflictWith: ConflictWith = 'other', cause?: unknown) {
    const messages: Record<ConflictWith, string> = {
      file: `“${path}” was changed on Dropbox in the meantime.`,
      folder: `A folder “${path}” already exists on Dropbox.`,
      file_ancestor: `A file on Dropbox is in the way of “${path}”.`,
      other: `“${path}” conflicts with what is on Dropbox.`,
    };
    super({ path, title: 'Changed on Dropbox', message: messages[conflictWith], retryable: false, cause });
    this.name = 'RemoteConflictError';
    this.conflictWith = conflictWith;
  }
}

export class RemoteNotFoundError extends SyncError {
  override readonly code: ErrorCode = 'remote_not_found';

  constructor(path: string, cause?: unknown) {
    super({ path, title: 'Not found on Dropbox', message: `“${path || 'The synced folder'}” no longer exists on Dropbox.`, retryable: false, cause });
    this.name = 'RemoteNotFoundError';
  }
}

/** Transferred bytes do not hash to the expected content_hash (truncated or corrupted transfer). */
export class VerificationError extends SyncError {
  override readonly code: ErrorCode = 'verification';
  readonly expectedHash: string | undefined;
  readonly actualHash: string;

  constructor(path: string, expectedHash: string | undefined, actualHash: string, detail?: string) {
    super({
      path,
      title: 'Transfer check failed',
      message: `“${path}” did not arrive intact${detail ? ` (${detail})` : ''}; it will be transferred again.`,
      retryable: true,
    });
    this.name = 'VerificationError';
    this.expectedHash = expectedHash;
    this.actualHash = actualHash;
  }
}

// ---------------------------------------------------------------------------------------------
// Global errors: they concern the account or the connection, not one path.

/** The token was revoked or is invalid: the folder pair shows "needs sign-in" until the user signs in. */
export class AuthError extends TwinfoldError {
  readonly code: ErrorCode = 'auth';

  constructor(detail = 'Dropbox no longer accepts this device’s sign-in', cause?: unknown) {
    super('Sign in to Dropbox again', `${detail}. Please sign in again.`, false, { cause });
    this.name = 'AuthError';
  }
}

/** Offline or the server is unreachable: the engine pauses and resumes by itself. */
export class NetworkError extends TwinfoldError {
  readonly code: ErrorCode = 'network';

  constructor(detail = 'Cannot reach Dropbox', cause?: unknown) {
    super('Offline', `${detail}. Syncing resumes when the connection is back.`, true, { cause });
    this.name = 'NetworkError';
  }
}

export class RateLimitError extends TwinfoldError {
  readonly code: ErrorCode = 'rate_limit';
  /** How long the server asked us to wait before the next request. */
  readonly retryAfterMs: number;
  readonly reason: string;

  /** `message` replaces the default wording where nothing will retry (a one-time sync gives up). */
  constructor(retryAfterMs: number, reason = 'too_many_requests', cause?: unknown, message?: string) {
    super('Dropbox asked to slow down', message ?? `Dropbox is limiting requests (${reason}); retrying in ${Math.ceil(retryAfterMs / 1000)} s.`, true, { cause });
    this.name = 'RateLimitError';
    this.retryAfterMs = retryAfterMs;
    this.reason = reason;
  }
}

export class ServerError extends TwinfoldError {
  readonly code: ErrorCode = 'server';
  readonly status: number;

  constructor(status: number, cause?: unknown) {
    super('Dropbox is having problems', `Dropbox answered with an internal error (HTTP ${status}); retrying later.`, true, { cause });
    this.name = 'ServerError';
    this.status = status;
  }
}

/** The change cursor expired: the engine must list the whole folder again. */
export class CursorResetError extends TwinfoldError {
  readonly code: ErrorCode = 'cursor_reset';

  constructor(cause?: unknown) {
    super('Relisting Dropbox', 'Dropbox asked for a full rescan of the folder.', true, { cause });
    this.name = 'CursorResetError';
  }
}

/** The server sent something malformed (bad JSON, missing or mistyped fields). Never trusted. */
export class InvalidResponseError extends TwinfoldError {
  readonly code: ErrorCode = 'invalid_response';

  constructor(detail: string, cause?: unknown) {
    super('Unexpected answer from Dropbox', `Dropbox sent an invalid response: ${detail}.`, true, { cause });
    this.name = 'InvalidResponseError';
  }
}

// ---------------------------------------------------------------------------------------------

export function isTwinfoldError(err: unknown): err is TwinfoldError {
  return err instanceof TwinfoldError;
}

/** The message of anything thrown: an Error's message, else the value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True for the rejection a fetch/sleep raises when its AbortSignal fires. */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/**
 * Converts a local filesystem failure on `path` (relative to the synced folder) into a SyncError.
 * Transient conditions (busy, full disk, file vanished mid-operation) are retryable.
 */
export function fsErrorToSyncError(err: unknown, path: string, action: string): SyncError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const known: Record<string, { title: string; message: string; retryable: boolean }> = {
    ENOENT: { title: 'File disappeared', message: `“${path}” was removed while ${action}.`, retryable: true },
    ENOSPC: { title: 'Disk full', message: `The disk holding “${path}” is full (while ${action}).`, retryable: true },
    EDQUOT: { title: 'Disk quota exceeded', message: `Disk quota exceeded while ${action} “${path}”.`, retryable: true },
    EACCES: { title: 'Permission denied', message: `No permission while ${action} “${path}”.`, retryable: false },
    EPERM: { title: 'Permission denied', message: `Not allowed while ${action} “${path}”.`, retryable: false },
    EBUSY: { title: 'File in use', message: `“${path}” is in use by another program.`, retryable: true },
    EMFILE: { title: 'Too many open files', message: `Too many open files while ${action} “${path}”.`, retryable: true },
    EISDIR: { title: 'Is a folder', message: `“${path}” is a folder, expected a file.`, retryable: false },
  };
  const hit = code ? known[code] : undefined;
  if (hit) return new SyncError({ path, ...hit, cause: err });
  return new SyncError({ path, title: 'File error', message: `Could not finish ${action} “${path}” (${code ?? 'unknown error'}).`, retryable: false, cause: err });
}

/** The errno or SQLite code of a failure, looking through wrappers (an IndexError's cause). */
function failureCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/**
 * Why something under `path` (a state folder, the index, the secrets file) could not be written,
 * said for people: which path and what to do, never a bare "ENOSPC write". `action` completes
 * "could not ...", e.g. "create the state folder".
 */
export function stateFailureMessage(err: unknown, path: string, action: string): string {
  const code = failureCode(err);
  const reason = ((): string => {
    switch (code) {
      case 'ENOSPC':
      case 'SQLITE_FULL':
        return `the disk holding ${path} is full; free some space and start again`;
      case 'EDQUOT':
        return `your disk quota on the disk holding ${path} is used up`;
      case 'EROFS':
      case 'SQLITE_READONLY':
        return `the disk holding ${path} is read-only`;
      case 'EACCES':
      case 'EPERM':
        return 'permission denied; check who owns the folder and its permissions';
      case 'ENOTDIR':
      case 'EEXIST':
        return 'a file is in the way (a part of the path is not a folder)';
      default:
        return errorMessage(err);
    }
  })();
  return `could not ${action} ${path}: ${reason}`;
}

/** A state folder, index or other file of Twinfold's own could not be written; the message says where and why. */
export class StateFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateFailure';
  }
}

/**
 * Masks anything that looks like a credential. Our messages never interpolate tokens, but some
 * text comes from elsewhere (server summaries, SDK URLs that carry the refresh token in the query).
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/\b((?:access|refresh)_token|client_secret|code_verifier)=[^&\s"']+/gi, '$1=[redacted]')
    .replace(/([?&](?:code|token|state))=[^&\s"'#]+/gi, '$1=[redacted]')
    .replace(/("(?:access|refresh)_token"\s*:\s*")[^"]*"/gi, '$1[redacted]"');
}
