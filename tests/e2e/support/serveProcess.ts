// Runs `twinfold serve` as a child process the way a user does, with a private HOME, config folder
// and no D-Bus session (so the real keychain and ~/.config are never touched: tokens go to the
// file store inside --state), and reads the one `web ui: <url>` line it prints.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import type { TestContext } from 'node:test';
import { defer, startCli, type CliProcess } from '../../emulator/support.js';

export interface ServeRun {
  cli: CliProcess;
  /** The printed address with the session token. */
  url: string;
  port: number;
  token: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(nodePath.join(tmpdir(), `twinfold-${prefix}-`));
  // defer runs cleanups last-in first-out: processes started later stop before their folders go.
  defer(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The environment of a child that must not reach the user's keychain or config. */
export function isolatedEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    HOME: home,
    XDG_CONFIG_HOME: nodePath.join(home, '.config'),
    DBUS_SESSION_BUS_ADDRESS: 'disabled:',
    TWINFOLD_DROPBOX_TOKEN: undefined,
    TWINFOLD_DROPBOX_APP_KEY: undefined,
    ...extra,
  };
}

/** Starts `twinfold serve <args>` and waits for its `web ui:` line. */
export async function startServe(t: TestContext, args: string[], env: Record<string, string | undefined>): Promise<ServeRun> {
  const cli = startCli(t, ['serve', ...args], env);
  const line = await cli.waitForLine(/^web ui: /, 30_000);
  const url = line.slice('web ui: '.length);
  const parsed = new URL(url);
  return {
    cli,
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    async stop() {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
      return (await cli.exited).code;
    },
  };
}
