// `twinfold emulator`: runs the Dropbox API v2 emulator in the foreground until SIGINT/SIGTERM,
// then closes it cleanly (state flushed to --data) and exits 0.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startEmulator, type EmulatorOptions } from '../../emulator/index.js';
import { intFlag, parseFlags, UsageError } from './usage.js';

const COMMAND = 'emulator';
const DEFAULT_PORT = 8765;
const DEFAULT_TOKEN_TTL_SEC = 14400;

const HELP = `usage: twinfold emulator [options]

Runs a local emulator of the Dropbox API v2 (RPC, upload and download routes, longpoll, upload
sessions, OAuth 2) for tests and offline development. Point the sync engine at it with
--api-url <the URL it prints>. The address printed as "files: ..." opens a page that shows the
emulated Dropbox's files (browse, upload, rename, delete, download) on this machine.

options:
  --port N                 port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H                 interface to listen on (default 127.0.0.1)
  --access-token T         accept this bearer token (repeatable; one is generated if none is given)
  --tls-cert F --tls-key F serve HTTPS with this PEM certificate and key
  --data DIR               keep files, cursors and tokens in DIR across restarts (default: memory)
  --token-ttl SECONDS      lifetime of access tokens issued through OAuth (default ${DEFAULT_TOKEN_TTL_SEC})
  --auto-approve           approve OAuth requests without showing the consent page
  -h, --help               show this help`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'access-token': { type: 'string', multiple: true },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  data: { type: 'string' },
  'token-ttl': { type: 'string' },
  'auto-approve': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function readPem(flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new UsageError(`${COMMAND}: cannot read --${flag} ${JSON.stringify(file)}: ${(err as Error).message}`);
  }
}

async function optionsFrom(argv: string[]): Promise<{ options: EmulatorOptions; generatedToken: boolean } | 'help'> {
  const { values } = parseFlags(COMMAND, argv, OPTIONS);
  if (values.help) return 'help';
  const port = intFlag(COMMAND, 'port', values.port, DEFAULT_PORT, 0, 65535);
  const ttl = intFlag(COMMAND, 'token-ttl', values['token-ttl'], DEFAULT_TOKEN_TTL_SEC, 1, 366 * 24 * 3600);
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError(`${COMMAND}: --host must not be empty`);
  const given = values['access-token'] ?? [];
  const bad = given.find((t) => !/^\S+$/.test(t));
  if (bad !== undefined) throw new UsageError(`${COMMAND}: --access-token must be non-empty and without spaces, got ${JSON.stringify(bad)}`);
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError(`${COMMAND}: --tls-cert and --tls-key go together; give both or neither`);
  const tls = certFile !== undefined && keyFile !== undefined ? { cert: await readPem('tls-cert', certFile), key: await readPem('tls-key', keyFile) } : undefined;
  const accessTokens = given.length > 0 ? given : [`emu-${randomBytes(24).toString('base64url')}`];
  return {
    generatedToken: given.length === 0,
    options: {
      host,
      port,
      accessTokens,
      accessTokenTtlSec: ttl,
      autoApprove: values['auto-approve'] ?? false,
      ...(values.data !== undefined ? { dataDir: values.data } : {}),
      ...(tls ? { tls } : {}),
    },
  };
}

function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      // A second signal while closing falls back to Node's default: exit at once.
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function run(argv: string[]): Promise<number> {
  const parsed = await optionsFrom(argv);
  if (parsed === 'help') {
    console.log(HELP);
    return 0;
  }
  const { options, generatedToken } = parsed;
  const stopping = nextStopSignal();
  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (err) {
    console.error(`twinfold ${COMMAND}: cannot start on ${options.host}:${options.port}: ${(err as Error).message}`);
    return 1;
  }
  console.log(`twinfold ${COMMAND} listening on ${emulator.url}`);
  const tokens = options.accessTokens ?? [];
  if (generatedToken) console.log(`access token (generated; choose your own with --access-token): ${tokens[0]}`);
  else console.log(`access token${tokens.length > 1 ? 's' : ''}: ${tokens.join(' ')}`);
  console.log(`files: ${emulator.url}/?token=${encodeURIComponent(tokens[0] ?? '')}`);
  const signal = await stopping;
  await emulator.close();
  console.log(`twinfold ${COMMAND} stopped (${signal})`);
  return 0;
}
