// In-memory SecretStore for tests and for code paths that must not touch the user's keychain.
import { checkAccount, checkSecret, type SecretStore } from './secretStore.js';

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  // A private field keeps the secrets out of console.log / util.inspect of the store.
  readonly #secrets = new Map<string, string>();

  constructor(readonly warning?: string) {}

  async get(account: string): Promise<string | undefined> {
    checkAccount(account);
    return this.#secrets.get(account);
  }

  async set(account: string, secret: string): Promise<void> {
    checkAccount(account);
    checkSecret(secret);
    this.#secrets.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    checkAccount(account);
    return this.#secrets.delete(account);
  }

  async list(): Promise<string[]> {
    return [...this.#secrets.keys()].sort();
  }
}
