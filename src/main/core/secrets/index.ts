// Where sign-in tokens live: the public surface of the secrets module, for the app shell and the CLI.
export { SECRET_SERVICE, type SecretStore, type SecretStoreKind } from './secretStore.js';
export { SecretStoreError, type SecretStoreErrorCode } from './errors.js';
export { MemorySecretStore } from './memoryStore.js';
export { openKeychain, isUnavailable, type KeychainUnavailable, type OpenKeychainOptions } from './keytarStore.js';
export { FileSecretStore, openFileStore, defaultSecretsDir } from './fileStore.js';
export { openSecretStore, type OpenSecretStoreOptions } from './openSecretStore.js';
export { EncryptedFileSecretStore, type StringCipher, type EncryptedFileSecretStoreOptions } from './encryptedFileStore.js';
