// Upload sessions: sequential ones take data strictly at the current offset; concurrent ones take
// 4 MiB-aligned pieces in any order and must be closed and gap-free before they are committed.
// Errors are UploadSessionLookupError values, which the routes wrap as their unions require.
import { randomBytes } from 'node:crypto';
import { DROPBOX_BLOCK_SIZE } from '../main/core/contentHash.js';
import { tag, type Tagged } from './errors.js';

/** 2^41 - 2^22 bytes: the largest file an upload session can hold. */
export const MAX_SESSION_BYTES = 2 ** 41 - 2 ** 22;
const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export type SessionType = 'sequential' | 'concurrent';

interface Session {
  type: SessionType;
  createdAt: number;
  closed: boolean;
  committed: boolean;
  /** Pieces by offset; a sequential session's pieces are contiguous. */
  pieces: Map<number, Buffer>;
  /** Sequential: bytes received. Concurrent: end of the furthest piece. */
  size: number;
}

export class SessionError extends Error {
  constructor(readonly reason: Tagged) {
    super(reason['.tag']);
    this.name = 'SessionError';
  }
}

export class UploadSessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  start(type: SessionType, close: boolean, data: Buffer): string {
    const id = `pid_upload_session:${randomBytes(36).toString('base64url')}`;
    const session: Session = { type, createdAt: this.now(), closed: close, committed: false, pieces: new Map(), size: 0 };
    if (data.length > 0) {
      session.pieces.set(0, data);
      session.size = data.length;
    }
    this.sessions.set(id, session);
    return id;
  }

  /** upload_session/append_v2 (and the data part of finish for sequential sessions). */
  append(id: string, offset: number, data: Buffer, close: boolean): void {
    const session = this.lookup(id);
    if (session.type === 'sequential') {
      if (offset !== session.size) throw new SessionError(tag('incorrect_offset', { correct_offset: session.size }));
      if (session.closed) throw new SessionError(tag('closed'));
      if (session.size + data.length > MAX_SESSION_BYTES) throw new SessionError(tag('too_large'));
      if (data.length > 0) session.pieces.set(offset, data);
      session.size += data.length;
    } else {
      // Pieces travel in parallel, so the closing one may arrive before others: after it, only
      // pieces inside the announced length are still taken.
      if (session.closed && (close || offset + data.length > session.size)) throw new SessionError(tag('closed'));
      if (offset % DROPBOX_BLOCK_SIZE !== 0) throw new SessionError(tag('concurrent_session_invalid_offset'));
      // Only the closing piece may have a length that is not a whole number of 4 MiB blocks.
      if (!close && data.length % DROPBOX_BLOCK_SIZE !== 0) throw new SessionError(tag('concurrent_session_invalid_data_size'));
      if (offset + data.length > MAX_SESSION_BYTES) throw new SessionError(tag('too_large'));
      if (data.length > 0) session.pieces.set(offset, data);
      session.size = Math.max(session.size, offset + data.length);
    }
    if (close) session.closed = true;
  }

  /**
   * Checks that a session can be committed at `offset` and returns its contents. `requireClosed`
   * is finish_batch's rule; concurrent sessions must always be closed and complete.
   */
  contents(id: string, offset: number, requireClosed: boolean): Buffer {
    const session = this.lookup(id);
    if (session.type === 'concurrent') {
      if (!session.closed) throw new SessionError(tag('concurrent_session_not_closed'));
    } else if (requireClosed && !session.closed) {
      throw new SessionError(tag('not_closed'));
    }
    if (offset !== session.size) throw new SessionError(tag('incorrect_offset', { correct_offset: session.size }));
    const ordered = [...session.pieces].sort(([a], [b]) => a - b);
    let expected = 0;
    for (const [at, piece] of ordered) {
      if (at !== expected) throw new SessionError(tag('concurrent_session_missing_data'));
      expected += piece.length;
    }
    if (expected !== session.size) throw new SessionError(tag('concurrent_session_missing_data'));
    return Buffer.concat(ordered.map(([, piece]) => piece));
  }

  type(id: string): SessionType {
    return this.lookup(id).type;
  }

  /** After a successful commit the data is released; later calls on the id answer `closed`. */
  markCommitted(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    session.committed = true;
    session.closed = true;
    session.pieces.clear();
  }

  private lookup(id: string): Session {
    const session = this.sessions.get(id);
    if (!session || this.now() - session.createdAt > SESSION_LIFETIME_MS) {
      if (session) this.sessions.delete(id);
      throw new SessionError(tag('not_found'));
    }
    if (session.committed) throw new SessionError(tag('closed'));
    return session;
  }
}
