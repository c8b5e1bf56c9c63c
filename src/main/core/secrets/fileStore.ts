// The bare-server fallback: tokens in a JSON file only the user can read (file 0600 in a 0700
// folder). Used only when there is no OS keychain and the caller allows it (daemon, CLI); the store
// carries a warning the caller must show. Refuses files other users could read, write or own.
import { constants, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { replaceFile } from '../local/replaceFile.js';
import { SecretStoreError } from './errors.js';
import { checkAccount, checkSecret, type SecretStore } from './secretStore.js';
import { errorMessage } from '../errors.js';

export const SECRETS_FILE_NAME = 'secrets.json';
const FORMAT_VERSION = 1;

/** `$XDG_CONFIG_HOME/twinfold`, or `~/.config/twinfold` when that is unset or not absolute (per the XDG spec). */
export function defaultSecretsDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
  return path.join(base, 'twinfold');
}

// Modes and owners mean nothing comparable on Windows, where this fallback is not expected anyway
// (Credential Manager is always there).
const posix = process.platform !== 'win32';

function currentUid(): number | undefined {
  return posix && process.getuid ? process.getuid() : undefined;
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function ioError(what: string, file: string, err: unknown): SecretStoreError {
  // fs messages name the syscall and the path, never file contents.
  const detail = errorMessage(err);
  return new SecretStoreError('io', `Could not ${what} ${file}: ${detail}`);
}

export class FileSecretStore implements SecretStore {
  readonly kind = 'plain-file' as const;
  readonly dir: string;
  readonly path: string;
  readonly warning: string;
  // Every operation is read-modify-write of one file; running them one at a time in this process
  // keeps concurrent set() calls from losing each other's updates.
  #tail: Promise<unknown> = Promise.resolve();

  constructor(dir: string = defaultSecretsDir()) {
    this.dir = path.resolve(dir);
    this.path = path.join(this.dir, SECRETS_FILE_NAME);
    this.warning = `No OS keychain was found; tokens are stored in ${this.path}, readable only by you.`;
  }

  async get(account: string): Promise<string | undefined> {
    checkAccount(account);
    return this.#exclusive(async () => (await this.#read()).get(account));
  }

  async set(account: string, secret: string): Promise<void> {
    checkAccount(account);
    checkSecret(secret);
    return this.#exclusive(async () => {
      const secrets = await this.#read();
      secrets.set(account, secret);
      await this.#write(secrets);
    });
  }

  async delete(account: string): Promise<boolean> {
    checkAccount(account);
    return this.#exclusive(async () => {
      const secrets = await this.#read();
      if (!secrets.delete(account)) return false;
      await this.#write(secrets);
      return true;
    });
  }

  async list(): Promise<string[]> {
    return this.#exclusive(async () => [...(await this.#read()).keys()].sort());
  }

  #exclusive<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(op);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  #checkFile(st: Stats): void {
    if (!st.isFile()) {
      throw new SecretStoreError('corrupt', `${this.path} is not a regular file. Remove it and sign in again.`);
    }
    const uid = currentUid();
    if (uid !== undefined && st.uid !== uid) {
      throw new SecretStoreError(
        'wrong-owner',
        `${this.path} belongs to user id ${st.uid}, not to you (user id ${uid}), so Twinfold will not trust it. Remove it and sign in again.`,
      );
    }
    if (posix && (st.mode & 0o077) !== 0) {
      throw new SecretStoreError(
        'insecure-permissions',
        `${this.path} has permissions ${octal(st.mode)}, which let other users access your tokens, so Twinfold will not use it. ` +
          `Fix it with: chmod 600 '${this.path}'. If others may have read it, also disconnect Twinfold in your Dropbox account's security settings and sign in again.`,
      );
    }
  }

  async #read(): Promise<Map<string, string>> {
    let handle: fs.FileHandle;
    try {
      // O_NOFOLLOW: a symlink planted here must not redirect us to another file.
      handle = await fs.open(this.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return new Map();
      if (errnoCode(err) === 'ELOOP') {
        throw new SecretStoreError('insecure-permissions', `${this.path} is a symbolic link; Twinfold only reads a regular file there. Remove the link and sign in again.`);
      }
      throw ioError('open', this.path, err);
    }
    try {
      // Checked on the open descriptor, so the file cannot be swapped between check and read.
      this.#checkFile(await handle.stat());
      return this.#parse(await handle.readFile('utf8'));
    } catch (err) {
      if (err instanceof SecretStoreError) throw err;
      throw ioError('read', this.path, err);
    } finally {
      await handle.close();
    }
  }

  // Parser messages can quote the file's text (and so a token); only our own words go in errors.
  #parse(text: string): Map<string, string> {
    const corrupt = (why: string) =>
      new SecretStoreError('corrupt', `${this.path} ${why}, so the saved tokens cannot be read. Move it aside or delete it, then sign in again.`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw corrupt('is not valid JSON');
    }
    const root = doc as { version?: unknown; secrets?: unknown } | null;
    if (typeof root !== 'object' || root === null || root.version !== FORMAT_VERSION) {
      throw corrupt(`is not a version ${FORMAT_VERSION} Twinfold secrets file`);
    }
    const entries = root.secrets;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw corrupt('has no "secrets" object');
    const secrets = new Map<string, string>();
    for (const [account, secret] of Object.entries(entries)) {
      if (typeof secret !== 'string') throw corrupt('holds a secret that is not a string');
      secrets.set(account, secret);
    }
    return secrets;
  }

  async #ensureDir(): Promise<void> {
    try {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      const st = await fs.stat(this.dir);
      const uid = currentUid();
      if (uid !== undefined && st.uid !== uid) {
        throw new SecretStoreError('wrong-owner', `${this.dir} belongs to user id ${st.uid}, not to you (user id ${uid}); Twinfold will not store tokens there.`);
      }
      // An existing folder (e.g. created earlier for settings) may be 0755: tighten it, it is ours.
      if (posix && (st.mode & 0o077) !== 0) await fs.chmod(this.dir, 0o700);
    } catch (err) {
      if (err instanceof SecretStoreError) throw err;
      throw ioError('prepare the folder', this.dir, err);
    }
  }

  // Replaced atomically: a crash leaves either the old file or the new one, never half of one.
  async #write(secrets: Map<string, string>): Promise<void> {
    await this.#ensureDir();
    if (secrets.size === 0) {
      // Signing out of the last account leaves no tokens file behind.
      await fs.rm(this.path, { force: true }).catch((err: unknown) => {
        throw ioError('remove', this.path, err);
      });
      await this.#syncDir();
      return;
    }
    const sorted = [...secrets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const text = `${JSON.stringify({ version: FORMAT_VERSION, secrets: Object.fromEntries(sorted) }, null, 2)}\n`;
    try {
      // The umask can only remove bits from 0600, but set the exact mode before any byte of a token lands.
      // The folder is flushed below, where a failure is an error (as after a removal).
      await replaceFile(this.path, text, { mode: 0o600, exactMode: true, syncDir: false });
    } catch (err) {
      throw ioError('write', this.path, err);
    }
    await this.#syncDir();
  }

  // Makes the rename itself durable. Windows cannot open a directory for fsync; skip it there.
  async #syncDir(): Promise<void> {
    if (!posix) return;
    try {
      const dirHandle = await fs.open(this.dir, constants.O_RDONLY);
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch (err) {
      throw ioError('flush the folder', this.dir, err);
    }
  }
}

export function openFileStore(dir?: string): FileSecretStore {
  return new FileSecretStore(dir);
}
