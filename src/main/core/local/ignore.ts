// Which paths the engine leaves alone: built-in junk files (OS metadata, editor lock files), the
// OS trash folders, every Twinfold state folder, and the user's `.twinfoldignore` rules in
// gitignore syntax.
// The engine applies the same rules to local and remote paths, so matching is NFC-normalised and
// case-insensitive like Dropbox's own path comparison.
import { readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { errorMessage } from '../errors.js';
import { pathLower } from '../paths.js';

/** The engine's hidden folder at the root of every synced folder (index, temp downloads, fallback trash). */
export const STATE_DIR_NAME = '.twinfold';

/** The user's ignore file at the root of the synced folder (itself synced, so all devices share it). */
export const IGNORE_FILE_NAME = '.twinfoldignore';

/**
 * Exact names (compared after pathLower) that are never synced, at any depth: OS metadata files;
 * the trash folders an OS keeps at the top of a drive (freedesktop `.Trash/<uid>` and
 * `.Trash-<uid>`, macOS `.Trashes`, Windows `$RECYCLE.BIN`), which hold deleted files and their
 * absolute local paths; and the state folder of any pair, the root's or a nested one's (its index,
 * temp downloads and trash belong to that device).
 */
const BUILTIN_NAMES = new Set(['.ds_store', 'desktop.ini', 'thumbs.db', 'icon\r', '.trash', '.trashes', '$recycle.bin', STATE_DIR_NAME]);

/** Built-in ignore for one path component, compared case-insensitively. */
function isBuiltinIgnoredName(name: string): boolean {
  const lower = pathLower(name);
  if (BUILTIN_NAMES.has(lower)) return true;
  // Microsoft Office owner files ("~$report.docx") and LibreOffice locks (".~lock.report.odt#"):
  // per-machine, short-lived, and syncing them makes other devices think the file is open.
  if (lower.startsWith('~$')) return true;
  // freedesktop per-user trash at a mount's top: `.Trash-1000`.
  if (lower.startsWith('.trash-')) return true;
  return lower.startsWith('.~lock.') && lower.endsWith('#');
}

export class IgnoreFileError extends Error {
  constructor(readonly filePath: string, options: { cause: unknown }) {
    super(`cannot read ignore rules from ${filePath}: ${errorMessage(options.cause)}`, options);
    this.name = 'IgnoreFileError';
  }
}

// The `ignore` package memoises every path it is asked about and never forgets; a daemon that
// watches a busy folder would grow without bound, so the matcher is rebuilt after this many calls.
const MATCHER_CALLS_BEFORE_REBUILD = 20_000;

/** True when the text holds at least one rule (gitignore: blank lines and '#' comments are not rules). */
function hasRules(text: string): boolean {
  return text.split(/\r?\n/).some((line) => line.trim() !== '' && !line.startsWith('#'));
}

export class IgnoreRules {
  private readonly hasUserRules: boolean;
  private user: Ignore;
  private calls = 0;

  /** `userRules` is the text of a `.twinfoldignore` file (gitignore syntax); empty means built-ins only. */
  constructor(readonly userRules = '') {
    this.hasUserRules = hasRules(userRules);
    this.user = this.buildMatcher();
  }

  /** Reads `<localRoot>/.twinfoldignore`. A missing file means no user rules; any other failure throws IgnoreFileError. */
  static async load(localRoot: string): Promise<IgnoreRules> {
    const filePath = nodePath.join(localRoot, IGNORE_FILE_NAME);
    try {
      return new IgnoreRules(await readFile(filePath, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new IgnoreRules();
      // Silently syncing everything would upload what the user asked us to keep local.
      throw new IgnoreFileError(filePath, { cause: error });
    }
  }

  /**
   * `relPath` is relative to the synced folder, '/' separated, with or without the leading '/'
   * ('/a/b' and 'a/b' are the same). The root itself is never ignored. Anything below an
   * ignored folder is ignored.
   */
  isIgnored(relPath: string, isDirectory: boolean): boolean {
    const rel = relPath.startsWith('/') ? relPath.slice(1) : relPath;
    if (rel === '') return false;
    if (rel.split('/').some(isBuiltinIgnoredName)) return true;
    if (!this.hasUserRules) return false;
    if (++this.calls > MATCHER_CALLS_BEFORE_REBUILD) {
      this.user = this.buildMatcher();
      this.calls = 0;
    }
    // The `ignore` package checks parent folders itself; a trailing '/' marks a folder so that
    // folder-only rules like `build/` match it.
    return this.user.ignores(rel.normalize('NFC') + (isDirectory ? '/' : ''));
  }

  private buildMatcher(): Ignore {
    // ignorecase: Dropbox paths are case-insensitive, and a rule must match the remote spelling too.
    return ignore({ ignorecase: true }).add(this.userRules.normalize('NFC'));
  }
}
