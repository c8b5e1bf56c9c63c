// The desktop fallback when the OS keychain is unavailable: each token encrypted with the OS's safe
// storage (Electron safeStorage, passed in as a cipher since core never imports electron), kept in a
// user-only JSON file. The file handling (0600 in 0700, atomic replace, refusing insecure or foreign
// files) is FileSecretStore's, reused as is: this store only seals values before they reach it.
import { SecretStoreError } from './errors.js';
import { FileSecretStore } from './fileStore.js';
import { checkAccount, checkSecret, type SecretStore } from './secretStore.js';

/** What Electron's safeStorage offers; tests pass an AES-GCM cipher. */
export interface StringCipher {
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** Versioned prefix: a plain token pasted into the file is refused rather than "decrypted". */
const SEALED_PREFIX = 'enc1:';

export interface EncryptedFileSecretStoreOptions {
  /** A folder of its own (e.g. `<userData>/secure`); the file inside is `secrets.json`. */
  dir: string;
  cipher: StringCipher;
}

export class EncryptedFileSecretStore implements SecretStore {
  readonly kind = 'encrypted-file' as const;
  readonly warning: string;
  readonly path: string;
  readonly #file: FileSecretStore;
  readonly #cipher: StringCipher;

  constructor(opts: EncryptedFileSecretStoreOptions) {
    this.#file = new FileSecretStore(opts.dir);
    this.#cipher = opts.cipher;
    this.path = this.#file.path;
    this.warning = `The OS keychain was unavailable, so your Dropbox sign-in is encrypted with the system's safe storage and kept in ${this.path}, readable only by you.`;
  }

  async get(account: string): Promise<string | undefined> {
    checkAccount(account);
    const sealed = await this.#file.get(account);
    return sealed === undefined ? undefined : this.#open(sealed);
  }

  async set(account: string, secret: string): Promise<void> {
    checkAccount(account);
    checkSecret(secret);
    let encrypted: Buffer;
    try {
      encrypted = this.#cipher.encryptString(secret);
    } catch (err) {
      // safeStorage messages describe the backend, never the input; keep only our words anyway.
      throw new SecretStoreError('unavailable', `The system's safe storage could not encrypt the token (${err instanceof Error ? err.name : 'error'}).`);
    }
    await this.#file.set(account, SEALED_PREFIX + encrypted.toString('base64'));
  }

  delete(account: string): Promise<boolean> {
    return this.#file.delete(account);
  }

  list(): Promise<string[]> {
    return this.#file.list();
  }

  #open(sealed: string): string {
    const corrupt = (why: string) =>
      new SecretStoreError('corrupt', `${this.path} holds a token that ${why}. Sign in again; if this keeps happening, delete the file first.`);
    if (!sealed.startsWith(SEALED_PREFIX)) throw corrupt('was not encrypted by Twinfold');
    const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
    let plain: string;
    try {
      plain = this.#cipher.decryptString(bytes);
    } catch {
      // Another user's or machine's key, or a damaged file: the token is gone either way.
      throw corrupt('cannot be decrypted with this system account');
    }
    if (plain.length === 0) throw corrupt('decrypted to nothing');
    return plain;
  }
}
