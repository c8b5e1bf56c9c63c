// Start at login on Linux desktops: an XDG autostart entry, `$XDG_CONFIG_HOME/autostart/twinfold.desktop`
// (per the Desktop Application Autostart spec). Plain Node so it is tested in a temp folder. The
// file is written atomically; an entry the user wrote themselves is respected: it counts as enabled,
// is left alone when already enabled, and is switched off with Hidden=true rather than deleted.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { replaceFile } from '../../core/local/replaceFile.js';

export const AUTOSTART_FILE_NAME = 'twinfold.desktop';
/** Login starts pass this so the app goes straight to the tray. */
export const HIDDEN_START_ARG = '--hidden';
/** Marks entries Twinfold wrote, which it may replace or delete. */
const MANAGED_KEY = 'X-Twinfold-Managed';

export class AutostartError extends Error {
  override readonly name = 'AutostartError';
}

/** `$XDG_CONFIG_HOME/autostart`, or `~/.config/autostart` when that is unset or not absolute. */
export function autostartDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'autostart');
}

/**
 * The command that starts this app again: the AppImage when running from one (its mount point
 * changes every run), the packaged binary, or in development the electron binary plus the app folder.
 */
export function launchCommand(opts: { execPath: string; appPath: string; isPackaged: boolean; env?: NodeJS.ProcessEnv }): string[] {
  const appImage = opts.env?.APPIMAGE;
  if (appImage && path.isAbsolute(appImage)) return [appImage];
  return opts.isPackaged ? [opts.execPath] : [opts.execPath, opts.appPath];
}

// Characters that force an argument into double quotes (Desktop Entry spec, "The Exec key").
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/** Quotes one argument for an Exec line: spec quoting, then the `%` field-code escape, then the string-value escape. */
export function quoteExecArg(arg: string): string {
  if (/[\n\r\0]/.test(arg)) throw new AutostartError('A start-at-login command cannot contain line breaks or NUL characters.');
  let quoted = arg === '' || RESERVED.test(arg) ? `"${arg.replace(/["`$\\]/g, '\\$&')}"` : arg;
  quoted = quoted.replace(/%/g, '%%');
  // The general string escape applies before the quoting rule when read, so backslashes double here.
  return quoted.replace(/\\/g, '\\\\');
}

export function execLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new AutostartError('No command to start Twinfold with.');
  return argv.map(quoteExecArg).join(' ');
}

export function desktopEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Twinfold',
    'Comment=Keep folders in sync through Dropbox',
    `Exec=${execLine([...command, HIDDEN_START_ARG])}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    'Hidden=false',
    `${MANAGED_KEY}=true`,
    '',
  ].join('\n');
}

/** The keys of the `[Desktop Entry]` group (other groups, comments and blank lines ignored). */
export function parseDesktopEntry(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  let inMain = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      inMain = line === '[Desktop Entry]';
      continue;
    }
    const eq = line.indexOf('=');
    if (!inMain || eq < 0) continue;
    keys.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return keys;
}

/** Whether a desktop session would start this entry: Hidden=true and GNOME's own switch turn it off. */
export function entryEnabled(keys: Map<string, string>): boolean {
  if (keys.get('Hidden') === 'true') return false;
  if (keys.get('X-GNOME-Autostart-enabled') === 'false') return false;
  return true;
}

/** Sets `key=value` in the `[Desktop Entry]` group of a user's file, keeping everything else. */
function withKey(text: string, key: string, value: string): string {
  const lines = text.split(/\r?\n/);
  let inMain = false;
  let mainEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('[')) {
      if (inMain) break;
      inMain = line === '[Desktop Entry]';
      if (inMain) mainEnd = i + 1;
      continue;
    }
    if (!inMain) continue;
    if (line.split('=')[0]?.trim() === key) {
      lines[i] = `${key}=${value}`;
      return lines.join('\n');
    }
    if (line !== '') mainEnd = i + 1;
  }
  if (mainEnd < 0) return `[Desktop Entry]\n${key}=${value}\n${text}`;
  lines.splice(mainEnd, 0, `${key}=${value}`);
  return lines.join('\n');
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    await replaceFile(file, text, { mode: 0o644 });
  } catch (err) {
    throw new AutostartError(`Could not write ${file}: ${(err as Error).message}`);
  }
}

export interface XdgAutostartOptions {
  /** The command to start the app (see launchCommand); `--hidden` is appended. */
  command: readonly string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export class XdgAutostart {
  readonly file: string;
  readonly #command: readonly string[];

  constructor(opts: XdgAutostartOptions) {
    this.file = path.join(autostartDir(opts.env, opts.home), AUTOSTART_FILE_NAME);
    this.#command = opts.command;
    execLine(this.#command); // refuse an unusable command now, not at the first toggle
  }

  async isEnabled(): Promise<boolean> {
    const text = await this.#read();
    return text !== undefined && entryEnabled(parseDesktopEntry(text));
  }

  async setEnabled(enabled: boolean): Promise<void> {
    const text = await this.#read();
    const keys = text === undefined ? undefined : parseDesktopEntry(text);
    const ours = keys?.get(MANAGED_KEY) === 'true';
    if (enabled) {
      const wanted = desktopEntry(this.#command);
      if (text === wanted) return;
      if (keys && text !== undefined && !ours) {
        // The user's own entry: enabled, it starts Twinfold already; disabled, switch only that back.
        if (entryEnabled(keys)) return;
        let edited = withKey(text, 'Hidden', 'false');
        if (keys.get('X-GNOME-Autostart-enabled') === 'false') edited = withKey(edited, 'X-GNOME-Autostart-enabled', 'true');
        await writeAtomically(this.file, edited);
        return;
      }
      await writeAtomically(this.file, wanted);
      return;
    }
    if (text === undefined || !keys) return;
    if (ours) {
      await fs.rm(this.file, { force: true }).catch((err: unknown) => {
        throw new AutostartError(`Could not remove ${this.file}: ${(err as Error).message}`);
      });
      return;
    }
    if (!entryEnabled(keys)) return;
    // Someone else's entry: switch it off the standard way, so they can switch it back on.
    await writeAtomically(this.file, withKey(text, 'Hidden', 'true'));
  }

  async #read(): Promise<string | undefined> {
    try {
      return await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AutostartError(`Could not read ${this.file}: ${(err as Error).message}`);
    }
  }
}
