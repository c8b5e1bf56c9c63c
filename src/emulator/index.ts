// Public entry of the Dropbox API v2 emulator: startEmulator() assembles the account, namespace,
// tokens, faults and persistence, and serves them over HTTP or HTTPS on one port.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { newAccountIdentity } from './account.js';
import { AsyncJobs } from './asyncJobs.js';
import { MemoryBlobStore } from './blobs.js';
import type { EmulatorContext } from './context.js';
import { FaultController } from './faults.js';
import { HeldLongpolls } from './longpoll.js';
import { Namespace } from './namespace.js';
import { StateDir } from './persistence.js';
import { ROUTES } from './routes/index.js';
import { createRequestHandler } from './server.js';
import { TokenStore } from './tokens.js';
import { UploadSessionStore } from './uploadSessions.js';

export interface EmulatorOptions {
  /** Interface to listen on (127.0.0.1). */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Bearer tokens accepted from the start, like a Dropbox app console's generated tokens. */
  accessTokens?: string[];
  /** Keep state here across restarts; without it everything lives in memory. */
  dataDir?: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Lifetime of access tokens issued through OAuth (14400 s, as Dropbox). */
  accessTokenTtlSec?: number;
  /** Approve OAuth authorize requests without showing the consent page. */
  autoApprove?: boolean;
  /** Max random extra wait before answering a longpoll that timed out (0). */
  longpollJitterMs?: number;
  /** A deleted folder appears in change listings as one entry (true) or one per item. */
  deletedFolderAsSingleEntry?: boolean;
  /** Misbehave: keep NFC and NFD spellings of a name as two entries (Dropbox folds them together). */
  unicodeFormsApart?: boolean;
  /** Misbehave: accept names Dropbox refuses (trailing space, `.dropbox`), as if other apps made them. */
  acceptRefusedNames?: boolean;
  /** How long one second of a longpoll `timeout` lasts, in ms (1000); tests shrink it. */
  longpollSecondMs?: number;
  /** When set, longpoll answers carry `backoff` with this many seconds. */
  longpollBackoffSec?: number;
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash); give it to rewritingFetch. */
  url: string;
  port: number;
  accountId: string;
  tokens: TokenStore;
  faults: FaultController;
  /** Every existing cursor answers `reset` from now on (continue and longpoll). */
  resetCursors(): void;
  /** Every currently valid access token answers `expired_access_token` from now on. */
  expireTokens(): void;
  /** Resolves once at least `count` (1) list_folder/longpoll calls are waiting for changes. */
  longpollsHeld(count?: number): Promise<void>;
  /** Stops serving, ends held requests, and flushes the state to the data directory. */
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const stateDir = opts.dataDir === undefined ? undefined : await StateDir.open(opts.dataDir);
  const saved = await stateDir?.load();
  const account = saved?.account ?? newAccountIdentity();
  const ns = new Namespace({
    deletedFolderAsSingleEntry: opts.deletedFolderAsSingleEntry ?? true,
    unicodeFormsApart: opts.unicodeFormsApart ?? false,
    acceptRefusedNames: opts.acceptRefusedNames ?? false,
  });
  if (saved) ns.restore(saved.namespace);
  const tokens = new TokenStore({ staticTokens: opts.accessTokens ?? [], accessTokenTtlSec: opts.accessTokenTtlSec ?? 14400 });
  if (saved?.tokens !== undefined) tokens.restore(saved.tokens);
  stateDir?.setSource(() => ({ version: 1, account, namespace: ns.snapshot(), tokens: tokens.snapshot() }));

  const persist = (): Promise<void> => stateDir?.save() ?? Promise.resolve();
  const persistInBackground = (): void => {
    persist().catch((err: unknown) => console.error('twinfold emulator: saving state failed:', err));
  };
  const resetCursors = (): void => {
    ns.resetCursors();
    persistInBackground();
  };
  const expireTokens = (): void => {
    tokens.expireAll();
    persistInBackground();
  };
  const faults = new FaultController({ resetCursors, expireTokens });
  const closing = new AbortController();
  const heldLongpolls = new HeldLongpolls();
  const ctx: EmulatorContext = {
    ns,
    sessions: new UploadSessionStore(),
    jobs: new AsyncJobs(),
    blobs: stateDir?.blobs ?? new MemoryBlobStore(),
    account,
    tokens,
    faults,
    longpoll: { secondMs: opts.longpollSecondMs ?? 1000, jitterMs: opts.longpollJitterMs ?? 0, backoffSec: opts.longpollBackoffSec },
    heldLongpolls,
    persist,
    closing: closing.signal,
  };
  const handler = createRequestHandler({ ctx, routes: ROUTES, autoApprove: opts.autoApprove ?? false });
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(handler);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${urlHost(host)}:${port}`,
    port,
    accountId: account.accountId,
    tokens,
    faults,
    resetCursors,
    expireTokens,
    longpollsHeld: (count = 1) => heldLongpolls.whenHeld(count),
    close() {
      closed ??= (async () => {
        closing.abort();
        // Releases requests held by latency faults so they finish instead of keeping sockets open.
        faults.clear();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
        await persist();
      })();
      return closed;
    },
  };
}

/** The host part of the base URL: wildcard listeners are reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}

export type { FaultRule, FaultSpec } from './faults.js';
export type { TokenStatus } from './tokens.js';
