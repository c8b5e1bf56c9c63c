// Shared helpers for the emulator tests: an emulator per test (closed afterwards), an SDK client
// pointed at it, route-error capture, temp dirs, and running the `twinfold` CLI as a child process
// both from TypeScript sources (npx tsx --test) and from the compiled tree (dist/).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TestContext } from 'node:test';
import { Dropbox, DropboxResponseError } from 'dropbox';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';

export const TOKEN = 'test-token';

const cleanups = new WeakMap<TestContext, (() => unknown)[]>();

/** Registers cleanup for the end of the test; runs last-in first-out, so servers close before their temp dirs go. */
export function defer(t: TestContext, cleanup: () => unknown): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const fresh: (() => unknown)[] = [];
    cleanups.set(t, fresh);
    t.after(async () => {
      for (const fn of fresh.reverse()) await fn();
    });
    stack = fresh;
  }
  stack.push(cleanup);
}

export interface Harness {
  emu: Emulator;
  dbx: Dropbox;
  /** Raw HTTP to the emulator: `api('/2/users/get_current_account', {...})`. */
  api(path: string, init?: RequestInit): Promise<Response>;
}

export async function startHarness(t: TestContext, opts: EmulatorOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ accessTokens: [TOKEN], ...opts });
  defer(t, () => emu.close());
  return {
    emu,
    dbx: new Dropbox({ accessToken: TOKEN, fetch: rewritingFetch(emu.url) }),
    api: (path, init) => fetch(`${emu.url}${path}`, init),
  };
}

export interface CapturedError {
  status: number;
  // The SDK types the error body loosely; tests look into it with plain property access.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  error: any;
}

/** The error a call fails with; fails the test if the call succeeds or fails otherwise. */
export async function failure(call: Promise<unknown>): Promise<CapturedError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof DropboxResponseError) return { status: err.status, error: err.error };
    throw err;
  }
  assert.fail('expected the call to fail');
}

/** Asserts a 409 whose error_summary starts with `chain/` and returns the error union. */
export async function routeError(call: Promise<unknown>, chain: string): Promise<Record<string, unknown>> {
  const { status, error } = await failure(call);
  assert.equal(status, 409, `expected 409, got ${status}: ${JSON.stringify(error)}`);
  assert.match(error.error_summary, new RegExp(`^${chain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.{0,3}$`), JSON.stringify(error));
  return error.error;
}

// Bodies of raw responses are inspected field by field in the tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function jsonOf(res: Response): Promise<Json> {
  return res.json();
}

export async function tempDir(t: TestContext, prefix = 'twinfold-emu-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Bytes of a given size with a recognisable, non-repeating-per-block pattern. */
export function patternBytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >>> 16;
  }
  return out;
}

// ---- the CLI as a child process ------------------------------------------------------------

const here = fileURLToPath(import.meta.url);
/** Compiled tests live in dist/tests/emulator/, sources in tests/emulator/. */
const compiled = here.endsWith('.js');
export const repoRoot = resolve(dirname(here), compiled ? '../../..' : '../..');

/** How to run `twinfold <args>`: bin/twinfold.js over dist/ when compiled, the TS sources through tsx otherwise. */
export function cliCommand(args: string[]): [string, string[]] {
  if (compiled) return [process.execPath, [join(repoRoot, 'bin/twinfold.js'), ...args]];
  const entry = pathToFileURL(join(repoRoot, 'src/main/cli/index.ts')).href;
  const script = `const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(process.argv.slice(1));`;
  return [process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args]];
}

export interface CliProcess {
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  stderr(): string;
  /** Resolves with the first stdout line matching `re` (rejects if the process exits first). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `env` entries are added to this process's environment (an undefined value removes one). */
export function startCli(t: TestContext, args: string[], env?: Record<string, string | undefined>): CliProcess {
  const [cmd, argv] = cliCommand(args);
  const child = spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: env && { ...process.env, ...env } });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  const waiters = new Set<{ re: RegExp; resolve: (line: string) => void }>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters) if (w.re.test(line)) w.resolve(line);
  });
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine(re, timeoutMs = 20_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolveLine, reject) => {
        const waiter = {
          re,
          resolve: (line: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolveLine(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no line matching ${re} within ${timeoutMs} ms; stdout: ${lines.join('\n')}; stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then(({ code, signal }) => {
          if (!waiters.has(waiter)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(new Error(`exited (${code ?? signal}) before printing ${re}; stderr: ${stderr}`));
        });
      });
    },
  };
}
