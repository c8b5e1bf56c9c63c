// When Electron's safeStorage counts as real encryption for the keychain fallback. On Linux with
// no keyring Chromium falls back to 'basic_text', a fixed hard-coded key: that is obfuscation, not
// protection, so it is treated as unavailable (and the app says it cannot store the sign-in safely).
export interface SafeStorageFacts {
  platform: NodeJS.Platform;
  isEncryptionAvailable: boolean;
  /** safeStorage.getSelectedStorageBackend() on Linux; ignored elsewhere. */
  linuxBackend?: string;
}

export function safeStorageUsable(f: SafeStorageFacts): boolean {
  if (!f.isEncryptionAvailable) return false;
  if (f.platform !== 'linux') return true;
  return f.linuxBackend !== undefined && f.linuxBackend !== 'basic_text' && f.linuxBackend !== 'unknown';
}
