// The one error type secret stores throw. Messages are written for the user (what is wrong, how to
// fix it) and, by construction, never contain a secret: callers pass only paths, codes and reasons.

export type SecretStoreErrorCode =
  /** Bad account or secret argument (a programming error in the caller). */
  | 'invalid-argument'
  /** The secrets file or its folder can be read or replaced by other users. */
  | 'insecure-permissions'
  /** The secrets file or its folder belongs to another user. */
  | 'wrong-owner'
  /** The secrets file exists but is not what Twinfold writes. */
  | 'corrupt'
  /** The file system refused to read or write the secrets file. */
  | 'io'
  /** The OS keychain failed an operation after it was found to work. */
  | 'keychain'
  /** No store is usable in this environment. */
  | 'unavailable';

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';

  constructor(
    readonly code: SecretStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
