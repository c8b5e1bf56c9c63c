// `twinfold serve`: the headless host. Runs the app service (sign-in, folder pairs, sync engines)
// behind the web UI on loopback, prints the address to open (its token is kept in the state
// folder, so the address survives restarts), and runs until SIGINT/SIGTERM, then stops every
// engine after its current write. Flags are checked before anything is written, so a mistake
// changes nothing. `twinfold demo` runs the same host against an in-process emulator.
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkApiUrl, intFlag, parseFlags, UsageError, waitForSignal } from './usage.js';
import { SetupError } from './setupError.js';
import { defaultSecretsDir, openSecretStore, SecretStoreError, type SecretStore } from '../core/secrets/index.js';
import { makeStateDir } from '../core/pairState.js';
import { lockStateDir, StateLockedError, type StateLock, type StateLostError } from '../core/stateLock.js';
import { tuneHeapForLongRunningSync } from '../core/heapTuning.js';
import { JsonSettingsStore } from '../service/settings/jsonSettingsStore.js';
import { SettingsError } from '../service/settings/settingsSchema.js';
import type { AppServiceApi, HostAdapter } from '../service/types.js';
import { defaultAppKey } from '../service/account/builtinAppKey.js';
import { errorMessage, StateFailure } from '../core/errors.js';
import { parseHostHeader } from '../web/hostCheck.js';
import { DROPBOX_AUTHORIZE_ORIGIN } from '../web/securityHeaders.js';
import { loadOrCreateSessionToken } from '../web/sessionTokenFile.js';
import { PortInUseError, startWebServer, type WebServer } from '../web/webServer.js';

/** Fixed so the redirect URIs registered with the Dropbox app match exactly. */
export const DEFAULT_SERVE_PORT = 53690;

const HELP = `usage: twinfold serve [options]

Runs Twinfold without a desktop: the folder pairs sync in the background and a web UI on this
machine shows their status, the Dropbox sign-in and the folders. Open the address printed as
"web ui: ..." in a browser; it carries a token that signs the browser in. The token is kept
(readable by you only) in the state folder, so the address stays the same across restarts.

options:
  --state DIR         where settings, sync state and (without a keychain) tokens live
                      (default: $XDG_CONFIG_HOME/twinfold or ~/.config/twinfold)
  --host ADDR         address to listen on (default 127.0.0.1, this machine only); anything else
                      makes the UI reachable from the network, protected only by the token
  --port N            port to listen on (default ${DEFAULT_SERVE_PORT}; 0 = any free port)
  --allow-host NAME   also answer to this host name (NAME or NAME:PORT), e.g. behind a reverse
                      proxy; may be repeated
  --api-url URL       Dropbox API base URL (e.g. a \`twinfold emulator\`); default: Dropbox
  --app-key KEY       the Dropbox app key used to sign in (saved in the settings)
  --new-token         replace the saved web UI token: old addresses and sessions stop working
  -h, --help          show this help

The UI is served from dist/renderer (built by npm run build), or from $TWINFOLD_UI_DIR.
Sign-in redirects come back to http://127.0.0.1:PORT/oauth/callback or
http://localhost:PORT/oauth/callback: register both with your Dropbox app. Reached any other way
(an SSH tunnel to another port, a proxy), the UI shows a code to paste instead.
From another machine, prefer an SSH tunnel: ssh -L ${DEFAULT_SERVE_PORT}:127.0.0.1:${DEFAULT_SERVE_PORT} <server>`;

export interface ServeArgs {
  stateDir: string;
  host: string;
  port: number;
  allowedHosts: string[];
  apiUrl?: string;
  appKey?: string;
  newToken: boolean;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs | 'help' {
  const { values } = parseFlags('serve', argv, {
    state: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'allow-host': { type: 'string', multiple: true },
    'api-url': { type: 'string' },
    'app-key': { type: 'string' },
    'new-token': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const host = values.host ?? '127.0.0.1';
  if (parseHostHeader(host.includes(':') ? `[${host.replace(/^\[|\]$/g, '')}]` : host) === undefined) {
    throw new UsageError(`serve: --host must be an IP address or a host name, got ${JSON.stringify(host)}`);
  }
  const allowedHosts = values['allow-host'] ?? [];
  for (const name of allowedHosts) {
    if (parseHostHeader(name) === undefined) throw new UsageError(`serve: --allow-host must be a host name, optionally with :PORT, got ${JSON.stringify(name)}`);
  }
  const apiUrl = values['api-url'];
  if (apiUrl !== undefined) checkApiUrl('serve', apiUrl);
  const appKey = values['app-key'];
  if (appKey !== undefined && !/^[A-Za-z0-9_-]{1,200}$/.test(appKey)) {
    throw new UsageError('serve: --app-key must be 1 to 200 letters, digits, - and _ (the key of your app in the Dropbox app console)');
  }
  const state = values.state;
  if (state === '') throw new UsageError('serve: --state must not be empty');
  return {
    stateDir: nodePath.resolve(state ?? defaultSecretsDir(env)),
    host: host.replace(/^\[|\]$/g, ''),
    port: intFlag('serve', 'port', values.port, DEFAULT_SERVE_PORT, 0, 65535),
    allowedHosts,
    apiUrl,
    appKey,
    newToken: values['new-token'] ?? false,
  };
}

/**
 * The built UI: dist/renderer. Compiled, this module is dist/src/main/cli/serveCommand.js; run
 * from the sources (tsx) it is src/main/cli/serveCommand.ts. Both are three levels below a root.
 */
export function defaultStaticDir(moduleUrl: string = import.meta.url): string {
  const here = nodePath.dirname(fileURLToPath(moduleUrl));
  const root = nodePath.resolve(here, '../../..');
  return nodePath.basename(root) === 'dist' ? nodePath.join(root, 'renderer') : nodePath.join(root, 'dist', 'renderer');
}

async function checkStaticDir(command: string, dir: string): Promise<void> {
  const index = await stat(nodePath.join(dir, 'index.html')).catch(() => undefined);
  if (!index?.isFile()) throw new SetupError(`${command}: the web UI is not built (${nodePath.join(dir, 'index.html')} is missing); run npm run build`);
}

/** A running serve host: the app service behind its web server. */
export interface ServeHost {
  service: AppServiceApi;
  web: WebServer;
  /** Settles when the state folder is deleted or replaced under the running host. */
  lost: Promise<StateLostError>;
  /** Stops serving first, then every engine after its current write, then frees the state folder. */
  stop(): Promise<void>;
}

export interface ServeHostOptions {
  /** The subcommand named in errors: serve or demo. */
  command: string;
  /** The app key used when the settings hold none (the environment's or the built-in one). */
  defaultAppKey: string | undefined;
  log: (line: string) => void;
}

/**
 * Starts the service and its web server from checked flags; the service is started too. Nothing
 * is written before the UI build is found, and the port is taken before any engine starts.
 */
export async function startServeHost(args: ServeArgs, opts: ServeHostOptions): Promise<ServeHost> {
  const { command } = opts;
  const staticDir = process.env.TWINFOLD_UI_DIR ? nodePath.resolve(process.env.TWINFOLD_UI_DIR) : defaultStaticDir();
  await checkStaticDir(command, staticDir);
  tuneHeapForLongRunningSync();

  // Before anything is written: a second host on this state folder would run, and remove, the
  // pairs of the first.
  const stateLock = await lockHostState(command, args.stateDir);
  try {
    return await startOnLockedState(args, opts, staticDir, stateLock);
  } catch (err) {
    await stateLock.release();
    throw err;
  }
}

async function lockHostState(command: string, stateDir: string): Promise<StateLock> {
  try {
    await makeStateDir(stateDir);
    return await lockStateDir(stateDir);
  } catch (err) {
    if (err instanceof StateFailure || err instanceof StateLockedError) throw new SetupError(`${command}: ${err.message}`);
    throw err;
  }
}

/** A damaged secrets file is reported now, with its path and what to do, not at the next sign-in. */
async function checkSecrets(command: string, secrets: SecretStore): Promise<void> {
  try {
    await secrets.list();
  } catch (err) {
    if (err instanceof SecretStoreError) throw new SetupError(`${command}: ${err.message}`);
    throw err;
  }
}

async function startOnLockedState(args: ServeArgs, opts: ServeHostOptions, staticDir: string, stateLock: StateLock): Promise<ServeHost> {
  const { command, log } = opts;
  const settings = new JsonSettingsStore(nodePath.join(args.stateDir, 'settings.json'));
  try {
    const current = settings.read();
    if (args.appKey !== undefined && current.appKey !== args.appKey) settings.write({ ...current, appKey: args.appKey });
  } catch (err) {
    if (err instanceof SettingsError) throw new SetupError(`${command}: ${err.message}`);
    throw new SetupError(`${command}: cannot write the settings in ${args.stateDir}: ${errorMessage(err)}`);
  }
  let token: string;
  try {
    token = await loadOrCreateSessionToken(args.stateDir, { rotate: args.newToken });
  } catch (err) {
    throw new SetupError(`${command}: cannot keep the web UI token in ${args.stateDir}: ${errorMessage(err)}`);
  }
  const secrets = await openSecretStore({ allowFileFallback: true, fileDir: args.stateDir });
  if (secrets.warning !== undefined) log(`warning: ${secrets.warning}`);
  await checkSecrets(command, secrets);

  const host: HostAdapter = { kind: 'web' };
  // Loaded here, not at the top: the service pulls in the engine, SQLite and the Dropbox SDK.
  const { createAppService } = await import('../service/appService.js');
  const service = createAppService({
    host,
    settings,
    secrets,
    stateDir: args.stateDir,
    stateLock,
    apiUrl: args.apiUrl,
    envAppKey: opts.defaultAppKey,
    deviceName: hostname(),
    log,
  });

  let web: WebServer;
  try {
    web = await startWebServer({
      service,
      host: args.host,
      port: args.port,
      staticDir,
      token,
      allowedHosts: args.allowedHosts,
      authorizeOrigin: args.apiUrl === undefined ? DROPBOX_AUTHORIZE_ORIGIN : new URL(args.apiUrl).origin,
      log,
    });
  } catch (err) {
    if (err instanceof PortInUseError) throw new SetupError(`${command}: ${err.message}`);
    throw err;
  }
  const stop = async (): Promise<void> => {
    // Stop serving first so no new call arrives while the engines finish their current writes.
    await web.close();
    await service.stop();
    await stateLock.release();
  };
  try {
    await service.start();
  } catch (err) {
    await stop();
    throw err;
  }
  const lost = new Promise<StateLostError>((resolve) => stateLock.onLost(resolve));
  return { service, web, lost, stop };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }
  const log = (line: string): void => console.error(`twinfold: ${line}`);
  const stopping = waitForSignal();
  const serve = await startServeHost(args, { command: 'serve', defaultAppKey: defaultAppKey(process.env), log });
  try {
    console.log(`web ui: ${serve.web.url}`);
    const gone = await Promise.race([stopping.then(() => undefined), serve.lost]);
    if (gone) {
      log(gone.message);
      return 1;
    }
    return 0;
  } finally {
    await serve.stop();
  }
}
