// One Dropbox request as the provider sees it: SDK call with a fresh token, cancellable through an
// AbortSignal, errors converted to ../../errors.ts, a single refresh-and-repeat after a 401
// expired_access_token, and the whole attempt wrapped in withRetry.
import { Dropbox } from 'dropbox';
import { withRetry, type RetryDeps, type RetryPolicy } from '../../transfer/retry.js';
import { DropboxTokens, type DropboxCredentials, type TokenRefreshedCallback } from './auth.js';
import { ExpiredTokenError, mapDropboxError, type ErrorContext } from './errorMapping.js';
import { runWithSignal, signalAwareFetch } from './signalScope.js';

export interface CallOptions extends ErrorContext {
  policy: RetryPolicy;
  signal?: AbortSignal;
}

export interface DropboxClientOptions {
  credentials: DropboxCredentials;
  fetch: typeof fetch;
  onTokenRefreshed?: TokenRefreshedCallback;
  retryDeps: RetryDeps;
  onRetry?: (err: Error, attempt: number, delayMs: number, ctx: ErrorContext) => void;
}

export class DropboxClient {
  readonly sdk: Dropbox;
  readonly tokens: DropboxTokens;
  /** The injected fetch, for requests the SDK cannot make well (streamed downloads). */
  readonly fetch: typeof fetch;

  constructor(private readonly options: DropboxClientOptions) {
    this.fetch = options.fetch;
    // Refreshes use the plain fetch: a refresh shared by several calls must not die with one caller's signal.
    this.tokens = new DropboxTokens(options.credentials, options.fetch, options.onTokenRefreshed);
    this.sdk = new Dropbox({ auth: this.tokens.auth, fetch: signalAwareFetch(options.fetch) });
  }

  /** Runs `fn` with retries according to `opts.policy`. `fn` may be called several times. */
  call<T>(opts: CallOptions, fn: (sdk: Dropbox) => Promise<T>): Promise<T> {
    const ctx: ErrorContext = { route: opts.route, path: opts.path };
    return withRetry(() => this.once(ctx, opts.signal, fn), opts.policy, this.options.retryDeps, {
      signal: opts.signal,
      onRetry: (err, attempt, delayMs) => this.options.onRetry?.(err, attempt, delayMs, ctx),
    });
  }

  /** One attempt, repeated once with a new token if the server says the token expired. */
  private async once<T>(ctx: ErrorContext, signal: AbortSignal | undefined, fn: (sdk: Dropbox) => Promise<T>): Promise<T> {
    for (let refreshed = false; ; refreshed = true) {
      await this.tokens.ensureFresh();
      const sentWith = this.tokens.accessToken();
      try {
        return await runWithSignal(signal, () => fn(this.sdk));
      } catch (err) {
        const mapped = mapDropboxError(err, ctx, signal);
        if (!(mapped instanceof ExpiredTokenError) || refreshed) throw mapped;
        await this.tokens.refreshAfterExpiry(sentWith);
      }
    }
  }
}
