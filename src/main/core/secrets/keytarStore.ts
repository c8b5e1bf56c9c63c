// Tokens in the OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on
// Linux) through keytar. keytar is a native module: it may fail to load, and on a headless Linux box
// it may find no D-Bus session or no unlocked keyring. So it is loaded lazily and probed once, and
// every such failure becomes a readable reason instead of a native error thrown at the user.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../errors.js';
import { SecretStoreError } from './errors.js';
import { checkAccount, checkSecret, SECRET_SERVICE, type SecretStore } from './secretStore.js';

/** The part of keytar this module uses; tests substitute fakes to drive the failure paths. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export interface OpenKeychainOptions {
  /** Keychain service name; tests pass their own so they never touch the user's real entries. */
  service?: string;
  /** How long the probe may take. A locked desktop keyring may show an unlock prompt meanwhile. */
  probeTimeoutMs?: number;
  /** Loads keytar; defaults to requiring the installed native module. */
  loadKeytar?: () => Promise<KeytarApi>;
}

export type KeychainUnavailable = { unavailable: string };

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** Written and removed again by the probe; hidden from list() in case a crash left it behind. */
export const PROBE_ACCOUNT = '.twinfold-keychain-probe';

async function requireKeytar(): Promise<KeytarApi> {
  // createRequire rather than a static import: loading the native binary is what fails on broken
  // installs, and that must happen here, inside the try, not when this file is imported.
  const require = createRequire(import.meta.url);
  return require('keytar') as KeytarApi;
}

/** Turns libsecret / D-Bus errors into what the user should check, keeping the original for support. */
export function explainKeychainError(err: unknown): string {
  const raw = errorMessage(err);
  if (/autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Unable to autolaunch/i.test(raw)) {
    return `no D-Bus session bus is running (DBUS_SESSION_BUS_ADDRESS is not set) [${raw}]`;
  }
  if (/org\.freedesktop\.secrets|\/org\/freedesktop\/secrets\/collection|ServiceUnknown/i.test(raw)) {
    return `no unlocked Secret Service keyring (gnome-keyring, KWallet, KeePassXC) is available on the session bus [${raw}]`;
  }
  return `the OS keychain failed [${raw}]`;
}

class ProbeTimeout extends Error {}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// A read alone is not enough: a Secret Service started by D-Bus activation answers searches but
// has no unlocked collection to write to, so sign-in would fail later. Store, read back, remove.
async function probe(keytar: KeytarApi, service: string): Promise<void> {
  await keytar.findCredentials(service);
  const marker = randomUUID();
  await keytar.setPassword(service, PROBE_ACCOUNT, marker);
  const readBack = await keytar.getPassword(service, PROBE_ACCOUNT);
  await keytar.deletePassword(service, PROBE_ACCOUNT);
  if (readBack !== marker) throw new Error('the keychain did not return the value just stored');
}

class KeytarSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;

  constructor(
    private readonly keytar: KeytarApi,
    private readonly service: string,
  ) {}

  async get(account: string): Promise<string | undefined> {
    checkAccount(account);
    const found = await this.call('read a token', () => this.keytar.getPassword(this.service, account));
    return found ?? undefined;
  }

  async set(account: string, secret: string): Promise<void> {
    checkAccount(account);
    checkSecret(secret);
    await this.call('store a token', () => this.keytar.setPassword(this.service, account, secret));
  }

  async delete(account: string): Promise<boolean> {
    checkAccount(account);
    return this.call('remove a token', () => this.keytar.deletePassword(this.service, account));
  }

  async list(): Promise<string[]> {
    const found = await this.call('list tokens', () => this.keytar.findCredentials(this.service));
    return found
      .map((c) => c.account)
      .filter((a) => a !== PROBE_ACCOUNT)
      .sort();
  }

  // The native messages come from libsecret / the OS and describe the failure, never the password.
  private async call<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new SecretStoreError('keychain', `The OS keychain could not ${what}: ${explainKeychainError(err)}`);
    }
  }
}

/** The OS keychain when it loads and works here, else why not (never throws). */
export async function openKeychain(opts: OpenKeychainOptions = {}): Promise<SecretStore | KeychainUnavailable> {
  const service = opts.service ?? SECRET_SERVICE;
  const timeoutMs = opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  let keytar: KeytarApi;
  try {
    keytar = await (opts.loadKeytar ?? requireKeytar)();
  } catch (err) {
    return { unavailable: `the keytar native module could not be loaded [${errorMessage(err)}]` };
  }
  try {
    await withTimeout(probe(keytar, service), timeoutMs);
  } catch (err) {
    if (err instanceof ProbeTimeout) {
      return { unavailable: `the OS keychain did not answer within ${timeoutMs} ms (locked, or waiting for an unlock prompt?)` };
    }
    return { unavailable: explainKeychainError(err) };
  }
  return new KeytarSecretStore(keytar, service);
}

export function isUnavailable(result: SecretStore | KeychainUnavailable): result is KeychainUnavailable {
  return 'unavailable' in result;
}
