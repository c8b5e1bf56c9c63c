// The emulator's OAuth 2 endpoints: GET/POST /oauth2/authorize (consent page, redirect with a code)
// and POST /oauth2/token (see oauthToken.ts). Any client_id is accepted; codes are bound to it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, mediaType, readSmallBody } from './controlHttp.js';
import { parseAuthorizeParams, type AuthorizeRequest } from './oauthParams.js';
import { codePage, consentPage, deniedPage, errorPage, sendHtml } from './oauthPages.js';
import { handleTokenRequest } from './oauthToken.js';
import type { TokenStore } from './tokens.js';

export interface OAuthOptions { tokens: TokenStore; accountId: string; autoApprove: boolean }

const FORM_LIMIT = 16 * 1024;

export async function handleOAuth(req: IncomingMessage, res: ServerResponse, url: URL, opts: OAuthOptions): Promise<boolean> {
  if (url.pathname === '/oauth2/token') {
    await handleTokenRequest(req, res, url, opts);
    return true;
  }
  if (url.pathname !== '/oauth2/authorize') return false;
  if (req.method === 'GET') showAuthorize(res, url.searchParams, opts);
  else if (req.method === 'POST') await decideAuthorize(req, res, opts);
  else {
    res.setHeader('Allow', 'GET, POST');
    sendHtml(res, 405, errorPage(`${req.method ?? 'This method'} is not allowed on /oauth2/authorize.`));
  }
  return true;
}

function showAuthorize(res: ServerResponse, params: URLSearchParams, opts: OAuthOptions): void {
  const parsed = parseAuthorizeParams(params);
  if (!parsed.ok) return sendHtml(res, 400, errorPage(parsed.message));
  if (opts.autoApprove) return approve(res, parsed.value, opts);
  sendHtml(res, 200, consentPage(parsed.value, opts.accountId));
}

/** The consent form's answer: the same parameters again, plus decision=allow|deny. */
async function decideAuthorize(req: IncomingMessage, res: ServerResponse, opts: OAuthOptions): Promise<void> {
  let form: URLSearchParams;
  try {
    if (mediaType(req) !== 'application/x-www-form-urlencoded') {
      return sendHtml(res, 400, errorPage('The consent form must be posted as application/x-www-form-urlencoded.'));
    }
    form = new URLSearchParams((await readSmallBody(req, FORM_LIMIT)).toString('utf8'));
  } catch (err) {
    if (err instanceof BodyTooLargeError) return sendHtml(res, 413, errorPage(err.message));
    throw err;
  }
  const decision = form.getAll('decision');
  form.delete('decision');
  const parsed = parseAuthorizeParams(form);
  if (!parsed.ok) return sendHtml(res, 400, errorPage(parsed.message));
  if (decision.length !== 1 || (decision[0] !== 'allow' && decision[0] !== 'deny')) {
    return sendHtml(res, 400, errorPage('The consent form needs exactly one decision: allow or deny.'));
  }
  if (decision[0] === 'allow') return approve(res, parsed.value, opts);
  deny(res, parsed.value);
}

function approve(res: ServerResponse, request: AuthorizeRequest, opts: OAuthOptions): void {
  const code = opts.tokens.issueCode({
    clientId: request.clientId,
    ...(request.redirectUri !== undefined ? { redirectUri: request.redirectUri } : {}),
    ...(request.codeChallenge !== undefined ? { codeChallenge: request.codeChallenge, codeChallengeMethod: request.codeChallengeMethod ?? 'plain' } : {}),
    tokenAccessType: request.tokenAccessType,
    scope: request.scope,
  });
  if (request.redirectUri === undefined) return sendHtml(res, 200, codePage(request.clientId, code));
  redirect(res, request, { code });
}

function deny(res: ServerResponse, request: AuthorizeRequest): void {
  if (request.redirectUri === undefined) return sendHtml(res, 200, deniedPage(request.clientId));
  redirect(res, request, {
    error: 'access_denied',
    error_description: 'The user chose not to give your app access to their Dropbox account.',
  });
}

function redirect(res: ServerResponse, request: AuthorizeRequest, params: Record<string, string>): void {
  const target = new URL(request.redirectUri!);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  if (request.state !== undefined) target.searchParams.set('state', request.state);
  res.writeHead(302, { Location: target.toString(), 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Length': 0 });
  res.end();
}
