// The few HTML pages the web server writes itself (the UI is static files): "open the link printed
// by twinfold serve", the wrong-Host refusal and the OAuth callback outcomes. No scripts, escaped.
import type { ServerResponse } from 'node:http';
import { escapeHtml } from '../../common/escapeHtml.js';

/** A plain page; `refreshTo` adds a same-origin meta refresh (see oauthCallback.ts for why). */
export function htmlPage(title: string, paragraphs: string[], refreshTo?: string): string {
  const refresh = refreshTo === undefined ? '' : `<meta http-equiv="refresh" content="0; url=${escapeHtml(refreshTo)}">\n`;
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const link = refreshTo === undefined ? '' : `\n<p><a href="${escapeHtml(refreshTo)}">Continue to Twinfold</a></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}<title>${escapeHtml(title)} - Twinfold</title>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}${link}
</main>
</body>
</html>
`;
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(html)) });
  res.end(html);
}

export const SIGN_IN_HINT = 'Open the address that `twinfold serve` printed when it started (the line beginning with "web ui:"); it signs this browser in.';

export function notSignedInPage(): string {
  return htmlPage('Open the link from twinfold serve', [
    'This browser has no session with this Twinfold server, or the session belongs to an earlier run of twinfold serve.',
    SIGN_IN_HINT,
  ]);
}
