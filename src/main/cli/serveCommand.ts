// `twinfold serve`: the headless host. Runs the app service (sign-in, folder pairs, sync engines)
// behind the web UI on loopback, prints the one-time address to open, and runs until
// SIGINT/SIGTERM, then stops every engine after its current write. Flags are checked before
// anything is written, so a mistake changes nothing.
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkApiUrl, intFlag, parseFlags, UsageError, waitForSignal } from './usage.js';
import { SetupError } from './setupError.js';
import { defaultSecretsDir, openSecretStore, SecretStoreError, type SecretStore } from '../core/secrets/index.js';
import { makeStateDir } from '../core/pairState.js';
import { lockStateDir, StateLockedError, type StateLock, type StateLostError } from '../core/stateLock.js';
import { StateFailure } from '../core/errors.js';
import { tuneHeapForLongRunningSync } from '../core/heapTuning.js';
import { JsonSettingsStore } from '../service/settings/jsonSettingsStore.js';
import { SettingsError } from '../service/settings/settingsSchema.js';
import type { HostAdapter } from '../service/types.js';
import { parseHostHeader } from '../web/hostCheck.js';
import { DROPBOX_AUTHORIZE_ORIGIN } from '../web/securityHeaders.js';
import { PortInUseError, startWebServer } from '../web/webServer.js';

/** Fixed so the redirect URIs registered with the Dropbox app match exactly. */
export const DEFAULT_SERVE_PORT = 53690;

const HELP = `usage: twinfold serve [options]

Runs Twinfold without a desktop: the folder pairs sync in the background and a web UI on this
machine shows their status, the Dropbox sign-in and the folders. Open the address printed as
"web ui: ..." in a browser; it carries a one-time token that signs the browser in.

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
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs | 'help' {
  const { values } = parseFlags('serve', argv, {
    state: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'allow-host': { type: 'string', multiple: true },
    'api-url': { type: 'string' },
    'app-key': { type: 'string' },
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

async function checkStaticDir(dir: string): Promise<void> {
  const index = await stat(nodePath.join(dir, 'index.html')).catch(() => undefined);
  if (!index?.isFile()) throw new SetupError(`serve: the web UI is not built (${nodePath.join(dir, 'index.html')} is missing); run npm run build`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }
  const staticDir = process.env.TWINFOLD_UI_DIR ? nodePath.resolve(process.env.TWINFOLD_UI_DIR) : defaultStaticDir();
  await checkStaticDir(staticDir);
  tuneHeapForLongRunningSync();

  // Before anything is written: a second serve on this state folder would run, and remove, the
  // pairs of the first.
  const stateLock = await lockServeState(args.stateDir);
  try {
    return await serve(args, staticDir, stateLock);
  } finally {
    await stateLock.release();
  }
}

async function lockServeState(stateDir: string): Promise<StateLock> {
  try {
    await makeStateDir(stateDir);
    return await lockStateDir(stateDir);
  } catch (err) {
    if (err instanceof StateFailure || err instanceof StateLockedError) throw new SetupError(`serve: ${err.message}`);
    throw err;
  }
}

/** A damaged secrets file is reported now, with its path and what to do, not at the next sign-in. */
async function checkSecrets(secrets: SecretStore): Promise<void> {
  try {
    await secrets.list();
  } catch (err) {
    if (err instanceof SecretStoreError) throw new SetupError(`serve: ${err.message}`);
    throw err;
  }
}

async function serve(args: ServeArgs, staticDir: string, stateLock: StateLock): Promise<number> {
  const settings = new JsonSettingsStore(nodePath.join(args.stateDir, 'settings.json'));
  try {
    const current = settings.read();
    if (args.appKey !== undefined && current.appKey !== args.appKey) settings.write({ ...current, appKey: args.appKey });
  } catch (err) {
    if (err instanceof SettingsError) throw new SetupError(`serve: ${err.message}`);
    throw new SetupError(`serve: cannot write the settings in ${args.stateDir}: ${(err as Error).message}`);
  }
  const log = (line: string): void => console.error(`twinfold: ${line}`);
  const secrets = await openSecretStore({ allowFileFallback: true, fileDir: args.stateDir });
  if (secrets.warning !== undefined) log(`warning: ${secrets.warning}`);
  await checkSecrets(secrets);

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
    envAppKey: process.env.TWINFOLD_DROPBOX_APP_KEY,
    deviceName: hostname(),
    log,
  });

  // The port is taken before the service starts any engine, so "port in use" changes nothing.
  let web;
  try {
    web = await startWebServer({
      service,
      host: args.host,
      port: args.port,
      staticDir,
      allowedHosts: args.allowedHosts,
      authorizeOrigin: args.apiUrl === undefined ? DROPBOX_AUTHORIZE_ORIGIN : new URL(args.apiUrl).origin,
      log,
    });
  } catch (err) {
    if (err instanceof PortInUseError) throw new SetupError(`serve: ${err.message}`);
    throw err;
  }
  const stopping = waitForSignal();
  const lost = new Promise<StateLostError>((resolve) => stateLock.onLost(resolve));
  try {
    // A SIGTERM while the pairs start (their first scans run in the background) stops at once.
    const early = await Promise.race([service.start().then(() => false), stopping.then(() => true)]);
    if (early) return 0;
    console.log(`web ui: ${web.url}`);
    const gone = await Promise.race([stopping.then(() => undefined), lost]);
    if (gone) {
      log(gone.message);
      return 1;
    }
    return 0;
  } finally {
    // Stop serving first so no new call arrives while the engines finish their current writes.
    await web.close();
    await service.stop();
  }
}
