// Where the desktop app keeps sign-in tokens: the OS keychain; else a file encrypted with Electron's
// safeStorage (only when that is real encryption); never a plain file. If neither works, tokens stay
// in memory for this run and the UI shows why (the user must sign in again after a restart).
import { safeStorage } from 'electron';
import * as path from 'node:path';
import { EncryptedFileSecretStore, MemorySecretStore, openSecretStore, SecretStoreError, type SecretStore } from '../core/secrets/index.js';
import { safeStorageUsable } from './safeStoragePolicy.js';

export async function openAppSecretStore(userDataDir: string, log: (line: string) => void): Promise<SecretStore> {
  try {
    return await openSecretStore({
      allowFileFallback: false,
      onKeychainUnavailable: (reason) => log(`secrets: OS keychain unavailable: ${reason}`),
      encryptedFactory: () => {
        const usable = safeStorageUsable({
          platform: process.platform,
          isEncryptionAvailable: safeStorage.isEncryptionAvailable(),
          ...(process.platform === 'linux' ? { linuxBackend: safeStorage.getSelectedStorageBackend() } : {}),
        });
        if (!usable) return undefined;
        return new EncryptedFileSecretStore({ dir: path.join(userDataDir, 'secure'), cipher: safeStorage });
      },
    });
  } catch (err) {
    if (!(err instanceof SecretStoreError)) throw err;
    log(`secrets: ${err.message}`);
    return new MemorySecretStore(
      'No OS keychain or system encryption is available, so Twinfold keeps your Dropbox sign-in only while it runs: you will have to sign in again after a restart. Install and unlock a keyring (e.g. GNOME Keyring or KWallet) to fix this.',
    );
  }
}
