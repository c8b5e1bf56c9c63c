// Turns what the sign-in and browse code throws into the CallFailure the UI shows: the right code
// for the UI to react to, and a message for people that never holds a secret.
import { AuthError, InvalidResponseError, NetworkError, RateLimitError, RemoteNotFoundError, ServerError, SyncError, redactSecrets, errorMessage } from '../core/errors.js';
import { AppKeyRejectedError, InvalidCodeError, OAuthSetupError } from '../core/remote/dropbox/oauth.js';
import { SecretStoreError } from '../core/secrets/index.js';
import { CallFailure } from './types.js';

export function toCallFailure(err: unknown): CallFailure {
  if (err instanceof CallFailure) return err;
  const message = redactSecrets(errorMessage(err));
  // The user typed something wrong: a code, an app key, a path.
  if (err instanceof InvalidCodeError || err instanceof AppKeyRejectedError || err instanceof OAuthSetupError) return new CallFailure('bad_request', message);
  if (err instanceof AuthError) return new CallFailure('auth', message);
  if (err instanceof RemoteNotFoundError) return new CallFailure('not_found', message);
  if (err instanceof NetworkError || err instanceof ServerError || err instanceof RateLimitError || err instanceof InvalidResponseError) {
    return new CallFailure('unavailable', message);
  }
  if (err instanceof SyncError) return new CallFailure('bad_request', message);
  if (err instanceof SecretStoreError) return new CallFailure('internal', message);
  return new CallFailure('internal', `Something went wrong: ${message}`);
}
