// The headless-server cases, for real: with no D-Bus session at all, and with a private session bus
// that has no unlocked keyring, openKeychain reports a reason instead of throwing or hanging.
// Needs dbus-daemon (Debian: dbus); skips without it. Runs in its own process, which matters:
// libsecret keeps its first bus connection for the life of the process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { isUnavailable, openKeychain } from '../../src/main/core/secrets/keytarStore.js';

const SERVICE = `Twinfold-test-${randomUUID()}`;
const saved = { ...process.env };
let root: string;
let bus: ChildProcess | undefined;

/** Starts a session bus with an empty HOME; resolves to its address, or undefined without dbus-daemon. */
async function startPrivateBus(home: string): Promise<string | undefined> {
  const child = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    env: { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: path.join(home, 'runtime'), XDG_DATA_HOME: path.join(home, 'data') },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const failed = once(child, 'error').then(() => undefined);
  const firstLine = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) return line.trim();
    return undefined;
  })();
  const address = await Promise.race([failed, firstLine]);
  if (address) bus = child;
  return address;
}

describe('keychain on a machine without a usable Secret Service', () => {
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'twinfold-no-keyring-'));
    await fs.mkdir(path.join(root, 'runtime'), { mode: 0o700 });
  });
  after(async () => {
    process.env = saved;
    if (bus && bus.exitCode === null) {
      const exited = once(bus, 'exit');
      bus.kill();
      await exited;
    }
    await fs.rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  test('no session bus at all: unavailable, naming DBUS_SESSION_BUS_ADDRESS', { skip: process.platform !== 'linux' && 'Linux only' }, async () => {
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    // GLib also looks for $XDG_RUNTIME_DIR/bus (systemd user bus): point it at an empty folder.
    process.env.XDG_RUNTIME_DIR = path.join(root, 'runtime');
    const result = await openKeychain({ service: SERVICE });
    assert.ok(isUnavailable(result), 'expected no keychain without a session bus');
    assert.match(result.unavailable, /no D-Bus session bus is running/);
  });

  test('a session bus without an unlocked keyring: unavailable, naming the Secret Service', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
    const home = path.join(root, 'home');
    await fs.mkdir(home, { mode: 0o700 });
    const address = await startPrivateBus(home);
    if (!address) return t.skip('dbus-daemon not found (Debian: apt-get install dbus)');
    process.env.DBUS_SESSION_BUS_ADDRESS = address;
    // Where gnome-keyring is installed, the bus starts it on demand; it finds no login keyring and
    // no prompter, so the probe's write fails. Elsewhere nothing provides the name at all.
    const result = await openKeychain({ service: SERVICE, probeTimeoutMs: 30_000 });
    assert.ok(isUnavailable(result), 'expected no usable keychain on a bare session bus');
    assert.match(result.unavailable, /no unlocked Secret Service keyring/);
  });
});
