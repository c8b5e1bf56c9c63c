// Where `twinfold serve` keeps its web UI token between runs: a user-only file in the state
// folder, so the printed address (and a bookmark of it) stays valid across restarts until the
// user rotates it with --new-token.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { replaceFile } from '../core/local/replaceFile.js';
import { isWellFormedToken, newSessionToken } from './sessionToken.js';

export const SESSION_TOKEN_FILE = 'web-ui-token';

/** The web UI token of `twinfold serve` with this state folder; see loadOrCreateTokenFile. */
export function loadOrCreateSessionToken(stateDir: string, opts: { rotate?: boolean } = {}): Promise<string> {
  return loadOrCreateTokenFile(nodePath.join(stateDir, SESSION_TOKEN_FILE), opts);
}

/**
 * The token saved in `file`, or a new one (saved, mode 0600) when there is none, it is malformed,
 * or `rotate` asks for a fresh one. A saved file with looser permissions is tightened.
 */
export async function loadOrCreateTokenFile(file: string, opts: { rotate?: boolean } = {}): Promise<string> {
  if (!opts.rotate) {
    const saved = await readFile(file, 'utf8').then((text) => text.trim(), (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (saved !== undefined && isWellFormedToken(saved)) {
      await chmod(file, 0o600);
      return saved;
    }
  }
  const token = newSessionToken();
  await mkdir(nodePath.dirname(file), { recursive: true, mode: 0o700 });
  await replaceFile(file, `${token}\n`, { mode: 0o600, exactMode: true });
  return token;
}
