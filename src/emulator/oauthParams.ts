// Pure OAuth helpers for the emulator: validating /oauth2/authorize parameters, checking a PKCE
// verifier against its challenge, and deriving the numeric uid Dropbox returns beside account_id.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CodeChallengeMethod, TokenAccessType } from './tokens.js';

export interface AuthorizeRequest {
  clientId: string;
  redirectUri?: string;
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
  tokenAccessType: TokenAccessType;
  /** Space-separated scopes granted; the app's full set when none were requested. */
  scope: string;
}

/** What an app gets when it asks for no particular scopes: everything a sync client needs. */
export const DEFAULT_SCOPE = 'account_info.read files.content.read files.content.write files.metadata.read files.metadata.write';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const SINGLE_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'token_access_type', 'scope'];
// RFC 7636 §4.1: the verifier (and a plain challenge) is 43-128 unreserved characters.
const PKCE_STRING = /^[A-Za-z0-9\-._~]{43,128}$/;
const SCOPE_NAME = /^[a-z_]+(\.[a-z_]+)*$/;
// Dropbox documents "up to 500 bytes" of state.
const MAX_STATE_BYTES = 500;

export function parseAuthorizeParams(params: URLSearchParams): Parsed<AuthorizeRequest> {
  for (const name of SINGLE_PARAMS) {
    if (params.getAll(name).length > 1) return fail(`"${name}" is given more than once.`);
  }
  const responseType = params.get('response_type');
  if (responseType === null) return fail('Missing "response_type": use response_type=code.');
  if (responseType !== 'code') return fail(`Unsupported response_type "${responseType}": this emulator implements only the code flow (response_type=code).`);

  const clientId = params.get('client_id');
  if (!clientId) return fail('Missing "client_id" (the app key).');
  if (clientId.length > 200 || /[\s\p{Cc}]/u.test(clientId)) return fail('"client_id" must be a short string without spaces or control characters.');

  const request: AuthorizeRequest = { clientId, tokenAccessType: 'online', scope: DEFAULT_SCOPE };

  const redirectUri = params.get('redirect_uri');
  if (redirectUri !== null) {
    const problem = redirectUriProblem(redirectUri);
    if (problem) return fail(problem);
    request.redirectUri = redirectUri;
  }

  const state = params.get('state');
  if (state !== null && state !== '') {
    if (Buffer.byteLength(state) > MAX_STATE_BYTES) return fail(`"state" is longer than ${MAX_STATE_BYTES} bytes.`);
    request.state = state;
  }

  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (challenge !== null) {
    if (method !== null && method !== 'S256' && method !== 'plain') return fail(`"code_challenge_method" must be S256 or plain, not "${method}".`);
    const resolved = method ?? 'plain'; // RFC 7636 §4.3: plain is the default
    if (resolved === 'S256' ? !/^[A-Za-z0-9_-]{43}$/.test(challenge) : !PKCE_STRING.test(challenge)) {
      return fail(resolved === 'S256'
        ? '"code_challenge" must be base64url(SHA-256(code_verifier)) without padding: 43 characters.'
        : '"code_challenge" must be 43-128 characters of A-Z a-z 0-9 - . _ ~.');
    }
    request.codeChallenge = challenge;
    request.codeChallengeMethod = resolved;
  } else if (method !== null) {
    return fail('"code_challenge_method" was given without "code_challenge".');
  }

  const accessType = params.get('token_access_type');
  if (accessType !== null) {
    if (accessType !== 'offline' && accessType !== 'online') {
      return fail(`"token_access_type" must be offline or online, not "${accessType}" (long-lived legacy tokens are retired).`);
    }
    request.tokenAccessType = accessType;
  }

  const scope = params.get('scope');
  if (scope !== null) {
    // Like Dropbox: an absent scope means the app's default set, an empty one is an error.
    const names = scope.split(' ').filter((s) => s !== '');
    if (names.length === 0) return fail('"scope" is empty: omit it to request the app\'s default scopes.');
    const bad = names.find((s) => !SCOPE_NAME.test(s));
    if (bad !== undefined) return fail(`"${bad}" is not a scope name (like files.content.read).`);
    request.scope = [...new Set(names)].join(' ');
  }
  return { ok: true, value: request };
}

function redirectUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"redirect_uri" is not an absolute URL: "${value}".`;
  }
  if (url.hash !== '') return '"redirect_uri" must not contain a fragment.';
  if (['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)) return `"redirect_uri" may not use the ${url.protocol} scheme.`;
  return undefined;
}

export function isValidCodeVerifier(verifier: string): boolean {
  return PKCE_STRING.test(verifier);
}

export function pkceChallengeMatches(verifier: string, challenge: string, method: CodeChallengeMethod): boolean {
  const expected = method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  const a = Buffer.from(expected);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Dropbox's legacy numeric uid; derived from the account id so it is stable for one account. */
export function uidFromAccountId(accountId: string): string {
  return String(createHash('sha256').update(accountId).digest().readUInt32BE(0));
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
