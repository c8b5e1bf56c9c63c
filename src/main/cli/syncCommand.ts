// `twinfold sync <local-dir> <dropbox-path>`: keeps one folder pair in sync from the command line,
// live until SIGINT/SIGTERM, or once with --once. Everything that can be checked before touching
// the disk (flags, folder, token, reachability) is checked first, so a failure changes nothing.
import { realpath, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { hostname } from 'node:os';
import { checkApiUrl, intFlag, parseFlags, UsageError, waitForSignal } from './usage.js';
import { SyncEngine, type UnsyncedItem } from '../core/engine/syncEngine.js';
import { statusLine, type EngineStatus } from '../core/engine/status.js';
import type { DeletionPolicy } from '../core/engine/model.js';
import { nameProblem } from '../core/paths.js';
import { STATE_DIR_NAME } from '../core/local/ignore.js';
import { openPair, resolveDropboxSignIn } from './pairSetup.js';
import { tuneHeapForLongRunningSync } from '../core/heapTuning.js';
import { activeRootsDir, checkAgainstActiveRoots, ownStateProblem, pairPaths, PairOverlapError, type ActiveRoot } from '../core/activeRoots.js';
import type { StateLostError } from '../core/stateLock.js';
import { SetupError } from './setupError.js';

const HELP = `usage: twinfold sync <local-dir> <dropbox-path> [options]

Keeps <local-dir> and the Dropbox folder <dropbox-path> (e.g. /Projects, or / for all of
Dropbox) identical, in both directions, until stopped with Ctrl-C.

options:
  --state DIR          where the sync state lives (default: <local-dir>/${STATE_DIR_NAME})
  --api-url URL        Dropbox API base URL (e.g. a \`twinfold emulator\`); default: Dropbox
  --once               sync until both sides are equal, then exit (0 = in sync)
  --quiet-ms N         wait N ms after the last local change before uploading (default 1000)
  --deletes MODE       propagate (default): deletions are synced (to the trash locally);
                       keep: deletions are never synced
  --allow-mass-delete  let through a pass deleting more than half of the synced files
  --account ID         the signed-in Dropbox account to use when several are saved
  --json               print status changes as JSON lines
  -h, --help           show this help

The token comes from TWINFOLD_DROPBOX_TOKEN, or from the sign-in saved in the OS keychain.`;

interface SyncArgs {
  localRoot: string;
  remoteRoot: string;
  /** Absent: the local folder's own `.twinfold`. */
  stateDir?: string;
  apiUrl?: string;
  once: boolean;
  quietMs: number;
  deletionPolicy: DeletionPolicy;
  allowMassDelete: boolean;
  account?: string;
  json: boolean;
}

export function parseSyncArgs(argv: string[]): SyncArgs | 'help' {
  const { values, positionals } = parseFlags(
    'sync',
    argv,
    {
      state: { type: 'string' },
      'api-url': { type: 'string' },
      once: { type: 'boolean' },
      'quiet-ms': { type: 'string' },
      deletes: { type: 'string' },
      'allow-mass-delete': { type: 'boolean' },
      account: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) return 'help';
  if (positionals.length !== 2) throw new UsageError(`sync: expected <local-dir> <dropbox-path>, got ${positionals.length} argument(s); see twinfold sync --help`);
  const [localArg, remoteArg] = positionals as [string, string];
  const deletes = values.deletes ?? 'propagate';
  if (deletes !== 'propagate' && deletes !== 'keep') throw new UsageError(`sync: --deletes must be propagate or keep, got ${JSON.stringify(deletes)}`);
  const apiUrl = values['api-url'];
  if (apiUrl !== undefined) checkApiUrl('sync', apiUrl);
  if (values.state === '') throw new UsageError('sync: --state must not be empty');
  return {
    localRoot: nodePath.resolve(localArg),
    remoteRoot: parseRemoteRoot(remoteArg),
    ...(values.state !== undefined && { stateDir: nodePath.resolve(values.state) }),
    apiUrl,
    once: values.once ?? false,
    quietMs: intFlag('sync', 'quiet-ms', values['quiet-ms'], 1000, 0, 3_600_000),
    deletionPolicy: deletes,
    allowMassDelete: values['allow-mass-delete'] ?? false,
    account: values.account,
    json: values.json ?? false,
  };
}

/** '/' and '' mean the whole Dropbox; anything else must be an absolute, well-formed path. */
export function parseRemoteRoot(arg: string): string {
  if (arg === '' || arg === '/') return '';
  if (!arg.startsWith('/')) throw new UsageError(`sync: the Dropbox path must start with /, got ${JSON.stringify(arg)}`);
  const trimmed = arg.endsWith('/') ? arg.slice(0, -1) : arg;
  for (const part of trimmed.slice(1).split('/')) {
    const problem = nameProblem(part);
    if (problem) throw new UsageError(`sync: the Dropbox path ${JSON.stringify(arg)} is not valid (${problem.replace('_', ' ')} in ${JSON.stringify(part)})`);
  }
  return trimmed;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseSyncArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }
  tuneHeapForLongRunningSync();
  const folder = await stat(args.localRoot).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`sync: the local folder ${args.localRoot} does not exist or is not a folder`);
  // A symlinked folder is resolved once, here: the engine, the state and the registry all use the
  // real folder, and nothing is ever written through the link.
  const localRoot = await realpath(args.localRoot);
  const stateDir = args.stateDir ?? nodePath.join(localRoot, STATE_DIR_NAME);
  const paths = await checkPairPaths(localRoot, stateDir);

  const signIn = await resolveDropboxSignIn({ apiUrl: args.apiUrl, account: args.account, warn: (w) => console.error(`twinfold: warning: ${w}`) });
  const pair = await openPair({
    localRoot,
    remoteRoot: args.remoteRoot,
    stateDir,
    paths,
    activeRootsDir: activeRootsDir(),
    signIn,
    retryStartup: !args.once,
    log: (line) => console.error(`twinfold: ${line}`),
  });
  const report = statusReporter(args.json);
  const engine = new SyncEngine({
    localRoot,
    provider: pair.provider,
    index: pair.index,
    quietMs: args.quietMs,
    deletionPolicy: args.deletionPolicy,
    host: hostname(),
    live: !args.once,
    allowMassDelete: args.allowMassDelete,
    log: (line) => console.error(`twinfold: ${line}`),
  });
  engine.on('status', report);
  // The state folder deleted mid-run: stop at once rather than recreate it and lose the merge base.
  const lost = new Promise<StateLostError>((resolve) => pair.lock.onLost(resolve));
  void lost.then(() => engine.stop());
  if (!args.json) console.log(`twinfold: syncing ${localRoot} with Dropbox:${args.remoteRoot || '/'} as ${pair.account.displayName}`);

  try {
    if (args.once) {
      const { converged, status, unsynced } = await engine.syncOnce();
      if (pair.lock.lost) return reportLost(pair.lock.lost);
      const notSynced = notSyncedItems(unsynced, pair.index.errors());
      for (const reason of notSynced) console.error(`twinfold: not synced: ${reason}`);
      if (status.pauseReason === 'mass_delete') {
        console.error(`twinfold: held back: ${status.message ?? 'mass delete'} (use --allow-mass-delete)`);
        return 1;
      }
      if (notSynced.length > 0) console.error(`twinfold: ${notSynced.length === 1 ? '1 item' : `${notSynced.length} items`} could not be synced`);
      return converged && notSynced.length === 0 ? 0 : 1;
    }
    await engine.start();
    const stopped = await Promise.race([waitForSignal().then(() => undefined), lost]);
    return stopped ? reportLost(stopped) : 0;
  } finally {
    await engine.stop();
    await pair.close();
  }
}

function reportLost(err: StateLostError): number {
  console.error(`twinfold: ${err.message}`);
  return 1;
}

/** Refuses, before anything is written, a state folder inside the synced folder and pairs overlapping running ones. */
async function checkPairPaths(localRoot: string, stateDir: string): Promise<Omit<ActiveRoot, 'pid'>> {
  const paths = await pairPaths(localRoot, stateDir);
  const own = ownStateProblem(paths);
  if (own) throw new SetupError(own);
  try {
    await checkAgainstActiveRoots(activeRootsDir(), paths);
  } catch (err) {
    if (err instanceof PairOverlapError) throw new SetupError(err.message);
    throw err;
  }
  return paths;
}

/** Prints each change of the status line once (or every status as JSON with --json). */
function statusReporter(json: boolean): (status: EngineStatus) => void {
  let last = '';
  return (status) => {
    if (json) {
      const line = JSON.stringify({ state: status.state, message: status.message, done: status.done, total: status.total, errors: status.errorCount, lastSyncedAt: status.lastSyncedAt });
      if (line !== last) console.log(line);
      last = line;
      return;
    }
    const line = statusLine(status);
    if (line !== last) console.log(`twinfold: ${line}`);
    last = line;
  };
}

/**
 * Everything a one-time sync leaves unsynced, once each: what the engine could not do (failed
 * transfers, unreadable files, names Dropbox refuses) and what the index holds out (Dropbox names
 * this computer cannot store, twins), each with its reason.
 */
function notSyncedItems(unsynced: UnsyncedItem[], errors: { path: string; message: string }[]): string[] {
  const byPath = new Map<string, string>();
  for (const item of unsynced) byPath.set(item.path, item.reason.includes(item.path) ? item.reason : `${item.path}: ${item.reason}`);
  for (const error of errors) if (!byPath.has(error.path)) byPath.set(error.path, error.message.includes(error.path) ? error.message : `${error.path}: ${error.message}`);
  return [...byPath.values()];
}
