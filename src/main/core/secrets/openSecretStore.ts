// Picks where tokens live, in the product's order: the OS keychain; else the encrypted store the
// Electron shell provides (core cannot import electron, so the shell passes a factory); else, only
// where the caller allows it (daemon, CLI), a user-only file. Fallbacks carry a `warning` to show.
import { SecretStoreError } from './errors.js';
import { FileSecretStore } from './fileStore.js';
import { isUnavailable, openKeychain, type KeychainUnavailable } from './keytarStore.js';
import type { SecretStore } from './secretStore.js';

export interface OpenSecretStoreOptions {
  /** The daemon and CLI allow the plain file on bare servers; the desktop app does not. */
  allowFileFallback: boolean;
  /** Folder of the secrets file; defaults to `$XDG_CONFIG_HOME/twinfold`. */
  fileDir?: string;
  /** Electron safeStorage-backed store, or undefined when encryption is not available. */
  encryptedFactory?: () => SecretStore | undefined;
  /** Told why the keychain was skipped, for the log (the reason never contains a secret). */
  onKeychainUnavailable?: (reason: string) => void;
  /** Opens the keychain; tests substitute it to exercise the fallback order. */
  openKeychain?: () => Promise<SecretStore | KeychainUnavailable>;
}

export async function openSecretStore(opts: OpenSecretStoreOptions): Promise<SecretStore> {
  const keychain = await (opts.openKeychain ?? openKeychain)();
  if (!isUnavailable(keychain)) return keychain;
  opts.onKeychainUnavailable?.(keychain.unavailable);

  const encrypted = opts.encryptedFactory?.();
  if (encrypted) return encrypted;

  if (opts.allowFileFallback) return new FileSecretStore(opts.fileDir);

  throw new SecretStoreError(
    'unavailable',
    `Twinfold cannot store your sign-in safely here: no OS keychain is available (${keychain.unavailable}) and no encrypted storage was offered.`,
  );
}
