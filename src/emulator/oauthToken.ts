// POST /oauth2/token: exchanges authorization codes and refresh tokens for access tokens, with
// Dropbox's parameter sources (query string or form body; HTTP Basic for client credentials).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, mediaType, readSmallBody, sendJson } from './controlHttp.js';
import { isValidCodeVerifier, pkceChallengeMatches, uidFromAccountId } from './oauthParams.js';
import type { TokenStore } from './tokens.js';

export interface TokenEndpointOptions { tokens: TokenStore; accountId: string }

type TokenErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

class TokenError extends Error {
  constructor(readonly code: TokenErrorCode, description: string) {
    super(description);
  }
}

const BODY_LIMIT = 64 * 1024;

export async function handleTokenRequest(req: IncomingMessage, res: ServerResponse, url: URL, opts: TokenEndpointOptions): Promise<void> {
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'The token endpoint accepts only POST.' }, { Allow: 'POST' });
    return;
  }
  try {
    const params = await readParams(req, url);
    const client = clientCredentials(req, params);
    const grantType = params.get('grant_type');
    if (grantType === undefined) throw new TokenError('invalid_request', 'Missing "grant_type".');
    let body: Record<string, unknown>;
    if (grantType === 'authorization_code') body = exchangeCode(params, client, opts);
    else if (grantType === 'refresh_token') body = refresh(params, client, opts.tokens);
    else throw new TokenError('unsupported_grant_type', `grant_type "${grantType}" is not supported; use authorization_code or refresh_token.`);
    sendJson(res, 200, body, { 'Cache-Control': 'no-store' });
  } catch (err) {
    if (err instanceof TokenError) {
      sendJson(res, 400, { error: err.code, error_description: err.message }, { 'Cache-Control': 'no-store' });
    } else if (err instanceof BodyTooLargeError) {
      sendJson(res, 413, { error: 'invalid_request', error_description: err.message });
    } else {
      throw err;
    }
  }
}

interface Client { id: string | undefined; secret: string | undefined }

function exchangeCode(params: Map<string, string>, client: Client, opts: TokenEndpointOptions): Record<string, unknown> {
  const code = params.get('code');
  if (!code) throw new TokenError('invalid_request', 'Missing "code".');
  if (!client.id) throw new TokenError('invalid_request', 'Missing "client_id".');
  const verifier = params.get('code_verifier');
  if (verifier === undefined && client.secret === undefined) {
    throw new TokenError('invalid_request', 'No client authentication: send "code_verifier" (PKCE) or "client_secret".');
  }
  // Consumed now: from here on every failure also burns the code.
  const grant = opts.tokens.takeCode(code);
  if (!grant) throw new TokenError('invalid_grant', "code doesn't exist or has expired");
  if (grant.clientId !== client.id) throw new TokenError('invalid_grant', 'code was issued to a different client_id');
  if (grant.redirectUri !== params.get('redirect_uri')) throw new TokenError('invalid_grant', 'redirect_uri mismatch');
  if (grant.codeChallenge !== undefined) {
    if (verifier === undefined) throw new TokenError('invalid_grant', 'code_verifier is required: the code was issued with a code_challenge');
    if (!isValidCodeVerifier(verifier)) throw new TokenError('invalid_request', '"code_verifier" must be 43-128 characters of A-Z a-z 0-9 - . _ ~');
    if (!pkceChallengeMatches(verifier, grant.codeChallenge, grant.codeChallengeMethod ?? 'plain')) {
      throw new TokenError('invalid_grant', 'invalid code verifier');
    }
  } else if (client.secret === undefined) {
    throw new TokenError('invalid_grant', 'the code was issued without a code_challenge, so "client_secret" is required');
  }
  const issued = opts.tokens.issueTokens({
    clientId: grant.clientId,
    scope: grant.scope,
    tokenAccessType: grant.tokenAccessType,
    publicClient: grant.codeChallenge !== undefined,
  });
  return {
    access_token: issued.accessToken,
    token_type: 'bearer',
    expires_in: issued.expiresIn,
    ...(issued.refreshToken !== undefined ? { refresh_token: issued.refreshToken } : {}),
    scope: grant.scope,
    uid: uidFromAccountId(opts.accountId),
    account_id: opts.accountId,
  };
}

function refresh(params: Map<string, string>, client: Client, tokens: TokenStore): Record<string, unknown> {
  const refreshToken = params.get('refresh_token');
  if (!refreshToken) throw new TokenError('invalid_request', 'Missing "refresh_token".');
  if (!client.id) throw new TokenError('invalid_request', 'Missing "client_id".');
  const grant = tokens.refreshGrant(refreshToken);
  if (!grant) throw new TokenError('invalid_grant', 'refresh token is invalid or revoked');
  if (grant.clientId !== client.id) throw new TokenError('invalid_grant', 'refresh token was issued to a different client_id');
  // Apps that authorized with a secret must keep using it; PKCE apps have none.
  if (!grant.publicClient && client.secret === undefined) {
    throw new TokenError('invalid_request', 'No client authentication: this refresh token needs "client_secret".');
  }
  const requested = params.get('scope');
  if (requested !== undefined) {
    const granted = new Set(grant.scope.split(' '));
    const extra = requested.split(' ').filter((s) => s !== '' && !granted.has(s));
    if (extra.length > 0) throw new TokenError('invalid_scope', `scope not granted to this refresh token: ${extra.join(' ')}`);
  }
  const issued = tokens.refresh(refreshToken)!;
  return { access_token: issued.accessToken, token_type: 'bearer', expires_in: issued.expiresIn };
}

/** Query-string and body parameters together; a name given twice is refused (RFC 6749 §3.2). */
async function readParams(req: IncomingMessage, url: URL): Promise<Map<string, string>> {
  const pairs: [string, string][] = [...url.searchParams];
  const raw = await readSmallBody(req, BODY_LIMIT);
  if (raw.length > 0) pairs.push(...bodyPairs(mediaType(req), raw.toString('utf8')));
  const params = new Map<string, string>();
  for (const [name, value] of pairs) {
    if (params.has(name)) throw new TokenError('invalid_request', `"${name}" is given more than once.`);
    params.set(name, value);
  }
  return params;
}

function bodyPairs(type: string, text: string): [string, string][] {
  if (type === 'application/x-www-form-urlencoded') return [...new URLSearchParams(text)];
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new TokenError('invalid_request', 'The body is labelled application/json but is not JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
      throw new TokenError('invalid_request', 'A JSON body must be an object of string parameters.');
    }
    return Object.entries(value as Record<string, string>);
  }
  throw new TokenError('invalid_request', `Unsupported Content-Type "${type}": send parameters as application/x-www-form-urlencoded or in the query string.`);
}

/** client_id/client_secret from the parameters or HTTP Basic (RFC 6749 §2.3.1), which must agree. */
function clientCredentials(req: IncomingMessage, params: Map<string, string>): Client {
  const header = req.headers.authorization;
  let basic: Client | undefined;
  if (header !== undefined && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new TokenError('invalid_client', 'Malformed HTTP Basic credentials: expected base64(client_id:client_secret).');
    try {
      basic = { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
    } catch {
      throw new TokenError('invalid_client', 'Malformed HTTP Basic credentials: bad percent-encoding.');
    }
  }
  const id = params.get('client_id');
  const secret = params.get('client_secret');
  if (basic && id !== undefined && id !== basic.id) throw new TokenError('invalid_client', 'client_id does not match the HTTP Basic credentials.');
  if (basic && secret !== undefined && secret !== basic.secret) throw new TokenError('invalid_client', 'client_secret does not match the HTTP Basic credentials.');
  return { id: id ?? basic?.id, secret: nonEmpty(secret ?? basic?.secret) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
