// Start-up decisions of the desktop app, pure so they are table-tested: whether the window opens,
// which environment overrides apply, and the quit sequence that lets the engines finish writing.
import { HIDDEN_START_ARG } from '../service/autostart/xdgAutostart.js';
import { errorMessage } from '../core/errors.js';

export interface StartFacts {
  argv: readonly string[];
  /** macOS login items cannot pass arguments; Electron reports the login start instead. */
  wasOpenedAtLogin: boolean;
  hasAccount: boolean;
}

/** Login starts go straight to the tray; a first launch without an account shows the window. */
export function shouldOpenWindowAtStart(f: StartFacts): boolean {
  if (f.argv.includes(HIDDEN_START_ARG) || f.wasOpenedAtLogin) return false;
  return !f.hasAccount;
}

export interface AppEnv {
  apiUrl?: string;
  envAppKey?: string;
}

export class AppEnvError extends Error {
  override readonly name = 'AppEnvError';
}

/** TWINFOLD_API_URL (an emulator's base URL) and TWINFOLD_DROPBOX_APP_KEY, checked so a typo fails loudly. */
export function readAppEnv(env: NodeJS.ProcessEnv): AppEnv {
  const out: AppEnv = {};
  const apiUrl = env.TWINFOLD_API_URL?.trim();
  if (apiUrl) {
    let url: URL;
    try {
      url = new URL(apiUrl);
    } catch {
      throw new AppEnvError(`TWINFOLD_API_URL is not a URL: ${apiUrl}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppEnvError(`TWINFOLD_API_URL must be an http or https URL, not ${url.protocol}`);
    out.apiUrl = apiUrl.replace(/\/+$/, '');
  }
  const appKey = env.TWINFOLD_DROPBOX_APP_KEY?.trim();
  if (appKey) {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(appKey)) throw new AppEnvError('TWINFOLD_DROPBOX_APP_KEY must be letters, digits, - and _ only');
    out.envAppKey = appKey;
  }
  return out;
}

export interface QuitSequenceOptions {
  /** Stops the service: every engine finishes its current write. */
  stop: () => Promise<void>;
  exit: (code: number) => void;
  log: (line: string) => void;
  /** After this long the app exits anyway: a stuck network call must not make quitting impossible. */
  timeoutMs?: number;
  schedule?: (fn: () => void, ms: number) => void;
}

/**
 * Handles Electron's before-quit: the first one is held back until the service stopped, then the
 * app exits; quits asked for meanwhile are held back too. `quitting` tells the window to really close.
 */
export class QuitSequence {
  #started = false;

  constructor(private readonly opts: QuitSequenceOptions) {}

  get quitting(): boolean {
    return this.#started;
  }

  onBeforeQuit(event: { preventDefault(): void }): void {
    event.preventDefault();
    if (this.#started) return;
    this.#started = true;
    let exited = false;
    const exitOnce = (code: number) => {
      if (exited) return;
      exited = true;
      this.opts.exit(code);
    };
    const timeoutMs = this.opts.timeoutMs ?? 20_000;
    (this.opts.schedule ?? ((fn, ms) => setTimeout(fn, ms).unref()))(() => {
      if (exited) return;
      this.opts.log(`quit: the engines did not stop within ${timeoutMs} ms; exiting anyway (writes are atomic, nothing half-written stays)`);
      exitOnce(0);
    }, timeoutMs);
    this.opts.stop().then(
      () => exitOnce(0),
      (err: unknown) => {
        this.opts.log(`quit: stopping failed: ${errorMessage(err)}`);
        exitOnce(0);
      },
    );
  }
}
