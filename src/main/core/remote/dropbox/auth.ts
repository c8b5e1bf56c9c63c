// Keeps the Dropbox access token usable: wraps the SDK's DropboxAuth, refreshes short-lived tokens
// (proactively before expiry, or once after a 401 expired_access_token) with one refresh in flight
// at a time, reports new tokens so the engine can store them, and turns refresh failures into
// AuthError ("sign in again") or transient errors.
import { DropboxAuth } from 'dropbox';
import { AuthError, InvalidResponseError } from '../../errors.js';
import { mapDropboxError } from './errorMapping.js';

export type DropboxCredentials =
  | { accessToken: string }
  | { refreshToken: string; appKey: string; accessToken?: string; expiresAt?: Date };

export type TokenRefreshedCallback = (accessToken: string, expiresAt: Date) => void;

export class DropboxTokens {
  readonly auth: DropboxAuth;
  private readonly canRefresh: boolean;
  private inFlight: Promise<void> | null = null;

  constructor(credentials: DropboxCredentials, fetchFn: typeof fetch, private readonly onTokenRefreshed?: TokenRefreshedCallback) {
    if ('refreshToken' in credentials) {
      this.canRefresh = true;
      this.auth = new DropboxAuth({
        refreshToken: credentials.refreshToken,
        clientId: credentials.appKey,
        accessToken: credentials.accessToken,
        accessTokenExpiresAt: credentials.expiresAt,
        fetch: fetchFn,
      });
    } else {
      this.canRefresh = false;
      this.auth = new DropboxAuth({ accessToken: credentials.accessToken, fetch: fetchFn });
    }
  }

  /** The token to send now; undefined only before the first refresh of refresh-only credentials. */
  accessToken(): string | undefined {
    return this.auth.getAccessToken() || undefined;
  }

  /** Refreshes when the token is missing or expires within the SDK's five-minute margin. */
  async ensureFresh(): Promise<void> {
    if (!this.canRefresh) return;
    await this.singleFlight(() => (this.auth.checkAndRefreshAccessToken() as unknown as Promise<void>));
  }

  /**
   * Called after a 401 expired_access_token for a request sent with `staleToken`. Refreshes unless
   * another request already did; without a refresh token the user has to sign in again.
   */
  async refreshAfterExpiry(staleToken: string | undefined): Promise<void> {
    if (!this.canRefresh) throw new AuthError('The Dropbox sign-in expired');
    if (this.accessToken() !== staleToken) return;
    await this.singleFlight(() => (this.auth.refreshAccessToken() as unknown as Promise<void>));
  }

  private singleFlight(refresh: () => Promise<void>): Promise<void> {
    this.inFlight ??= this.runRefresh(refresh).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async runRefresh(refresh: () => Promise<void>): Promise<void> {
    const before = this.auth.getAccessToken();
    const beforeExpiry = this.auth.getAccessTokenExpiresAt();
    try {
      await refresh();
    } catch (err) {
      throw mapDropboxError(err, { route: 'oauth2/token', path: '' });
    }
    const after = this.auth.getAccessToken();
    if (after === before) return;
    // The SDK stores whatever the token endpoint sent without checking it.
    const expiresAt = this.auth.getAccessTokenExpiresAt();
    if (typeof after !== 'string' || after === '' || !(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
      this.auth.setAccessToken(before);
      this.auth.setAccessTokenExpiresAt(beforeExpiry);
      throw new InvalidResponseError('oauth2/token returned no usable access token');
    }
    this.onTokenRefreshed?.(after, expiresAt);
  }
}
