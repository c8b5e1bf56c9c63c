// GET /oauth/callback: where Dropbox sends the browser back after the consent page of a
// redirect-mode sign-in started from the web UI.
//
// Why this route does not insist on the session cookie: the cookie is SameSite=Strict, and the
// navigation back from Dropbox started on dropbox.com, so the browser leaves the cookie out (for
// the whole redirect chain). The route therefore accepts a request without the cookie, but then
// does exactly one thing: complete the sign-in that is pending, and only when the request's
// `state` equals the state of that pending sign-in. The state is 32 random bytes that only this
// server and the signed-in browser (through the authorize URL in AppState) ever saw, so it is
// the CSRF protection: a forged link cannot start, finish or cancel anything. The service checks
// the state again (defence in depth). A request with the cookie goes straight to the service.
//
// Afterwards the browser must land on `/` WITH its cookie. A 303 from a cookie-less request would
// still count as part of the cross-site chain (no cookie, 401 page), so that case answers with a
// small page whose meta refresh starts a fresh same-origin navigation to `/`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppState } from '../../common/contract.js';
import { redactSecrets, errorMessage } from '../core/errors.js';
import type { AppServiceApi, OAuthRedirectQuery } from '../service/types.js';
import { htmlPage, sendHtml } from './pages.js';
import { tokensEqual } from './sessionToken.js';

const MAX_PARAM_LENGTH = 4096;
const KEYS = ['code', 'state', 'error', 'error_description'] as const;

/** The OAuth parameters of the callback URL (first value of each); undefined when malformed. */
export function parseCallbackQuery(params: URLSearchParams): OAuthRedirectQuery | undefined {
  const query: OAuthRedirectQuery = {};
  for (const key of KEYS) {
    const value = params.get(key);
    if (value === null) continue;
    if (value.length > MAX_PARAM_LENGTH) return undefined;
    query[key] = value;
  }
  return query;
}

/** The `state` of the redirect-mode sign-in the service is waiting for, if any. */
export function pendingRedirectState(state: AppState): string | undefined {
  const signIn = state.signIn;
  if (!signIn.pending || signIn.mode !== 'redirect' || signIn.authorizeUrl === undefined) return undefined;
  try {
    return new URL(signIn.authorizeUrl).searchParams.get('state') ?? undefined;
  } catch {
    return undefined;
  }
}

/** True when a cookie-less callback may proceed: it answers the sign-in that is pending now. */
export function matchesPendingSignIn(query: OAuthRedirectQuery, state: AppState): boolean {
  const expected = pendingRedirectState(state);
  return expected !== undefined && query.state !== undefined && tokensEqual(query.state, expected);
}

export interface CallbackRoute {
  service: AppServiceApi;
  hasSession: boolean;
  headers: Record<string, string>;
  log: (line: string) => void;
}

export async function handleOAuthCallback(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, route: CallbackRoute): Promise<void> {
  const { service, hasSession, headers, log } = route;
  // Only a GET spends the single-use code: a HEAD from a link scanner or prefetcher must not.
  if (req.method !== 'GET') {
    sendHtml(res, 405, htmlPage('Method not allowed', ['Dropbox returns here with a GET request.']), { ...headers, Allow: 'GET' });
    return;
  }
  const query = parseCallbackQuery(params);
  if (query === undefined) {
    sendHtml(res, 400, htmlPage('Sign-in did not finish', ['The address Dropbox sent back is malformed. Start the sign-in again from Twinfold.']), headers);
    return;
  }
  if (!hasSession && !matchesPendingSignIn(query, service.getState())) {
    sendHtml(res, 403, htmlPage('Sign-in did not finish', [
      'This sign-in link does not belong to the sign-in Twinfold is waiting for: it may be old, from another browser tab, or not from Dropbox.',
      'Open Twinfold and choose "Sign in with Dropbox" again.',
    ]), headers);
    return;
  }
  let outcome: { ok: boolean; message: string };
  try {
    outcome = await service.completeRedirect(query);
  } catch (err) {
    const message = redactSecrets(errorMessage(err));
    log(`completing the Dropbox sign-in failed: ${message}`);
    outcome = { ok: false, message };
  }
  if (hasSession) {
    // The UI shows the outcome from state.signIn (and the account) once it loads.
    res.writeHead(303, { ...headers, Location: '/', 'Cache-Control': 'no-store' }).end();
    return;
  }
  const title = outcome.ok ? 'Signed in to Dropbox' : 'Sign-in did not finish';
  sendHtml(res, 200, htmlPage(title, [outcome.message, 'Returning to Twinfold…'], '/'), headers);
}
