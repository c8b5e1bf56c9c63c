// One signed-in Dropbox account while it is in use: its credentials (kept current as tokens are
// refreshed), one SDK client for the account-wide calls (who am I, browse folders, revoke), and
// providers for the folder pairs. Every refreshed access token is written back to the secret store.
import type { FolderListing } from '../../../common/contract.js';
import { parseAccount } from '../../core/remote/dropbox/metadata.js';
import { listDropboxFolders, BROWSE_RETRY_POLICY } from '../../core/remote/dropbox/browse.js';
import type { DropboxCredentials } from '../../core/remote/dropbox/auth.js';
import { DropboxClient } from '../../core/remote/dropbox/client.js';
import { DropboxProvider } from '../../core/remote/dropbox/dropboxProvider.js';
import { revokeToken } from '../../core/remote/dropbox/oauth.js';
import { updateDropboxAccessToken } from '../../core/remote/dropbox/savedCredentials.js';
import type { RemoteAccount } from '../../core/remote/provider.js';
import type { SecretStore } from '../../core/secrets/index.js';
import { realRetryDeps } from '../../core/transfer/retry.js';

export interface AccountSessionOptions {
  accountId: string;
  credentials: DropboxCredentials;
  secrets: SecretStore;
  /** The fetch the SDK uses (already rewritten onto the emulator when there is an apiUrl). */
  sdkFetch: typeof fetch;
  /** The plain fetch and base URL for auth/token/revoke. */
  fetch: typeof fetch;
  apiBase: string;
  /** One line per event, for the app's log; never given a secret. */
  log: (line: string) => void;
}

export class AccountSession {
  readonly accountId: string;
  private credentials: DropboxCredentials;
  private readonly client: DropboxClient;
  private closed = false;

  constructor(private readonly opts: AccountSessionOptions) {
    this.accountId = opts.accountId;
    this.credentials = opts.credentials;
    this.client = new DropboxClient({
      credentials: opts.credentials,
      fetch: opts.sdkFetch,
      onTokenRefreshed: this.onTokenRefreshed,
      retryDeps: realRetryDeps,
    });
  }

  /**
   * A provider for one folder pair. DropboxProvider builds its own client, so each pair refreshes
   * its own access token; it starts from the newest one known, and every refresh is saved.
   */
  providerFor(remoteRoot: string): DropboxProvider {
    return new DropboxProvider({ remoteRoot, credentials: this.credentials, fetch: this.opts.sdkFetch, onTokenRefreshed: this.onTokenRefreshed });
  }

  async getAccount(): Promise<RemoteAccount> {
    const res = await this.client.call({ route: 'users/get_current_account', path: '', policy: BROWSE_RETRY_POLICY }, (sdk) => sdk.usersGetCurrentAccount());
    return parseAccount(res.result);
  }

  browse(path: string): Promise<FolderListing> {
    return listDropboxFolders(this.client, path);
  }

  /** Revokes the whole grant at Dropbox (the refresh token with it); needs a live access token first. */
  async revoke(): Promise<void> {
    await this.client.tokens.ensureFresh();
    const accessToken = this.client.tokens.accessToken();
    if (accessToken === undefined) return;
    await revokeToken({ apiBase: this.opts.apiBase, accessToken, fetch: this.opts.fetch });
  }

  /** After sign-out: refreshes still in flight must not write the tokens back. */
  close(): void {
    this.closed = true;
  }

  private readonly onTokenRefreshed = (accessToken: string, expiresAt: Date): void => {
    if (this.closed) return;
    if ('refreshToken' in this.credentials) this.credentials = { ...this.credentials, accessToken, expiresAt };
    updateDropboxAccessToken(this.opts.secrets, this.accountId, accessToken, expiresAt).catch((err: unknown) => {
      // The old token still refreshes next time; nothing is lost but a round trip.
      this.opts.log(`could not save the renewed Dropbox access token: ${(err as Error).message}`);
    });
  };
}
