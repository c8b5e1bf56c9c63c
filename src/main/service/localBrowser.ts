// The server-side folder browser of the web UI: lists the sub-folders of a local folder so a user
// on a headless server can choose what to sync without typing paths. Folders only, hidden ones
// left out, symlinks not followed (a pair must be a real folder).
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as nodePath from 'node:path';
import type { FolderListing } from '../../common/contract.js';
import { CallFailure } from './types.js';

const MAX_ENTRIES = 5000;

export async function browseLocalFolders(path: string | undefined): Promise<FolderListing> {
  const requested = path ?? homedir();
  if (!nodePath.isAbsolute(requested)) throw new CallFailure('bad_request', `“${requested}” is not an absolute path`);
  let folder: string;
  try {
    folder = await realpath(requested);
    if (!(await stat(folder)).isDirectory()) throw new CallFailure('bad_request', `“${requested}” is not a folder`);
  } catch (err) {
    if (err instanceof CallFailure) throw err;
    throw new CallFailure('not_found', `“${requested}” cannot be opened (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (err) {
    throw new CallFailure('bad_request', `“${folder}” cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const folders = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, path: nodePath.join(folder, e.name) }))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }))
    .slice(0, MAX_ENTRIES);
  const parent = nodePath.dirname(folder);
  return { path: folder, parent: parent === folder ? undefined : parent, folders };
}
