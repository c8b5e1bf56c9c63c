// The contract for where sign-in tokens live: one interface that the OS keychain, the Electron
// encrypted store, the bare-server file and the in-memory test double all implement, plus the
// argument checks they share so every backend accepts and refuses the same inputs.
import { SecretStoreError } from './errors.js';

/** Service name every backend files Twinfold's entries under (keychain "service", file namespace). */
export const SECRET_SERVICE = 'Twinfold';

export type SecretStoreKind = 'keychain' | 'encrypted-file' | 'plain-file' | 'memory';

/**
 * Secrets keyed by account (e.g. a Dropbox account id). The secret is an opaque string the caller
 * defines (a JSON document). Implementations never put a secret into an error message or a log.
 */
export interface SecretStore {
  readonly kind: SecretStoreKind;
  /** Set when the store is a fallback the user should be told about; show it, don't log it away. */
  readonly warning?: string;
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  /** True when an entry existed and was removed. */
  delete(account: string): Promise<boolean>;
  /** Accounts with a stored secret, sorted. */
  list(): Promise<string[]>;
}

// Accounts end up as keychain attributes and JSON keys; ids are short, so a generous cap only
// stops obvious misuse (e.g. a token passed as the account by mistake).
const MAX_ACCOUNT_LENGTH = 512;

export function checkAccount(account: unknown): asserts account is string {
  if (typeof account !== 'string' || account.length === 0) {
    throw new SecretStoreError('invalid-argument', 'The account name must be a non-empty string.');
  }
  if (account.length > MAX_ACCOUNT_LENGTH || account.includes('\0')) {
    throw new SecretStoreError('invalid-argument', `The account name must be at most ${MAX_ACCOUNT_LENGTH} characters and contain no NUL.`);
  }
}

// keytar refuses empty passwords and hands strings to C APIs, where a NUL would silently cut the
// secret short; refusing both everywhere keeps backends interchangeable. The value is never echoed.
export function checkSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string' || secret.length === 0 || secret.includes('\0')) {
    throw new SecretStoreError('invalid-argument', 'The secret must be a non-empty string without NUL characters.');
  }
}
