// The Dropbox folder browser behind "choose a Dropbox folder": the sub-folders of one folder
// (not recursive), sorted for people, every page of the listing followed. Goes through the same
// SDK client as the provider, so tokens refresh and errors map the same way.
import { DropboxResponseError } from 'dropbox';
import { z } from 'zod';
import type { FolderListing, FolderEntry } from '../../../../common/contract.js';
import { InvalidResponseError, SyncError } from '../../errors.js';
import { remoteParent } from '../../paths.js';
import type { RetryPolicy } from '../../transfer/retry.js';
import type { DropboxClient } from './client.js';
import { errorTags } from './errorMapping.js';
import { parseOrThrow } from './metadata.js';

/** Short: a person is waiting for the list. */
export const BROWSE_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 300, maxDelayMs: 2_000, verificationAttempts: 1, retryInvalidResponse: false };

/** A folder of 2 million entries is 1000 pages of 2000; more means the server is looping. */
const MAX_PAGES = 1000;

const pageSchema = z.object({
  entries: z.array(z.object({ '.tag': z.string(), name: z.string() }).loose()),
  cursor: z.string().min(1),
  has_more: z.boolean(),
});

/** '' (the top) or '/A/b': no trailing slash, no empty or dot components, no NUL. */
export function browsePathProblem(path: string): string | undefined {
  if (path === '') return undefined;
  if (!path.startsWith('/') || path.endsWith('/')) return 'a Dropbox path must be empty or start with / and not end with it';
  if (path.length > 4096 || path.includes('\0')) return 'the path is too long or contains NUL';
  if (path.slice(1).split('/').some((part) => part === '' || part === '.' || part === '..')) return 'the path has an empty, . or .. component';
  return undefined;
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Case-insensitive for people; names equal but for case keep a fixed order. */
export function compareFolderNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

export async function listDropboxFolders(client: DropboxClient, path: string, opts: { signal?: AbortSignal; policy?: RetryPolicy } = {}): Promise<FolderListing> {
  const problem = browsePathProblem(path);
  if (problem) throw new SyncError({ path, title: 'Invalid Dropbox path', message: `“${path}” cannot be listed: ${problem}.`, retryable: false });
  const policy = opts.policy ?? BROWSE_RETRY_POLICY;
  const folders: FolderEntry[] = [];
  let page = parsePage(
    (await client.call({ route: 'files/list_folder', path, policy, signal: opts.signal }, (sdk) =>
      notAFolderAsError(path, () => sdk.filesListFolder({ path, recursive: false, include_deleted: false, include_mounted_folders: true })),
    )).result,
  );
  for (let pages = 1; ; pages++) {
    for (const entry of page.entries) {
      // Names come from the server: a name with a slash or a dot name could point elsewhere.
      if (entry['.tag'] !== 'folder' || entry.name === '' || entry.name === '.' || entry.name === '..' || /[/\0]/.test(entry.name)) continue;
      folders.push({ name: entry.name, path: `${path}/${entry.name}` });
    }
    if (!page.has_more) break;
    if (pages >= MAX_PAGES) throw new InvalidResponseError(`files/list_folder/continue kept answering has_more after ${MAX_PAGES} pages`);
    const cursor = page.cursor;
    page = parsePage((await client.call({ route: 'files/list_folder/continue', path, policy, signal: opts.signal }, (sdk) => sdk.filesListFolderContinue({ cursor }))).result);
  }
  folders.sort((a, b) => compareFolderNames(a.name, b.name));
  return path === '' ? { path, folders } : { path, parent: remoteParent(path), folders };
}

function parsePage(value: unknown): z.infer<typeof pageSchema> {
  return parseOrThrow(pageSchema, value, 'files/list_folder');
}

/** path/not_folder is no fault of Dropbox's: say plainly that it is a file. */
async function notAFolderAsError<T>(path: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof DropboxResponseError && err.status === 409 && errorTags(err.error).includes('not_folder')) {
      throw new SyncError({ path, title: 'Not a folder', message: `“${path}” is a file on Dropbox, not a folder.`, retryable: false });
    }
    throw err;
  }
}
