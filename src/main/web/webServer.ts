// The HTTP side of `twinfold serve`: the built UI, the JSON call API, server-sent events and the
// OAuth callback, on node:http. Every request passes the Host check (DNS rebinding) first, then
// the session check (token cookie or bearer); see oauthCallback.ts for the one exception.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { redactSecrets } from '../core/errors.js';
import type { AppServiceApi, CallContext } from '../service/types.js';
import { handleCall, sendJson } from './apiCall.js';
import { EventStreams, PING_INTERVAL_MS } from './eventStream.js';
import { hostNameOf, isAllowedHost, isLoopbackName, parseHostHeader, type HostPolicy } from './hostCheck.js';
import { handleOAuthCallback } from './oauthCallback.js';
import { htmlPage, notSignedInPage, sendHtml, SIGN_IN_HINT } from './pages.js';
import { DROPBOX_AUTHORIZE_ORIGIN, securityHeaders } from './securityHeaders.js';
import { hasSession, isWellFormedToken, newSessionToken, sessionCookieHeader, tokensEqual } from './sessionToken.js';
import { StaticFiles } from './staticFiles.js';

export interface WebServerOptions {
  service: AppServiceApi;
  /** Address to bind: 127.0.0.1 unless the user asks for the network. */
  host: string;
  /** 0 = any free port. */
  port: number;
  /** The built UI (index.html, app.js, styles.css). */
  staticDir: string;
  /** The session token; a fresh random one when absent (tests pass their own). */
  token?: string;
  /** Extra Host names the server answers to (`--allow-host`), e.g. behind a reverse proxy. */
  allowedHosts?: string[];
  /** Origin of Dropbox's authorize page, for the CSP's form-action (the emulator in tests). */
  authorizeOrigin?: string;
  /** Interval of the keep-alive comment on event streams. */
  pingIntervalMs?: number;
  /** Warnings and unexpected errors, already free of secrets. */
  log?: (line: string) => void;
}

export interface WebServer {
  /** The address to open, with the token: http://127.0.0.1:PORT/?token=... */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A clear error when the port is taken, instead of Node's EADDRINUSE stack. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly host: string, readonly port: number) {
    super(`port ${port} on ${host} is already in use (is another twinfold serve running?); choose another with --port`);
  }
}

/** Said when the server is reachable from other machines; undefined on loopback. */
export function networkExposureWarning(host: string, port: number): string | undefined {
  if (isLoopbackName(hostNameOf(host) ?? host)) return undefined;
  return `warning: the web UI listens on ${host}:${port} and is reachable from the network; only the token in the URL protects it, over plain http. ` +
    `Prefer the default 127.0.0.1 and an SSH tunnel: ssh -L ${port}:127.0.0.1:${port} <this-server>`;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? newSessionToken();
  if (!isWellFormedToken(token)) throw new Error('the session token must be 32 to 256 base64url characters');
  const staticFiles = await StaticFiles.open(opts.staticDir);
  const log = opts.log ?? (() => {});
  const headers = securityHeaders(opts.authorizeOrigin ?? DROPBOX_AUTHORIZE_ORIGIN);
  const streams = new EventStreams(opts.service, opts.pingIntervalMs ?? PING_INTERVAL_MS);
  const policy: HostPolicy = { port: opts.port, boundAddress: opts.host, machineName: osHostname(), allowedHosts: opts.allowedHosts ?? [] };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isAllowedHost(req.headers.host, policy)) {
      sendHtml(res, 421, htmlPage('Wrong address', [
        `This Twinfold server does not answer to the name ${JSON.stringify(req.headers.host ?? '')} (a protection against DNS rebinding).`,
        'Use the address printed by twinfold serve, or start it with --allow-host NAME to add this name.',
      ]), headers);
      return;
    }
    const host = req.headers.host!;
    const url = new URL(req.url ?? '/', `http://${host}`);
    const path = url.pathname;
    const signedIn = hasSession(req.headers, token, policy.port);

    if (path === '/' && url.searchParams.has('token')) {
      if (!tokensEqual(url.searchParams.get('token') ?? '', token)) {
        sendHtml(res, 401, htmlPage('This link is not valid', ['The token in this address does not match this twinfold serve (it changes when serve starts with --new-token).', SIGN_IN_HINT]), headers);
        return;
      }
      // The token moves into an HttpOnly cookie and leaves the address bar and the history.
      res.writeHead(303, { ...headers, 'Set-Cookie': sessionCookieHeader(token, policy.port), Location: '/', 'Cache-Control': 'no-store' }).end();
      return;
    }
    if (path === '/oauth/callback') {
      await handleOAuthCallback(req, res, url.searchParams, { service: opts.service, hasSession: signedIn, headers, log });
      return;
    }
    const isApi = path === '/api' || path.startsWith('/api/');
    if (!signedIn) {
      if (isApi) sendJson(res, 401, { code: 'auth', message: `not signed in to this Twinfold server. ${SIGN_IN_HINT}` }, headers);
      else sendHtml(res, 401, notSignedInPage(), headers);
      return;
    }
    if (path.startsWith('/api/call/')) {
      const ctx: CallContext = {};
      const parsed = parseHostHeader(host);
      // Dropbox can only send the browser back to the address it reached us by when that address
      // is loopback on our own port (registered redirect URIs are exact, http only for loopback);
      // through a tunnel or a proxy the user pastes the code instead.
      if (parsed && isLoopbackName(parsed.name) && (parsed.port ?? 80) === policy.port) ctx.redirectUri = `http://${host}/oauth/callback`;
      await handleCall(req, res, path.slice('/api/call/'.length), ctx, { service: opts.service, log, headers, ownHost: host });
      return;
    }
    if (path === '/api/events') {
      if (req.method !== 'GET') {
        sendJson(res, 405, { code: 'bad_request', message: 'use GET for /api/events' }, { ...headers, Allow: 'GET' });
        return;
      }
      streams.attach(req, res, headers);
      return;
    }
    if (isApi) {
      sendJson(res, 404, { code: 'not_found', message: `no such API route: ${path}` }, headers);
      return;
    }
    await staticFiles.serve(req, res, path, headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`web: ${req.method ?? '?'} ${redactSecrets(req.url ?? '')} failed: ${redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}`);
      if (!res.headersSent) sendJson(res, 500, { code: 'internal', message: 'internal error' }, headers);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(err.code === 'EADDRINUSE' ? new PortInUseError(opts.host, opts.port) : err);
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  policy.port = port;
  const warning = networkExposureWarning(opts.host, port);
  if (warning !== undefined) log(warning);

  const urlHost = hostNameOf(opts.host) ?? (opts.host.includes(':') ? '[::1]' : '127.0.0.1');
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        streams.closeAll();
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
