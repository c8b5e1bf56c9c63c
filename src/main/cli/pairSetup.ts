// Setting up one folder pair for the CLI: finding the Dropbox sign-in, checking it against the
// server, then taking the state folder (lock + index). Checks come before anything is written.
import * as nodePath from 'node:path';
import { DropboxProvider } from '../core/remote/dropbox/dropboxProvider.js';
import type { DropboxCredentials } from '../core/remote/dropbox/auth.js';
import { rewritingFetch } from '../core/remote/dropbox/rewriteFetch.js';
import { loadDropboxCredentials, updateDropboxAccessToken } from '../core/remote/dropbox/savedCredentials.js';
import { openSecretStore, SecretStoreError, type SecretStore } from '../core/secrets/index.js';
import { StateIndex } from '../core/index/index.js';
import { StateLockedError, type StateLock } from '../core/stateLock.js';
import { claimPairState, lockPair, makeStateDir, StateClaimedError } from '../core/pairState.js';
import { AuthError, errorMessage, NetworkError, RateLimitError, ServerError, StateFailure, stateFailureMessage } from '../core/errors.js';
import { backoffDelay, DEFAULT_BACKOFF } from '../core/engine/scheduler.js';
import { claimActiveRoot, PairOverlapError, type ActiveRoot, type ActiveRootClaim } from '../core/activeRoots.js';
import type { RemoteAccount } from '../core/remote/provider.js';
import { SetupError } from './setupError.js';

export const TOKEN_ENV = 'TWINFOLD_DROPBOX_TOKEN';

export interface DropboxSignIn {
  credentials: DropboxCredentials;
  fetch: typeof fetch;
  apiUrl?: string;
  /** Where refreshed tokens go; absent for a token from the environment. */
  store?: SecretStore;
  storeAccount?: string;
}

export async function resolveDropboxSignIn(opts: { apiUrl?: string; account?: string; warn: (w: string) => void }): Promise<DropboxSignIn> {
  const fetchFn = opts.apiUrl ? rewritingFetch(opts.apiUrl) : globalThis.fetch;
  const envToken = process.env[TOKEN_ENV]?.trim();
  if (envToken) return { credentials: { accessToken: envToken }, fetch: fetchFn, apiUrl: opts.apiUrl };

  const store = await openSecretStore({ allowFileFallback: true });
  if (store.warning) opts.warn(store.warning);
  const accounts = await store.list().catch((err: unknown) => {
    // A damaged secrets file: its path and what to do, as one line.
    if (err instanceof SecretStoreError) throw new SetupError(err.message);
    throw err;
  });
  const account = opts.account ?? (accounts.length === 1 ? accounts[0] : undefined);
  if (accounts.length === 0) throw new SetupError(`no Dropbox sign-in found: set ${TOKEN_ENV} to a Dropbox access token`);
  if (account === undefined) throw new SetupError(`several Dropbox accounts are signed in (${accounts.join(', ')}): choose one with --account`);
  const credentials = await loadDropboxCredentials(store, account);
  if (!credentials) throw new SetupError(`the saved sign-in for ${account} is missing or damaged: sign in again, or set ${TOKEN_ENV}`);
  return { credentials, fetch: fetchFn, apiUrl: opts.apiUrl, store, storeAccount: account };
}

export interface OpenPair {
  provider: DropboxProvider;
  index: StateIndex;
  account: RemoteAccount;
  /** Held for the life of the pair; lost when its state folder is deleted or replaced. */
  lock: StateLock;
  close(): Promise<void>;
}

export interface OpenPairOptions {
  localRoot: string;
  remoteRoot: string;
  stateDir: string;
  /** The pair's folders as checked (real paths); registered as running in `activeRootsDir`. */
  paths: Omit<ActiveRoot, 'pid'>;
  activeRootsDir: string;
  signIn: DropboxSignIn;
  log: (line: string) => void;
  /** Keep retrying the account check through 429s, 5xx and network errors (the daemon), instead of giving up. */
  retryStartup?: boolean;
  /** How often the state folders are checked for deletion (tests shorten it). */
  lockCheckMs?: number;
}

export async function openPair(opts: OpenPairOptions): Promise<OpenPair> {
  const { signIn } = opts;
  const provider = new DropboxProvider({
    remoteRoot: opts.remoteRoot,
    credentials: signIn.credentials,
    fetch: signIn.fetch,
    logger: { warn: (message) => opts.log(message) },
    onTokenRefreshed: (accessToken, expiresAt) => {
      if (signIn.store && signIn.storeAccount) void updateDropboxAccessToken(signIn.store, signIn.storeAccount, accessToken, expiresAt).catch(() => {});
    },
  });
  const account = await checkAccount(provider, signIn.apiUrl, opts.retryStartup ? opts.log : undefined);

  await makeStateDir(opts.stateDir).catch(asSetupError);
  const lock = await lockPair(opts.stateDir, opts.localRoot, { checkEveryMs: opts.lockCheckMs }).catch(asSetupError);
  let claim: ActiveRootClaim | undefined;
  let index: StateIndex | undefined;
  try {
    claim = await claimActiveRoot(opts.activeRootsDir, opts.paths);
    index = openIndex(opts.stateDir);
    claimStateFor(index, opts.localRoot, opts.remoteRoot, account.accountId, opts.stateDir);
  } catch (err) {
    index?.close();
    await claim?.release();
    await lock.release();
    return asSetupError(err);
  }
  const opened = index;
  const registered = claim;
  return {
    provider,
    index: opened,
    account,
    lock,
    close: async () => {
      opened.close();
      await registered.release();
      await lock.release();
    },
  };
}

function openIndex(stateDir: string): StateIndex {
  const dbPath = nodePath.join(stateDir, 'index.sqlite');
  try {
    return StateIndex.open(dbPath);
  } catch (err) {
    throw new SetupError(stateFailureMessage(err, dbPath, 'open the sync index'));
  }
}

/** Failures the user can act on become one clear line; anything else stays a bug with its stack. */
function asSetupError(err: unknown): never {
  if (err instanceof StateFailure || err instanceof StateLockedError || err instanceof PairOverlapError) throw new SetupError(errorMessage(err));
  throw err;
}

/** With `retryLog`, transient failures (429, 5xx, network) are waited out with the engine's backoff. */
async function checkAccount(provider: DropboxProvider, apiUrl: string | undefined, retryLog?: (line: string) => void): Promise<RemoteAccount> {
  for (let failures = 1; ; failures++) {
    try {
      return await provider.getAccount();
    } catch (err) {
      const transient = err instanceof NetworkError || err instanceof ServerError || err instanceof RateLimitError;
      if (!retryLog || !transient) throw accountCheckError(err, apiUrl);
      const asked = err instanceof RateLimitError ? err.retryAfterMs : 0;
      const delay = Math.min(Math.max(asked, backoffDelay(DEFAULT_BACKOFF, failures)), DEFAULT_BACKOFF.maxServerWaitMs);
      retryLog(`checking the Dropbox account failed (${err.message}); trying again in ${Math.ceil(delay / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Auth errors and an unreachable API become setup errors (exit with a clear message). */
function accountCheckError(err: unknown, apiUrl: string | undefined): unknown {
  if (err instanceof AuthError) return new SetupError(`Dropbox refused the token: ${err.message}`);
  if (err instanceof NetworkError) return new SetupError(`cannot reach the Dropbox API${apiUrl ? ` at ${apiUrl}` : ''}: check the network or --api-url`);
  return err;
}

/** A state folder belongs to one pair; reusing it for another would mix up two merge bases. */
function claimStateFor(index: StateIndex, localRoot: string, remoteRoot: string, accountId: string, stateDir: string): void {
  try {
    claimPairState(index, { local_root: localRoot, remote_root: remoteRoot, account_id: accountId });
  } catch (err) {
    if (!(err instanceof StateClaimedError)) throw err;
    throw new SetupError(`the state folder ${stateDir} belongs to another pair (${err.field.replace('_', ' ')} ${err.existing}); use another --state`);
  }
}
