// Choosing where tokens live: the keychain probe turns every keytar failure into a reason (never a
// throw), and openSecretStore falls back keychain -> Electron encrypted store -> file, in that order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  explainKeychainError,
  isUnavailable,
  openKeychain,
  PROBE_ACCOUNT,
  type KeytarApi,
} from '../../src/main/core/secrets/keytarStore.js';
import { openSecretStore } from '../../src/main/core/secrets/openSecretStore.js';
import { MemorySecretStore } from '../../src/main/core/secrets/memoryStore.js';
import { FileSecretStore } from '../../src/main/core/secrets/fileStore.js';
import { SecretStoreError } from '../../src/main/core/secrets/errors.js';
import { SECRET_SERVICE, type SecretStore } from '../../src/main/core/secrets/secretStore.js';

/** keytar's behaviour over a Map, with hooks to make single calls fail the way libsecret does. */
class FakeKeytar implements KeytarApi {
  readonly entries = new Map<string, string>();
  readonly calls: string[] = [];
  failOn: Partial<Record<keyof KeytarApi, Error>> = {};
  hang = false;
  lie = false;

  private async step(name: keyof KeytarApi, service: string): Promise<void> {
    this.calls.push(`${name}:${service}`);
    if (this.hang) await new Promise<never>(() => undefined);
    const err = this.failOn[name];
    if (err) throw err;
  }
  async getPassword(service: string, account: string) {
    await this.step('getPassword', service);
    if (this.lie) return 'something else';
    return this.entries.get(`${service}/${account}`) ?? null;
  }
  async setPassword(service: string, account: string, password: string) {
    await this.step('setPassword', service);
    this.entries.set(`${service}/${account}`, password);
  }
  async deletePassword(service: string, account: string) {
    await this.step('deletePassword', service);
    return this.entries.delete(`${service}/${account}`);
  }
  async findCredentials(service: string) {
    await this.step('findCredentials', service);
    return [...this.entries]
      .filter(([key]) => key.startsWith(`${service}/`))
      .map(([key, password]) => ({ account: key.slice(service.length + 1), password }));
  }
}

async function openWith(fake: FakeKeytar, timeoutMs = 1000) {
  return openKeychain({ loadKeytar: async () => fake, probeTimeoutMs: timeoutMs });
}

describe('openKeychain', () => {
  test('a working keychain: probes read and write under "Twinfold", then leaves no probe entry', async () => {
    const fake = new FakeKeytar();
    const result = await openWith(fake);
    assert.ok(!isUnavailable(result));
    assert.equal(result.kind, 'keychain');
    assert.equal(result.warning, undefined);
    assert.deepEqual(fake.calls, ['findCredentials', 'setPassword', 'getPassword', 'deletePassword'].map((c) => `${c}:${SECRET_SERVICE}`));
    assert.equal(fake.entries.size, 0);
  });

  test('the opened store maps null to undefined and hides a probe entry left by a crash', async () => {
    const fake = new FakeKeytar();
    const store = (await openWith(fake)) as SecretStore;
    fake.entries.set(`${SECRET_SERVICE}/${PROBE_ACCOUNT}`, 'left over');
    await store.set('dbid:B', 'b');
    await store.set('dbid:A', 'a');
    assert.deepEqual(await store.list(), ['dbid:A', 'dbid:B']);
    assert.equal(await store.get('dbid:NONE'), undefined);
    assert.equal(await store.delete('dbid:A'), true);
  });

  test('a missing or broken native module is a reason, not a throw', async () => {
    const result = await openKeychain({
      loadKeytar: async () => {
        throw new Error("Cannot find module '../build/Release/keytar.node'");
      },
    });
    assert.ok(isUnavailable(result));
    assert.match(result.unavailable, /keytar native module could not be loaded \[Cannot find module/);
  });

  const probeFailures: Array<[string, keyof KeytarApi, string, RegExp]> = [
    ['no session bus', 'findCredentials', 'Cannot autolaunch D-Bus without X11 $DISPLAY', /no D-Bus session bus is running \(DBUS_SESSION_BUS_ADDRESS is not set\)/],
    ['no Secret Service', 'findCredentials', 'The name org.freedesktop.secrets was not provided by any .service files', /no unlocked Secret Service keyring/],
    // What an activated gnome-keyring with no login keyring and no prompter answers to a write.
    ['no writable collection', 'setPassword', 'Object does not exist at path “/org/freedesktop/secrets/collection/login”', /no unlocked Secret Service keyring/],
    ['anything else', 'getPassword', 'The user name or passphrase you entered is not correct.', /the OS keychain failed \[The user name/],
  ];
  for (const [what, call, message, reason] of probeFailures) {
    test(`probe failure (${what}) becomes a readable reason`, async () => {
      const fake = new FakeKeytar();
      fake.failOn[call] = new Error(message);
      const result = await openWith(fake);
      assert.ok(isUnavailable(result), 'expected the keychain to be reported unavailable');
      assert.match(result.unavailable, reason);
      assert.ok(result.unavailable.includes(message), 'the original error is kept for support');
    });
  }

  test('a keychain that returns something else than was stored is unavailable', async () => {
    const fake = new FakeKeytar();
    fake.lie = true;
    const result = await openWith(fake);
    assert.ok(isUnavailable(result));
    assert.match(result.unavailable, /did not return the value just stored/);
  });

  test('a probe that never answers times out with a reason', async () => {
    const fake = new FakeKeytar();
    fake.hang = true;
    const result = await openWith(fake, 30);
    assert.ok(isUnavailable(result));
    assert.match(result.unavailable, /did not answer within 30 ms/);
  });

  test('failures after opening are SecretStoreErrors that do not contain the secret', async () => {
    const fake = new FakeKeytar();
    const store = (await openWith(fake)) as SecretStore;
    fake.failOn.setPassword = new Error('Cannot create an item in a locked collection');
    await assert.rejects(store.set('dbid:A', 'sl.TOPSECRET'), (err: unknown) => {
      assert.ok(err instanceof SecretStoreError);
      assert.equal(err.code, 'keychain');
      assert.match(err.message, /could not store a token: .*locked collection/);
      assert.ok(!err.message.includes('TOPSECRET'));
      return true;
    });
  });
});

describe('explainKeychainError', () => {
  const rows: Array<[unknown, RegExp]> = [
    [new Error('Unable to autolaunch a dbus-daemon without a $DISPLAY for X11'), /^no D-Bus session bus/],
    [new Error('GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable'), /^no unlocked Secret Service/],
    ['a plain string', /^the OS keychain failed \[a plain string\]$/],
  ];
  for (const [err, expected] of rows) {
    test(String(err), () => assert.match(explainKeychainError(err), expected));
  }
});

describe('openSecretStore', () => {
  let base: string;
  before(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'twinfold-secrets-open-'));
  });
  after(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  const keychain = new MemorySecretStore();
  const noKeychain = async () => ({ unavailable: 'no D-Bus session bus is running' });
  const encrypted: SecretStore = new MemorySecretStore('stored encrypted by Electron');

  test('uses the keychain when it works, without asking for fallbacks', async () => {
    let factoryCalls = 0;
    const store = await openSecretStore({
      allowFileFallback: true,
      openKeychain: async () => keychain,
      encryptedFactory: () => {
        factoryCalls++;
        return encrypted;
      },
    });
    assert.equal(store, keychain);
    assert.equal(factoryCalls, 0);
  });

  test('falls back to the Electron encrypted store and reports why', async () => {
    const reasons: string[] = [];
    const store = await openSecretStore({
      allowFileFallback: true,
      openKeychain: noKeychain,
      encryptedFactory: () => encrypted,
      onKeychainUnavailable: (r) => reasons.push(r),
    });
    assert.equal(store, encrypted);
    assert.deepEqual(reasons, ['no D-Bus session bus is running']);
  });

  test('falls back to the file, with its warning, when encryption is unavailable and files are allowed', async () => {
    const dir = path.join(base, 'cfg', 'twinfold');
    const store = await openSecretStore({ allowFileFallback: true, fileDir: dir, openKeychain: noKeychain, encryptedFactory: () => undefined });
    assert.ok(store instanceof FileSecretStore);
    assert.equal(store.kind, 'plain-file');
    assert.equal(store.warning, `No OS keychain was found; tokens are stored in ${path.join(dir, 'secrets.json')}, readable only by you.`);
  });

  test('refuses with the keychain reason when nothing safe is left', async () => {
    await assert.rejects(openSecretStore({ allowFileFallback: false, openKeychain: noKeychain }), (err: unknown) => {
      assert.ok(err instanceof SecretStoreError);
      assert.equal(err.code, 'unavailable');
      assert.match(err.message, /no OS keychain is available \(no D-Bus session bus is running\)/);
      return true;
    });
  });
});
