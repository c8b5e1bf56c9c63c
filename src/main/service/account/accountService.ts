// The Dropbox account as the app sees it: who is signed in, the sign-in flow (authorization code +
// PKCE, finished by a browser redirect or a pasted code), sign-out with revocation, restoring the
// sign-in at start, and what the folder pairs and the folder browser need from the account.
// Tokens live only in the SecretStore and in memory; settings hold the account id alone.
import { EventEmitter } from 'node:events';
import type { AccountView, FolderListing, SignInView } from '../../../common/contract.js';
import { AuthError } from '../../core/errors.js';
import type { DropboxProvider } from '../../core/remote/dropbox/dropboxProvider.js';
import {
  buildAuthorizeUrl,
  checkRedirectUri,
  createOAuthState,
  createPkcePair,
  dropboxOAuthEndpoints,
  exchangeCode,
  isValidAppKey,
  revokeToken,
  stateMatches,
  type DropboxOAuthEndpoints,
  type PkcePair,
  type SignInTokens,
} from '../../core/remote/dropbox/oauth.js';
import { rewritingFetch } from '../../core/remote/dropbox/rewriteFetch.js';
import { loadDropboxCredentials, saveDropboxSignIn } from '../../core/remote/dropbox/savedCredentials.js';
import type { SecretStore, SecretStoreKind } from '../../core/secrets/index.js';
import { CallFailure, type CallContext, type HostAdapter, type OAuthRedirectQuery, type SettingsStore } from '../types.js';
import { AccountSession } from './accountSession.js';
import { toCallFailure } from '../callFailures.js';
import { DROPBOX_LOOPBACK_PORT, PortInUseError, describeOAuthError, openLoopbackRedirect, type LoopbackRedirect, type LoopbackResult } from './loopbackRedirect.js';

export interface AccountServiceOptions {
  settings: SettingsStore;
  secrets: SecretStore;
  /** Everything Dropbox under this base URL (the emulator); absent: the real Dropbox. */
  apiUrl?: string;
  fetch?: typeof fetch;
  host: HostAdapter;
  /** The Electron loopback listener's port; DROPBOX_LOOPBACK_PORT unless a test picks another. */
  loopbackPort?: number;
  /** process.env.TWINFOLD_DROPBOX_APP_KEY, used when the settings hold no app key. */
  envAppKey?: string;
  now?: () => number;
  /** One line per event for the app's log; never given a secret. */
  log?: (line: string) => void;
}

export interface AccountServiceView {
  account?: AccountView;
  signInNeeded: boolean;
  signIn: SignInView;
  secretStorage: { kind: SecretStoreKind; warning?: string };
}

/** One started sign-in; a new start replaces it. The verifier never leaves memory. */
interface SignInFlow {
  appKey: string;
  pkce: PkcePair;
  state: string;
  mode: 'redirect' | 'paste';
  /** Sent in the authorize URL and again, identically, in the code exchange. */
  redirectUri?: string;
  /** The Electron loopback listener, when the browser comes back to us directly. */
  loopback?: LoopbackRedirect;
  authorizeUrl: string;
  exchanging: boolean;
}

const CODE_SHAPE = /^[A-Za-z0-9._~+/=-]{1,2048}$/;

export class AccountService extends EventEmitter<{ changed: [] }> {
  private readonly settings: SettingsStore;
  private readonly secrets: SecretStore;
  private readonly host: HostAdapter;
  private readonly endpoints: DropboxOAuthEndpoints;
  /** Plain fetch for the OAuth endpoints, which the endpoints already address. */
  private readonly fetch: typeof fetch;
  /** The SDK's fetch: rewritten onto apiUrl when there is one. */
  private readonly sdkFetch: typeof fetch;
  private readonly loopbackPort: number;
  private readonly envAppKey: string | undefined;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  private accountId: string | undefined;
  private account: AccountView | undefined;
  private session: AccountSession | undefined;
  private signInNeeded = false;
  private flow: SignInFlow | undefined;
  private signInError: string | undefined;

  constructor(opts: AccountServiceOptions) {
    super();
    this.settings = opts.settings;
    this.secrets = opts.secrets;
    this.host = opts.host;
    this.endpoints = dropboxOAuthEndpoints(opts.apiUrl);
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.sdkFetch = opts.apiUrl === undefined ? this.fetch : rewritingFetch(opts.apiUrl, this.fetch);
    this.loopbackPort = opts.loopbackPort ?? DROPBOX_LOOPBACK_PORT;
    this.envAppKey = opts.envAppKey?.trim() || undefined;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? ((line) => console.warn(`twinfold: ${line}`));
  }

  view(): AccountServiceView {
    const account = this.account ?? (this.accountId === undefined ? undefined : { accountId: this.accountId, displayName: this.accountId, email: '' });
    const secretStorage = this.secrets.warning === undefined ? { kind: this.secrets.kind } : { kind: this.secrets.kind, warning: this.secrets.warning };
    return { ...(account ? { account } : {}), signInNeeded: this.signInNeeded, signIn: this.signInView(), secretStorage };
  }

  /** Read at every sign-in start, so a key set in the settings meanwhile is used. */
  hasAppKey(): boolean {
    return this.appKey() !== undefined;
  }

  /** Loads the saved sign-in for settings.accountId; offline keeps it, a rejected one needs sign-in. */
  async restore(): Promise<void> {
    this.session?.close();
    this.session = undefined;
    this.account = undefined;
    this.signInNeeded = false;
    this.accountId = this.settings.read().accountId;
    const accountId = this.accountId;
    if (accountId !== undefined) {
      let credentials;
      try {
        credentials = await loadDropboxCredentials(this.secrets, accountId);
      } catch (err) {
        this.log(`cannot read the saved Dropbox sign-in: ${toCallFailure(err).message}`);
      }
      if (credentials === undefined) {
        this.signInNeeded = true;
        this.log('no usable saved Dropbox sign-in: the user has to sign in again');
      } else {
        this.session = this.newSession(accountId, credentials);
        await this.refreshAccount();
      }
    }
    this.emit('changed');
  }

  async signInStart(ctx: CallContext = {}): Promise<SignInView> {
    const appKey = this.appKey();
    if (appKey === undefined) {
      throw new CallFailure('bad_request', 'Set the Dropbox app key first (in the settings, or TWINFOLD_DROPBOX_APP_KEY): create an app at https://www.dropbox.com/developers/apps.');
    }
    if (!isValidAppKey(appKey)) throw new CallFailure('bad_request', 'The Dropbox app key may contain only letters, digits, - and _.');
    if (ctx.redirectUri !== undefined) {
      try {
        checkRedirectUri(ctx.redirectUri);
      } catch (err) {
        throw toCallFailure(err);
      }
    }
    this.endFlow();
    const state = createOAuthState();
    const flow: SignInFlow = { appKey, pkce: createPkcePair(), state, mode: 'paste', authorizeUrl: '', exchanging: false };
    this.flow = flow;
    this.signInError = undefined;

    if (ctx.redirectUri !== undefined) {
      flow.mode = 'redirect';
      flow.redirectUri = ctx.redirectUri;
    } else if (this.host.kind === 'electron' && this.host.openExternal) {
      const loopback = await this.tryLoopback(state);
      if (this.flow !== flow) {
        // Another start or a cancel came in while the listener opened.
        loopback?.close();
        throw new CallFailure('conflict', 'The sign-in was replaced or cancelled.');
      }
      if (loopback) {
        flow.mode = 'redirect';
        flow.redirectUri = loopback.redirectUri;
        flow.loopback = loopback;
        void loopback.result.then((result) => this.onLoopbackResult(flow, result));
      }
    }
    flow.authorizeUrl = buildAuthorizeUrl({
      authorizeBase: this.endpoints.authorizeUrl,
      appKey,
      redirectUri: flow.redirectUri,
      state,
      codeChallenge: flow.pkce.codeChallenge,
    });
    if (flow.loopback && this.host.openExternal) {
      try {
        await this.host.openExternal(flow.authorizeUrl);
      } catch (err) {
        // The window still shows the link, so the user can open it by hand.
        this.log(`could not open the browser for the Dropbox sign-in: ${toCallFailure(err).message}`);
      }
    }
    this.emit('changed');
    return this.signInView();
  }

  /** Paste mode: the code Dropbox showed the user. A wrong code leaves the sign-in open for another try. */
  async signInFinish(code: string): Promise<AccountView> {
    const flow = this.flow;
    if (!flow) throw new CallFailure('conflict', 'No sign-in is waiting for a code. Start the sign-in again.');
    if (flow.mode !== 'paste') throw new CallFailure('conflict', 'This sign-in finishes in the browser; there is no code to paste.');
    const trimmed = code.trim();
    if (!CODE_SHAPE.test(trimmed)) throw new CallFailure('bad_request', 'That does not look like a Dropbox code: copy the whole code Dropbox showed.');
    if (flow.exchanging) throw new CallFailure('conflict', 'The code is already being checked.');
    try {
      return await this.exchangeAndAdopt(flow, trimmed);
    } catch (err) {
      const failure = toCallFailure(err);
      if (this.flow === flow) {
        this.signInError = failure.message;
        this.emit('changed');
      }
      throw failure;
    }
  }

  /** The web host's OAuth callback. Refuses a foreign `state` without disturbing the real sign-in. */
  async completeRedirect(query: OAuthRedirectQuery): Promise<{ ok: boolean; message: string }> {
    const flow = this.flow;
    if (!flow || flow.mode !== 'redirect' || flow.loopback) {
      return { ok: false, message: 'Twinfold is not waiting for a Dropbox sign-in here. Start the sign-in again from Twinfold.' };
    }
    if (!stateMatches(flow.state, query.state)) {
      return { ok: false, message: 'This sign-in link does not belong to the sign-in Twinfold started. Start the sign-in again from Twinfold.' };
    }
    if (query.error !== undefined) {
      const message = query.error === 'access_denied'
        ? 'You did not allow Twinfold to access your Dropbox.'
        : `Dropbox could not complete the sign-in (${describeOAuthError(query.error, query.error_description ?? null)}).`;
      this.failFlow(flow, message);
      return { ok: false, message };
    }
    if (query.code === undefined || !CODE_SHAPE.test(query.code)) return { ok: false, message: 'Dropbox sent no usable code. Start the sign-in again from Twinfold.' };
    if (flow.exchanging) return { ok: false, message: 'This sign-in is already being completed.' };
    try {
      const account = await this.exchangeAndAdopt(flow, query.code);
      return { ok: true, message: `Signed in to Dropbox as ${account.displayName}. You can close this tab and return to Twinfold.` };
    } catch (err) {
      // The code is spent either way: this sign-in is over.
      const message = toCallFailure(err).message;
      this.failFlow(flow, message);
      return { ok: false, message };
    }
  }

  signInCancel(): void {
    if (!this.flow && this.signInError === undefined) return;
    this.endFlow();
    this.signInError = undefined;
    this.emit('changed');
  }

  /** Revokes at Dropbox (best effort: offline still signs out here), forgets the tokens and the account. */
  async signOut(): Promise<void> {
    this.endFlow();
    this.signInError = undefined;
    const accountId = this.accountId ?? this.settings.read().accountId;
    const session = this.session;
    this.session = undefined;
    if (session) {
      try {
        await session.revoke();
        this.log('signed out of Dropbox: the sign-in was revoked at Dropbox');
      } catch (err) {
        this.log(`signed out on this device only: Dropbox could not be asked to revoke the sign-in (${toCallFailure(err).message})`);
      }
      session.close();
    }
    let deleteFailure: CallFailure | undefined;
    if (accountId !== undefined) {
      try {
        await this.secrets.delete(accountId);
      } catch (err) {
        deleteFailure = new CallFailure('internal', `Signed out, but the saved sign-in could not be removed: ${toCallFailure(err).message}`);
      }
    }
    const { accountId: _forgotten, ...rest } = this.settings.read();
    this.settings.write(rest);
    this.accountId = undefined;
    this.account = undefined;
    this.signInNeeded = false;
    this.emit('changed');
    if (deleteFailure) throw deleteFailure;
  }

  /** An engine met an AuthError: pairs stop until the user signs in again. */
  markSignInNeeded(): void {
    if (this.accountId === undefined || this.signInNeeded) return;
    this.signInNeeded = true;
    this.log('Dropbox rejected the saved sign-in: the user has to sign in again');
    this.emit('changed');
  }

  /** A provider for one pair; undefined while signed out or while the sign-in needs renewing. */
  providerFor(remoteRoot: string): DropboxProvider | undefined {
    if (!this.session || this.signInNeeded) return undefined;
    return this.session.providerFor(remoteRoot);
  }

  async browseRemote(path: string): Promise<FolderListing> {
    const session = this.session;
    if (!session) throw new CallFailure('auth', 'Sign in to Dropbox first.');
    if (this.signInNeeded) throw new CallFailure('auth', 'Dropbox no longer accepts this device’s sign-in. Please sign in again.');
    try {
      const listing = await session.browse(path);
      // Started offline: now that Dropbox answers, fill in the name and email.
      if (this.account === undefined) void this.refreshAccount().then(() => this.account && this.emit('changed'));
      return listing;
    } catch (err) {
      if (err instanceof AuthError && this.session === session) this.markSignInNeeded();
      throw toCallFailure(err);
    }
  }

  // ---- internals ---------------------------------------------------------------------------------

  private appKey(): string | undefined {
    return this.settings.read().appKey?.trim() || this.envAppKey;
  }

  private signInView(): SignInView {
    const error = this.signInError === undefined ? {} : { error: this.signInError };
    const flow = this.flow;
    if (!flow) return { pending: false, ...error };
    return { pending: true, mode: flow.mode, authorizeUrl: flow.authorizeUrl, ...error };
  }

  private async tryLoopback(state: string): Promise<LoopbackRedirect | undefined> {
    try {
      return await openLoopbackRedirect({ port: this.loopbackPort, host: '127.0.0.1', expectedState: state });
    } catch (err) {
      this.log(err instanceof PortInUseError
        ? `${err.message} Falling back to pasting the code.`
        : `the sign-in listener could not start (${(err as Error).message}); falling back to pasting the code`);
      return undefined;
    }
  }

  private async onLoopbackResult(flow: SignInFlow, result: LoopbackResult): Promise<void> {
    if (this.flow !== flow) return;
    if ('error' in result) {
      if (result.reason !== 'cancelled') this.failFlow(flow, result.error);
      return;
    }
    try {
      await this.exchangeAndAdopt(flow, result.code);
    } catch (err) {
      this.failFlow(flow, toCallFailure(err).message);
    }
  }

  private async exchangeAndAdopt(flow: SignInFlow, code: string): Promise<AccountView> {
    flow.exchanging = true;
    try {
      const tokens = await exchangeCode({
        tokenUrl: this.endpoints.tokenUrl,
        appKey: flow.appKey,
        code,
        codeVerifier: flow.pkce.codeVerifier,
        redirectUri: flow.redirectUri,
        fetch: this.fetch,
        now: this.now,
      });
      if (this.flow !== flow) {
        // Cancelled while Dropbox answered: leave no live grant behind.
        await revokeToken({ apiBase: this.endpoints.apiBase, accessToken: tokens.accessToken, fetch: this.fetch }).catch(() => undefined);
        throw new CallFailure('conflict', 'The sign-in was cancelled.');
      }
      return await this.adopt(flow, tokens);
    } finally {
      flow.exchanging = false;
    }
  }

  /** Saves the new sign-in, then switches to it; a failure to save changes nothing. */
  private async adopt(flow: SignInFlow, tokens: SignInTokens): Promise<AccountView> {
    const previous = this.settings.read().accountId;
    await saveDropboxSignIn(this.secrets, tokens.accountId, {
      provider: 'dropbox',
      appKey: flow.appKey,
      refreshToken: tokens.refreshToken,
      accessToken: tokens.accessToken,
      expiresAt: tokens.expiresAt,
    });
    try {
      this.settings.write({ ...this.settings.read(), accountId: tokens.accountId });
    } catch (err) {
      if (previous !== tokens.accountId) await this.secrets.delete(tokens.accountId).catch(() => false);
      throw err;
    }
    const previousSession = this.session;
    this.session = this.newSession(tokens.accountId, {
      refreshToken: tokens.refreshToken,
      appKey: flow.appKey,
      accessToken: tokens.accessToken,
      expiresAt: new Date(tokens.expiresAt),
    });
    if (previous !== undefined && previous !== tokens.accountId) await this.forgetOtherAccount(previous, previousSession);
    else previousSession?.close();
    this.accountId = tokens.accountId;
    this.account = undefined;
    this.signInNeeded = false;
    this.signInError = undefined;
    this.endFlow();
    await this.refreshAccount();
    this.emit('changed');
    return this.view().account ?? { accountId: tokens.accountId, displayName: tokens.accountId, email: '' };
  }

  /** Another account signed in: its grant is revoked (best effort) and its tokens deleted. */
  private async forgetOtherAccount(accountId: string, session: AccountSession | undefined): Promise<void> {
    try {
      let old = session;
      if (!old) {
        const credentials = await loadDropboxCredentials(this.secrets, accountId);
        if (credentials) old = this.newSession(accountId, credentials);
      }
      await old?.revoke();
    } catch (err) {
      this.log(`could not revoke the previous account's sign-in at Dropbox: ${toCallFailure(err).message}`);
    }
    session?.close();
    await this.secrets.delete(accountId).catch((err: unknown) => this.log(`could not remove the previous account's sign-in: ${toCallFailure(err).message}`));
  }

  /** Fills the name and email; AuthError → sign-in needed; offline → keep showing the account id. */
  private async refreshAccount(): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      const account = await session.getAccount();
      if (this.session !== session) return;
      if (account.accountId !== session.accountId) {
        this.log('the saved Dropbox sign-in belongs to another account than the settings say: the user has to sign in again');
        this.signInNeeded = true;
        return;
      }
      this.account = account;
    } catch (err) {
      if (this.session !== session) return;
      if (err instanceof AuthError) {
        this.signInNeeded = true;
        this.log('Dropbox rejected the saved sign-in: the user has to sign in again');
      } else {
        this.log(`Dropbox is not reachable to read the account (${toCallFailure(err).message}); showing the account id until it is`);
      }
    }
  }

  private newSession(accountId: string, credentials: ConstructorParameters<typeof AccountSession>[0]['credentials']): AccountSession {
    return new AccountSession({ accountId, credentials, secrets: this.secrets, sdkFetch: this.sdkFetch, fetch: this.fetch, apiBase: this.endpoints.apiBase, log: this.log });
  }

  private endFlow(): void {
    const flow = this.flow;
    this.flow = undefined;
    flow?.loopback?.close();
  }

  private failFlow(flow: SignInFlow, message: string): void {
    if (this.flow !== flow) return;
    this.endFlow();
    this.signInError = message;
    this.emit('changed');
  }
}
