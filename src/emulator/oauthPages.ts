// The emulator's OAuth HTML: the consent page, the no-redirect code page, and error pages.
// Plain server-rendered HTML with escaped values and no scripts.
import type { ServerResponse } from 'node:http';
import type { AuthorizeRequest } from './oauthParams.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = `
  body { font: 15px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1e1919; margin: 0; }
  main { max-width: 28rem; margin: 4rem auto; background: #fff; border-radius: 8px; padding: 2rem; box-shadow: 0 1px 4px #0002; }
  h1 { font-size: 1.25rem; margin-top: 0; }
  .muted { color: #637282; font-size: 0.9em; }
  ul { padding-left: 1.2rem; }
  code, .code { font-family: ui-monospace, monospace; word-break: break-all; }
  .code { display: block; background: #f4f5f7; padding: 0.75rem; border-radius: 4px; font-size: 1.1em; user-select: all; }
  .buttons { display: flex; gap: 0.75rem; justify-content: flex-end; margin-top: 1.5rem; }
  button { font: inherit; padding: 0.5rem 1.25rem; border-radius: 4px; border: 1px solid #c1c7cd; background: #fff; cursor: pointer; }
  button.allow { background: #0061fe; border-color: #0061fe; color: #fff; }
  .error { border-left: 4px solid #c4372b; padding-left: 1rem; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Dropbox emulator</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    // No scripts, no framing (consent pages are a clickjacking target), no referrer leaking the code.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(html);
}

function hidden(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">\n`;
}

/** The form posts the validated request back to /oauth2/authorize with decision=allow|deny. */
export function consentPage(request: AuthorizeRequest, accountId: string): string {
  const scopes = request.scope.split(' ').map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  const access = request.tokenAccessType === 'offline'
    ? 'It will keep access while you are away (offline access with a refresh token).'
    : 'Its access ends when the short-lived token expires (online access).';
  const destination = request.redirectUri === undefined
    ? 'You will be shown a code to paste into the app.'
    : `You will be sent back to <code>${escapeHtml(request.redirectUri)}</code>.`;
  return page('Authorize app', `<h1>Allow <code>${escapeHtml(request.clientId)}</code> to access your Dropbox?</h1>
<p class="muted">Signed in as <code>${escapeHtml(accountId)}</code></p>
<p>The app asks for:</p>
<ul>${scopes}</ul>
<p>${access}</p>
<p class="muted">${destination}</p>
<form method="post" action="/oauth2/authorize">
<input type="hidden" name="response_type" value="code">
${hidden('client_id', request.clientId)}${hidden('redirect_uri', request.redirectUri)}${hidden('state', request.state)}${hidden('code_challenge', request.codeChallenge)}${hidden('code_challenge_method', request.codeChallengeMethod)}${hidden('token_access_type', request.tokenAccessType)}${hidden('scope', request.scope)}<div class="buttons">
<button type="submit" name="decision" value="deny">Cancel</button>
<button type="submit" name="decision" value="allow" class="allow">Allow</button>
</div>
</form>`);
}

/** The no-redirect flow: the user copies the code into the app by hand. */
export function codePage(clientId: string, code: string): string {
  return page('Access code', `<h1>Enter this code into <code>${escapeHtml(clientId)}</code> to finish</h1>
<p><code class="code" id="authorization-code">${escapeHtml(code)}</code></p>
<p class="muted">The code works once and expires in 10 minutes.</p>`);
}

export function deniedPage(clientId: string): string {
  return page('Access denied', `<h1>Access denied</h1>
<p>You did not give <code>${escapeHtml(clientId)}</code> access to your Dropbox. You can close this page.</p>`);
}

export function errorPage(message: string): string {
  return page('Bad request', `<h1>This authorization link is not valid</h1>
<p class="error">${escapeHtml(message)}</p>
<p class="muted">Ask the app's developer to check the /oauth2/authorize parameters.</p>`);
}
