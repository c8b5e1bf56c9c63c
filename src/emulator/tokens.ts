// The emulator's token book: static bearer tokens, OAuth authorization codes, short-lived access
// tokens and refresh tokens, with Dropbox's expiry and revocation rules and a persistable snapshot.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export type TokenStatus = 'valid' | 'expired' | 'invalid';

export interface TokenStoreOptions {
  staticTokens: string[];
  accessTokenTtlSec: number;
  /** Milliseconds since the epoch; injectable so tests can move time without sleeping. */
  now?: () => number;
}

export type TokenAccessType = 'offline' | 'online';
export type CodeChallengeMethod = 'S256' | 'plain';

/** What the user approved on /oauth2/authorize; the code exchange must present matching values. */
export interface CodeGrant {
  clientId: string;
  /** Absent in the no-redirect flow, where the user pastes the code into the app. */
  redirectUri?: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
  tokenAccessType: TokenAccessType;
  scope: string;
}

export interface TokenGrant {
  clientId: string;
  scope: string;
  tokenAccessType: TokenAccessType;
  /** True when the app proved itself with PKCE; such refresh tokens need no client_secret. */
  publicClient: boolean;
}

export interface IssuedAccess { accessToken: string; expiresIn: number }
export interface IssuedTokens extends IssuedAccess { refreshToken?: string }

export interface RefreshGrant { clientId: string; scope: string; publicClient: boolean }

/** Dropbox's authorization codes are short-lived; ten minutes matches its documented limit. */
export const CODE_TTL_MS = 10 * 60 * 1000;

interface AccessRecord { expiresAt: number; refreshToken?: string }
interface CodeRecord extends CodeGrant { expiresAt: number }

const nonEmpty = z.string().min(1);
const snapshotSchema = z.strictObject({
  version: z.literal(1),
  accessTokens: z.array(z.strictObject({ token: nonEmpty, expiresAt: z.number().int(), refreshToken: nonEmpty.optional() })),
  refreshTokens: z.array(z.strictObject({ token: nonEmpty, clientId: nonEmpty, scope: z.string(), publicClient: z.boolean() })),
  codes: z.array(z.strictObject({
    code: nonEmpty,
    expiresAt: z.number().int(),
    clientId: nonEmpty,
    redirectUri: nonEmpty.optional(),
    codeChallenge: nonEmpty.optional(),
    codeChallengeMethod: z.enum(['S256', 'plain']).optional(),
    tokenAccessType: z.enum(['offline', 'online']),
    scope: z.string(),
  })),
  expiredStatic: z.array(nonEmpty),
  revokedStatic: z.array(nonEmpty),
});
export type TokenSnapshot = z.infer<typeof snapshotSchema>;

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export class TokenStore {
  private readonly staticTokens: Set<string>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  // Static tokens have no expiry of their own, so the expire-tokens fault and revocation are kept apart.
  private expiredStatic = new Set<string>();
  private revokedStatic = new Set<string>();
  private access = new Map<string, AccessRecord>();
  private refreshTokens = new Map<string, RefreshGrant>();
  private codes = new Map<string, CodeRecord>();

  constructor(opts: TokenStoreOptions) {
    if (!Number.isFinite(opts.accessTokenTtlSec) || opts.accessTokenTtlSec <= 0) {
      throw new RangeError(`accessTokenTtlSec must be a positive number, got ${opts.accessTokenTtlSec}`);
    }
    this.staticTokens = new Set(opts.staticTokens);
    this.ttlMs = opts.accessTokenTtlSec * 1000;
    this.now = opts.now ?? Date.now;
  }

  check(token: string): TokenStatus {
    if (this.staticTokens.has(token) && !this.revokedStatic.has(token)) {
      return this.expiredStatic.has(token) ? 'expired' : 'valid';
    }
    const record = this.access.get(token);
    if (!record) return 'invalid';
    return this.now() >= record.expiresAt ? 'expired' : 'valid';
  }

  /** auth/token/revoke: the token, its refresh token and every sibling access token stop working. */
  revokeAccessToken(token: string): void {
    if (this.staticTokens.has(token)) {
      this.revokedStatic.add(token);
      return;
    }
    const record = this.access.get(token);
    if (!record) return;
    this.access.delete(token);
    if (record.refreshToken !== undefined) this.revokeRefreshToken(record.refreshToken);
  }

  revokeRefreshToken(refreshToken: string): void {
    this.refreshTokens.delete(refreshToken);
    for (const [token, record] of this.access) {
      if (record.refreshToken === refreshToken) this.access.delete(token);
    }
  }

  /** Fault: every access token valid now reports 'expired'; refresh tokens keep working. */
  expireAll(): void {
    const now = this.now();
    for (const token of this.staticTokens) {
      if (!this.revokedStatic.has(token)) this.expiredStatic.add(token);
    }
    for (const record of this.access.values()) {
      record.expiresAt = Math.min(record.expiresAt, now);
    }
  }

  issueCode(grant: CodeGrant): string {
    this.dropExpiredCodes();
    const code = randomToken(32);
    this.codes.set(code, { ...grant, expiresAt: this.now() + CODE_TTL_MS });
    return code;
  }

  /**
   * Single use: the first exchange attempt consumes the code whether or not it then succeeds,
   * so a wrong verifier cannot be retried against the same code. Undefined when unknown or expired.
   */
  takeCode(code: string): CodeGrant | undefined {
    const record = this.codes.get(code);
    if (!record) return undefined;
    this.codes.delete(code);
    if (this.now() >= record.expiresAt) return undefined;
    const { expiresAt: _expiresAt, ...grant } = record;
    return grant;
  }

  issueTokens(grant: TokenGrant): IssuedTokens {
    if (grant.tokenAccessType === 'online') return this.issueAccess(undefined);
    const refreshToken = randomToken(48);
    this.refreshTokens.set(refreshToken, { clientId: grant.clientId, scope: grant.scope, publicClient: grant.publicClient });
    return { ...this.issueAccess(refreshToken), refreshToken };
  }

  /** What a refresh token was granted for; undefined once revoked or if never issued. */
  refreshGrant(refreshToken: string): RefreshGrant | undefined {
    const grant = this.refreshTokens.get(refreshToken);
    return grant ? { ...grant } : undefined;
  }

  /** A new access token for a live refresh token (the caller has checked the client). */
  refresh(refreshToken: string): IssuedAccess | undefined {
    if (!this.refreshTokens.has(refreshToken)) return undefined;
    return this.issueAccess(refreshToken);
  }

  snapshot(): TokenSnapshot {
    return {
      version: 1,
      accessTokens: [...this.access].map(([token, r]) => ({ token, expiresAt: r.expiresAt, ...(r.refreshToken !== undefined ? { refreshToken: r.refreshToken } : {}) })),
      refreshTokens: [...this.refreshTokens].map(([token, g]) => ({ token, ...g })),
      codes: [...this.codes].map(([code, r]) => ({ code, ...r })),
      expiredStatic: [...this.expiredStatic],
      revokedStatic: [...this.revokedStatic],
    };
  }

  /** Replaces the issued state with a snapshot; throws without changing anything if it is malformed. */
  restore(state: unknown): void {
    const parsed = snapshotSchema.safeParse(state);
    if (!parsed.success) throw new Error(`invalid token snapshot: ${z.prettifyError(parsed.error)}`);
    const snap = parsed.data;
    const refreshTokens = new Map(snap.refreshTokens.map(({ token, ...g }) => [token, g] as const));
    const access = new Map<string, AccessRecord>();
    for (const { token, ...record } of snap.accessTokens) {
      if (record.refreshToken !== undefined && !refreshTokens.has(record.refreshToken)) {
        throw new Error('invalid token snapshot: an access token refers to an unknown refresh token');
      }
      access.set(token, record);
    }
    this.refreshTokens = refreshTokens;
    this.access = access;
    this.codes = new Map(snap.codes.map(({ code, ...r }) => [code, r] as const));
    this.expiredStatic = new Set(snap.expiredStatic);
    this.revokedStatic = new Set(snap.revokedStatic);
  }

  private issueAccess(refreshToken: string | undefined): IssuedAccess {
    // Dropbox's short-lived tokens carry the "sl." prefix; clients sometimes look for it.
    const accessToken = `sl.${randomToken(96)}`;
    this.access.set(accessToken, { expiresAt: this.now() + this.ttlMs, ...(refreshToken !== undefined ? { refreshToken } : {}) });
    return { accessToken, expiresIn: Math.round(this.ttlMs / 1000) };
  }

  private dropExpiredCodes(): void {
    const now = this.now();
    for (const [code, record] of this.codes) {
      if (now >= record.expiresAt) this.codes.delete(code);
    }
  }
}
