// Dropbox sign-in, protocol side: OAuth 2 authorization code with PKCE (RFC 7636, S256) and
// offline access, i.e. a refresh token. Builds the authorize URL, exchanges the code, revokes a
// token. Every answer from the token endpoint is untrusted and parsed strictly; no error message
// ever contains a token, a code or a verifier.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AuthError, InvalidResponseError, NetworkError, RateLimitError, ServerError, TwinfoldError, isAbortError, redactSecrets } from '../../errors.js';
import { isTransportFailure, retryAfterMs } from './errorMapping.js';

export interface DropboxOAuthEndpoints {
  /** The consent page the user's browser opens. */
  authorizeUrl: string;
  tokenUrl: string;
  /** Base of the RPC API (…/2/auth/token/revoke is below it). */
  apiBase: string;
}

const REAL_ENDPOINTS: DropboxOAuthEndpoints = {
  authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
  tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
  apiBase: 'https://api.dropboxapi.com',
};

/** Real Dropbox, or everything under one base URL (the emulator, `--api-url`). */
export function dropboxOAuthEndpoints(apiUrl?: string): DropboxOAuthEndpoints {
  if (apiUrl === undefined) return REAL_ENDPOINTS;
  const base = apiUrl.replace(/\/+$/, '');
  return { authorizeUrl: `${base}/oauth2/authorize`, tokenUrl: `${base}/oauth2/token`, apiBase: base };
}

// ---- PKCE and state ---------------------------------------------------------------------------

export interface PkcePair {
  /** 86 characters of base64url (RFC 7636 allows 43–128). Kept in memory only. */
  codeVerifier: string;
  /** base64url(SHA-256(verifier)), for code_challenge_method=S256. */
  codeChallenge: string;
}

export function pkceChallengeOf(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

export function createPkcePair(): PkcePair {
  // 64 random bytes → 86 base64url characters: 512 bits of entropy, within 43–128.
  const codeVerifier = randomBytes(64).toString('base64url');
  return { codeVerifier, codeChallenge: pkceChallengeOf(codeVerifier) };
}

/** The anti-CSRF `state`: 256 random bits. */
export function createOAuthState(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes the time independent of the lengths too. */
export function stateMatches(expected: string, received: string | undefined): boolean {
  if (typeof received !== 'string' || expected === '') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(received).digest();
  return timingSafeEqual(a, b);
}

// ---- authorize URL ------------------------------------------------------------------------------

/** Dropbox app keys: short, letters, digits, - and _. */
const APP_KEY = /^[A-Za-z0-9_-]{1,200}$/;

export function isValidAppKey(appKey: string): boolean {
  return APP_KEY.test(appKey);
}

export class OAuthSetupError extends Error {
  override readonly name = 'OAuthSetupError';
}

export interface AuthorizeUrlOptions {
  authorizeBase: string;
  appKey: string;
  /** Absent: Dropbox's no-redirect flow, where the consent page shows a code to paste. */
  redirectUri?: string;
  state: string;
  codeChallenge: string;
}

export function buildAuthorizeUrl(opts: AuthorizeUrlOptions): string {
  if (!isValidAppKey(opts.appKey)) throw new OAuthSetupError('The Dropbox app key may contain only letters, digits, - and _.');
  if (!/^[A-Za-z0-9_-]{43}$/.test(opts.codeChallenge)) throw new OAuthSetupError('The PKCE code challenge must be 43 base64url characters (S256).');
  if (!/^[A-Za-z0-9_-]{16,500}$/.test(opts.state)) throw new OAuthSetupError('The OAuth state must be 16–500 base64url characters.');
  let url: URL;
  try {
    url = new URL(opts.authorizeBase);
  } catch {
    throw new OAuthSetupError(`The authorize URL ${JSON.stringify(opts.authorizeBase)} is not a URL.`);
  }
  if (opts.redirectUri !== undefined) checkRedirectUri(opts.redirectUri);
  url.searchParams.set('client_id', opts.appKey);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('code_challenge', opts.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('token_access_type', 'offline');
  url.searchParams.set('state', opts.state);
  if (opts.redirectUri !== undefined) url.searchParams.set('redirect_uri', opts.redirectUri);
  return url.toString();
}

/** Only http(s) redirect targets without a fragment or credentials make sense for a code. */
export function checkRedirectUri(redirectUri: string): void {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw new OAuthSetupError(`The redirect URI ${JSON.stringify(redirectUri)} is not an absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OAuthSetupError('The redirect URI must use http or https.');
  if (url.hash !== '' || url.username !== '' || url.password !== '') throw new OAuthSetupError('The redirect URI must not carry a fragment or credentials.');
}

// ---- token endpoint -------------------------------------------------------------------------------

/** Dropbox rejected the pasted or redirected code (typo, used twice, older than 10 minutes). */
export class InvalidCodeError extends AuthError {
  constructor() {
    super('Dropbox did not accept the sign-in code: the code is wrong or expired');
    this.name = 'InvalidCodeError';
  }
}

/** Dropbox does not know the app key, or it is not allowed to use this flow. */
export class AppKeyRejectedError extends AuthError {
  constructor(appKey: string) {
    super(`Dropbox does not accept the app key “${appKey}” (check it in the Dropbox app console)`);
    this.name = 'AppKeyRejectedError';
  }
}

export interface SignInTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token stops working. */
  expiresAt: number;
  accountId: string;
}

export interface ExchangeCodeOptions {
  tokenUrl: string;
  appKey: string;
  code: string;
  codeVerifier: string;
  /** Must be exactly the one sent to /oauth2/authorize; absent in the paste flow. */
  redirectUri?: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
  now?: () => number;
}

// Real tokens are a few hundred characters; the caps only stop a hostile server.
const tokenString = z.string().min(1).max(4096).regex(/^[\x21-\x7e]+$/, 'not a printable token');
/** Dropbox issues short-lived tokens for 4 hours; a year is far beyond anything real. */
const MAX_EXPIRES_IN_SEC = 366 * 24 * 3600;

export const TokenResponse = z.object({
  access_token: tokenString,
  token_type: z.string().regex(/^bearer$/i, 'token_type must be bearer'),
  expires_in: z.number().int().positive().max(MAX_EXPIRES_IN_SEC),
  refresh_token: tokenString,
  account_id: z.string().regex(/^dbid:[A-Za-z0-9_-]{1,200}$/, 'not a Dropbox account id'),
  scope: z.string().max(8192).optional(),
  uid: z.string().max(64).optional(),
});

/** The token endpoint's JSON; throws InvalidResponseError naming the field, never its value. */
export function parseTokenResponse(body: unknown, now: number): SignInTokens {
  const parsed = TokenResponse.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : 'body';
    throw new InvalidResponseError(`oauth2/token: ${field} is missing or malformed`);
  }
  const r = parsed.data;
  return { accessToken: r.access_token, refreshToken: r.refresh_token, expiresAt: now + r.expires_in * 1000, accountId: r.account_id };
}

const MAX_BODY_BYTES = 64 * 1024;

export async function exchangeCode(opts: ExchangeCodeOptions): Promise<SignInTokens> {
  const params = new URLSearchParams({
    grant_type: 'authorization_code',
    code: opts.code,
    client_id: opts.appKey,
    code_verifier: opts.codeVerifier,
  });
  if (opts.redirectUri !== undefined) params.set('redirect_uri', opts.redirectUri);
  const secrets = [opts.code, opts.codeVerifier];
  const res = await send(opts.fetch, opts.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: params.toString(),
    signal: opts.signal,
  }, 'oauth2/token', secrets, opts.signal);
  const body = await readJson(res, 'oauth2/token', secrets, opts.signal);
  if (!res.ok) throw tokenEndpointFailure(res, body, opts.appKey, secrets);
  return parseTokenResponse(body, (opts.now ?? Date.now)());
}

function tokenEndpointFailure(res: Response, body: unknown, appKey: string, secrets: string[]): Error {
  const error = (body as { error?: unknown } | null)?.error;
  if (res.status === 400 || res.status === 401) {
    if (error === 'invalid_grant') return new InvalidCodeError();
    if (error === 'invalid_client' || error === 'unauthorized_client') return new AppKeyRejectedError(appKey);
  }
  if (res.status === 429) return new RateLimitError(retryAfterMs(res.headers, body), 'too_many_requests');
  if (res.status >= 500) return new ServerError(res.status);
  const description = (body as { error_description?: unknown } | null)?.error_description;
  const detail = typeof description === 'string' ? scrub(description.slice(0, 200), secrets) : typeof error === 'string' ? scrub(error.slice(0, 100), secrets) : `HTTP ${res.status}`;
  return new SignInRefusedError(detail);
}

/** Any other refusal by the token endpoint; the detail is Dropbox's description, scrubbed. */
export class SignInRefusedError extends TwinfoldError {
  readonly code = 'auth' as const;
  constructor(detail: string) {
    super('Dropbox refused the sign-in', `Dropbox refused the sign-in: ${detail}`, false);
    this.name = 'SignInRefusedError';
  }
}

// ---- revoke -------------------------------------------------------------------------------------

export interface RevokeTokenOptions {
  apiBase: string;
  accessToken: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/**
 * auth/token/revoke: disables the access token, its refresh token and every sibling access token.
 * A token Dropbox already rejects (401) counts as revoked.
 */
export async function revokeToken(opts: RevokeTokenOptions): Promise<void> {
  const url = `${opts.apiBase.replace(/\/+$/, '')}/2/auth/token/revoke`;
  const secrets = [opts.accessToken];
  const res = await send(opts.fetch, url, { method: 'POST', headers: { Authorization: `Bearer ${opts.accessToken}` }, signal: opts.signal }, 'auth/token/revoke', secrets, opts.signal);
  // The body is small or empty; read it so the connection can be reused.
  await readText(res, 'auth/token/revoke', secrets, opts.signal).catch(() => '');
  if (res.ok || res.status === 401) return;
  if (res.status === 429) throw new RateLimitError(retryAfterMs(res.headers, undefined), 'too_many_requests');
  if (res.status >= 500) throw new ServerError(res.status);
  throw new InvalidResponseError(`auth/token/revoke answered HTTP ${res.status}`);
}

// ---- HTTP helpers -------------------------------------------------------------------------------

async function send(fetchFn: typeof fetch, url: string, init: RequestInit, route: string, secrets: string[], signal?: AbortSignal): Promise<Response> {
  try {
    return await fetchFn(url, init);
  } catch (err) {
    throw transportError(err, route, secrets, signal);
  }
}

function transportError(err: unknown, route: string, secrets: string[], signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  if (err instanceof TwinfoldError) return err;
  if (isTransportFailure(err) || isAbortError(err)) return new NetworkError(`Cannot reach Dropbox for ${route}`);
  // Unknown failures (bugs, bad URLs): keep the type but never echo a secret the message may hold.
  if (err instanceof Error) return new Error(`${route} failed: ${scrub(err.message, secrets)}`);
  return err;
}

/** The body as text, refusing more than MAX_BODY_BYTES so a hostile server cannot fill memory. */
async function readText(res: Response, route: string, secrets: string[], signal?: AbortSignal): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw new InvalidResponseError(`${route} answered with an oversized body`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new InvalidResponseError(`${route} answered with an oversized body`);
      }
      chunks.push(value);
    }
  } catch (err) {
    throw transportError(err, route, secrets, signal);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(res: Response, route: string, secrets: string[], signal?: AbortSignal): Promise<unknown> {
  const text = await readText(res, route, secrets, signal);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // An HTML error page from a proxy, or a cut-off body: say so without quoting it.
    if (!res.ok && res.status >= 500) throw new ServerError(res.status);
    throw new InvalidResponseError(`${route} answered HTTP ${res.status} with a body that is not JSON`);
  }
}

/** Removes the given secrets and anything token-shaped from text that came from elsewhere. */
function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return redactSecrets(out);
}
