// `twinfold demo`: the product in one offline command. Starts the Dropbox emulator in-process
// (its files kept in the demo state folder, so the demo picks up where it left off), a `serve`
// host signed in to it by the ordinary sign-in flow (the token goes to the secret store, never to
// the screen), and one folder pair: a demo folder with sample files <-> /Demo. Prints the web UI
// and the emulator's file page, opens the browser, and runs until SIGINT/SIGTERM.
import { homedir } from 'node:os';
import * as nodePath from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { defaultSecretsDir } from '../core/secrets/index.js';
import { errorMessage } from '../core/errors.js';
import type { AppState } from '../../common/contract.js';
import type { AppServiceApi } from '../service/types.js';
import { prepareDemoFolder } from './demoFolder.js';
import { openInBrowser } from './openBrowser.js';
import { DEFAULT_SERVE_PORT, startServeHost, type ServeArgs } from './serveCommand.js';
import { SetupError } from './setupError.js';
import { intFlag, parseFlags, UsageError, waitForSignal } from './usage.js';
import { loadOrCreateTokenFile } from '../web/sessionTokenFile.js';

/** One above serve's, so the demo runs beside a real `twinfold serve`. */
export const DEFAULT_DEMO_PORT = DEFAULT_SERVE_PORT + 1;
export const DEMO_REMOTE_FOLDER = '/Demo';
/** The emulator accepts any app key; this one names the demo in its consent page. */
const DEMO_APP_KEY = 'twinfold-demo';

const HELP = `usage: twinfold demo [options]

Shows Twinfold without a Dropbox account, offline: starts a local Dropbox emulator, the sync
service signed in to it, and one folder pair (a demo folder with a few sample files <-> /Demo).
Opens two pages: the Twinfold web UI ("web ui: ...") and the emulator's Dropbox ("dropbox: ...").
Drop a file into the demo folder and watch it sync. Ctrl-C stops it; running it again continues
where it stopped.

options:
  --folder DIR   the local demo folder (default: ~/Twinfold Demo); created with sample files
                 when missing; an existing folder is used only when it is empty
  --state DIR    where the demo keeps its settings, sync state and emulated Dropbox
                 (default: $XDG_CONFIG_HOME/twinfold-demo or ~/.config/twinfold-demo; never
                 the state of a real twinfold serve)
  --port N       port of the web UI (default ${DEFAULT_DEMO_PORT}; 0 = any free port)
  --no-open      do not open the browser
  -h, --help     show this help`;

export interface DemoArgs {
  serve: ServeArgs;
  folder: string;
  open: boolean;
}

export function parseDemoArgs(argv: string[], env: NodeJS.ProcessEnv = process.env, home: string = homedir()): DemoArgs | 'help' {
  const { values } = parseFlags('demo', argv, {
    folder: { type: 'string' },
    state: { type: 'string' },
    port: { type: 'string' },
    'no-open': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  if (values.state === '') throw new UsageError('demo: --state must not be empty');
  if (values.folder === '') throw new UsageError('demo: --folder must not be empty');
  const stateDir = nodePath.resolve(values.state ?? `${defaultSecretsDir(env, home)}-demo`);
  if (stateDir === nodePath.resolve(defaultSecretsDir(env, home))) throw new UsageError('demo: --state must not be the state folder of twinfold serve');
  return {
    serve: {
      stateDir,
      host: '127.0.0.1',
      port: intFlag('demo', 'port', values.port, DEFAULT_DEMO_PORT, 0, 65535),
      allowedHosts: [],
      newToken: false,
    },
    folder: nodePath.resolve(values.folder ?? nodePath.join(home, 'Twinfold Demo')),
    open: !values['no-open'],
  };
}

/** The paste flow a user would follow, done here: the emulator approves at once and shows the code. */
async function signIn(service: AppServiceApi): Promise<void> {
  const start = (await service.call('signInStart', {})) as AppState['signIn'];
  if (!start.authorizeUrl) throw new SetupError('demo: the emulator gave no sign-in address');
  const page = await (await fetch(start.authorizeUrl)).text();
  const code = /id="authorization-code">([^<]+)</.exec(page)?.[1];
  if (code === undefined) throw new SetupError('demo: the emulator did not show a sign-in code');
  await service.call('signInFinish', { code });
}

/** Signs in and adds the demo pair unless an earlier run already did. */
async function setUpDemo(service: AppServiceApi, folder: string): Promise<void> {
  if (service.getState().account === undefined) await signIn(service);
  if (service.getState().pairs.some((p) => p.localPath === folder && p.remotePath === DEMO_REMOTE_FOLDER)) return;
  await prepareDemoFolder(folder);
  await service.call('addPair', { localPath: folder, remotePath: DEMO_REMOTE_FOLDER });
}

export async function run(argv: string[]): Promise<number> {
  const args = parseDemoArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }
  const log = (line: string): void => console.error(`twinfold: ${line}`);
  const stopping = waitForSignal();
  // The emulator's token opens its file page; kept like the web UI's, so its address lasts too.
  let emulatorToken: string;
  try {
    emulatorToken = await loadOrCreateTokenFile(nodePath.join(args.serve.stateDir, 'emulator-token'));
  } catch (err) {
    throw new SetupError(`demo: cannot use the state folder ${args.serve.stateDir}: ${errorMessage(err)}`);
  }
  const emulator: Emulator = await startEmulator({
    dataDir: nodePath.join(args.serve.stateDir, 'emulator'),
    accessTokens: [emulatorToken],
    autoApprove: true,
  });
  try {
    const serve = await startServeHost({ ...args.serve, apiUrl: emulator.url }, { command: 'demo', defaultAppKey: DEMO_APP_KEY, log });
    try {
      await setUpDemo(serve.service, args.folder);
      const dropboxUrl = `${emulator.url}/?token=${emulatorToken}`;
      console.log(`web ui: ${serve.web.url}`);
      console.log(`dropbox: ${dropboxUrl}`);
      console.log(`demo folder: ${args.folder}`);
      if (args.open) {
        openInBrowser(serve.web.url);
        openInBrowser(dropboxUrl);
      }
      await stopping;
      return 0;
    } finally {
      await serve.stop();
    }
  } finally {
    await emulator.close();
  }
}
