// The desktop app's OAuth redirect target (RFC 8252 §7.3): a one-shot HTTP listener on loopback
// that receives the browser after the Dropbox consent page, checks `state`, hands back the code
// (or Dropbox's error) and shows the user a small page. The port is fixed because Dropbox matches
// redirect URIs exactly against the app console; when it is taken, the caller falls back to the
// paste-the-code flow. Plain Node: no Electron.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stateMatches } from '../../core/remote/dropbox/oauth.js';
import { escapeHtml } from '../../../common/escapeHtml.js';

/** Register http://127.0.0.1:53682/ in the Dropbox app console (rclone's port, rarely taken). */
export const DROPBOX_LOOPBACK_PORT = 53682;
export const LOOPBACK_TIMEOUT_MS = 10 * 60 * 1000;

export type LoopbackResult =
  | { code: string }
  /** `reason` lets the caller stay quiet about a cancellation it asked for. */
  | { error: string; reason: 'denied' | 'timeout' | 'cancelled' };

export interface LoopbackRedirect {
  /** Exactly what goes into redirect_uri, in the authorize URL and in the code exchange. */
  redirectUri: string;
  /** Settles once: a code, Dropbox's error, a timeout or close(). Never rejects. */
  result: Promise<LoopbackResult>;
  close(): void;
}

export interface LoopbackOptions {
  /** DROPBOX_LOOPBACK_PORT in the app; 0 picks a free port (tests). */
  port?: number;
  host?: '127.0.0.1';
  expectedState: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The fixed port is taken (another Twinfold, rclone, …): use the paste flow instead. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`Port ${port} on 127.0.0.1 is in use, so the browser cannot return to Twinfold by itself.`);
  }
}

export async function openLoopbackRedirect(opts: LoopbackOptions): Promise<LoopbackRedirect> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? DROPBOX_LOOPBACK_PORT;
  let settle!: (result: LoopbackResult) => void;
  const result = new Promise<LoopbackResult>((resolve) => {
    settle = resolve;
  });
  let done = false;

  const server = createServer((req, res) => {
    if (done) return sendPage(res, 410, 'This sign-in is over', 'Start the sign-in again from Twinfold if you still need to.');
    const outcome = handleRequest(req, res, opts.expectedState);
    if (outcome) finish(outcome, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUseError(port) : err));
    server.listen({ port, host, exclusive: true }, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  const timer = setTimeout(() => finish({ error: 'The sign-in took longer than 10 minutes and was stopped. Start it again.', reason: 'timeout' }), opts.timeoutMs ?? LOOPBACK_TIMEOUT_MS);
  const onAbort = (): void => finish({ error: 'The sign-in was cancelled.', reason: 'cancelled' });
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  /** Settles once, then stops listening; the answering page (if any) is sent first. */
  function finish(outcome: LoopbackResult, res?: ServerResponse): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    settle(outcome);
    // No new connections from now on; the answering page still goes out before sockets are cut.
    server.close();
    const cutConnections = (): void => server.closeAllConnections();
    if (res && !res.writableFinished) res.once('finish', cutConnections);
    else cutConnections();
  }

  return {
    redirectUri: `http://${host}:${actualPort}/`,
    result,
    close: () => finish({ error: 'The sign-in was cancelled.', reason: 'cancelled' }),
  };
}

/** Answers one request; returns the flow's outcome when this was the real redirect. */
function handleRequest(req: IncomingMessage, res: ServerResponse, expectedState: string): LoopbackResult | undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/') {
    sendPage(res, 404, 'Not found', 'Twinfold only listens here for the Dropbox sign-in.');
    return undefined;
  }
  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    sendPage(res, 405, 'Not allowed', 'Twinfold only expects the browser to come back here.');
    return undefined;
  }
  const q = url.searchParams;
  // A request without our state is not the redirect we wait for (an old tab, or another page
  // trying its luck): refuse it and keep waiting, so it can neither finish nor abort the sign-in.
  if (!stateMatches(expectedState, q.get('state') ?? undefined)) {
    sendPage(res, 400, 'This sign-in link is not valid', 'It does not belong to the sign-in Twinfold is waiting for. Start the sign-in again from Twinfold.');
    return undefined;
  }
  const error = q.get('error');
  if (error !== null) {
    const denied = error === 'access_denied';
    const message = denied ? 'You did not allow Twinfold to access your Dropbox.' : `Dropbox could not complete the sign-in (${describeOAuthError(error, q.get('error_description'))}).`;
    sendPage(res, 200, denied ? 'Sign-in cancelled' : 'Sign-in failed', `${message} You can close this tab and return to Twinfold.`);
    return { error: message, reason: 'denied' };
  }
  const code = q.get('code');
  if (code === null || code === '' || code.length > 2048) {
    sendPage(res, 400, 'This sign-in link is not valid', 'Dropbox sent no code. Start the sign-in again from Twinfold.');
    return undefined;
  }
  sendPage(res, 200, 'Signed in', 'You can close this tab and return to Twinfold.');
  return { code };
}

/** Dropbox's error text is shown to people: bounded and stripped of markup-ish characters. */
export function describeOAuthError(error: string, description: string | null): string {
  const text = description && description.trim() !== '' ? description : error;
  return text.replace(/[^\p{L}\p{N} .,:;'’()_-]/gu, '').slice(0, 200);
}


function sendPage(res: ServerResponse, status: number, title: string, message: string): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Twinfold</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1e1919;margin:0}main{max-width:28rem;margin:4rem auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px #0002}h1{font-size:1.25rem;margin-top:0}</style>
</head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body></html>
`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'Referrer-Policy': 'no-referrer',
    Connection: 'close',
  });
  res.end(html);
}
