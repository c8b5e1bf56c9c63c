// The Dropbox app key a build carries, like rclone's and Maestral's: a distributor sets
// `twinfold.dropboxAppKey` in package.json before packaging (`npm pkg set
// twinfold.dropboxAppKey=KEY`), and users then sign in without creating their own Dropbox app.
// The source tree carries none, so a plain checkout asks for a key as before.
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidAppKey } from '../../core/remote/dropbox/oauth.js';

/** package.json of the checkout or the packaged app, from src/main/service/account or its dist/ copy. */
export function packageJsonPath(moduleUrl: string = import.meta.url): string {
  const up = nodePath.resolve(nodePath.dirname(fileURLToPath(moduleUrl)), '../../../..');
  return nodePath.join(nodePath.basename(up) === 'dist' ? nodePath.dirname(up) : up, 'package.json');
}

export class BuiltinAppKeyError extends Error {
  override readonly name = 'BuiltinAppKeyError';
}

/** The key in package.json's `twinfold.dropboxAppKey`; undefined when the build carries none. */
export function builtinAppKey(packageJson: string = packageJsonPath()): string | undefined {
  let pkg: { twinfold?: { dropboxAppKey?: unknown } };
  try {
    pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as typeof pkg;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const key = pkg.twinfold?.dropboxAppKey;
  if (key === undefined || key === '') return undefined;
  // A broken key in a build is the distributor's mistake: say so instead of failing at sign-in.
  if (typeof key !== 'string' || !isValidAppKey(key)) throw new BuiltinAppKeyError('package.json twinfold.dropboxAppKey must be a Dropbox app key (letters, digits, - and _)');
  return key;
}

/** The key used when the settings hold none: TWINFOLD_DROPBOX_APP_KEY, else the built-in one. */
export function defaultAppKey(env: NodeJS.ProcessEnv, packageJson: string = packageJsonPath()): string | undefined {
  return env.TWINFOLD_DROPBOX_APP_KEY?.trim() || builtinAppKey(packageJson);
}
