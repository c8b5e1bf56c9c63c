// Validates what Dropbox sends (list pages, file/folder metadata, account, longpoll) and converts
// it into the engine's RemoteItem/RemoteChange, relative to the synced folder. Server data is
// untrusted: malformed answers become InvalidResponseError, and entries outside the synced folder
// or with names that could escape a local root are dropped and logged, never passed on.
import { z } from 'zod';
import type { RemoteItem } from '../../engine/model.js';
import { InvalidResponseError } from '../../errors.js';
import { nameProblem, pathLower } from '../../paths.js';
import type { ChangePage, RemoteAccount, RemoteChange } from '../provider.js';

export interface RemoteLogger {
  warn(message: string): void;
}

const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
const pathFields = {
  name: z.string(),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
};
const fileFields = {
  ...pathFields,
  id: z.string().min(1),
  rev: z.string().regex(/^[0-9a-f]{9,}$/),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  content_hash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  client_modified: timestamp,
  server_modified: timestamp,
};
const folderFields = { ...pathFields, id: z.string().min(1) };

const fileSchema = z.object(fileFields);
const folderSchema = z.object(folderFields);
const deletedSchema = z.object(pathFields);
const taggedSchemas = {
  file: fileSchema,
  folder: folderSchema,
  deleted: deletedSchema,
} as const;

const listPageSchema = z.object({
  entries: z.array(z.unknown()),
  cursor: z.string().min(1),
  has_more: z.boolean(),
});
const accountSchema = z.object({
  account_id: z.string().min(1),
  name: z.object({ display_name: z.string() }),
  email: z.string(),
});
const longpollSchema = z.object({
  changes: z.boolean(),
  backoff: z.number().int().nonnegative().optional(),
});
const wrappedSchema = z.object({ metadata: z.unknown() });

type FileMeta = z.infer<typeof fileSchema>;
type FolderMeta = z.infer<typeof folderSchema>;

/** Parses untrusted server data; the error names the first bad field, never its value. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new InvalidResponseError(`${what}: ${issue?.message ?? 'malformed'}${where}`);
  }
  return result.data;
}

/** Validates a configured remote root: '' (the whole Dropbox) or '/Folder/Sub'. */
export function normalizeRemoteRoot(root: string): string {
  if (root === '' || root === '/') return '';
  if (!root.startsWith('/') || root.endsWith('/')) throw new Error(`remote root must be '' or start with '/' and not end with it: ${JSON.stringify(root)}`);
  for (const part of root.slice(1).split('/')) {
    const problem = nameProblem(part);
    if (problem === 'empty' || problem === 'dot' || problem === 'bad_character') {
      throw new Error(`remote root has an unusable component ${JSON.stringify(part)}`);
    }
  }
  return root;
}

/** Why a relative path ('/a/b') is unsafe to use, or null when each component is a plain name. */
export function unsafeRelativePath(rel: string): string | null {
  if (!rel.startsWith('/')) return 'does not start with /';
  for (const part of rel.slice(1).split('/')) {
    const problem = nameProblem(part);
    if (problem === 'empty' || problem === 'dot' || problem === 'bad_character') {
      return `component ${JSON.stringify(part)} is not a plain name`;
    }
  }
  return null;
}

/** Maps the provider's relative paths to Dropbox paths and back. */
export class RootScope {
  readonly root: string;
  private readonly rootParts: string[];

  constructor(remoteRoot: string) {
    this.root = normalizeRemoteRoot(remoteRoot);
    this.rootParts = this.root === '' ? [] : pathLower(this.root).slice(1).split('/');
  }

  /** '/a.txt' → '/Folder/a.txt'. The synced folder itself ('') maps to the root. */
  toDropbox(rel: string): string {
    return rel === '' ? this.root : this.root + rel;
  }

  /**
   * '/FOLDER/a.txt' → '/a.txt'; the root itself → ''; anything not below the root → null.
   * Compared by components, since normalisation can change string lengths.
   */
  toRelative(dropboxPath: string): string | null {
    if (!dropboxPath.startsWith('/')) return null;
    const parts = dropboxPath.slice(1).split('/');
    if (parts.length < this.rootParts.length) return null;
    for (let i = 0; i < this.rootParts.length; i++) {
      if (pathLower(parts[i] ?? '') !== this.rootParts[i]) return null;
    }
    const rest = parts.slice(this.rootParts.length);
    return rest.length === 0 ? '' : `/${rest.join('/')}`;
  }
}

export type EntryOutcome = { change: RemoteChange } | { skipped: string };

type PathFields = { path_display?: string; path_lower?: string };

/** Relative display path of a metadata entry, or why it must not be used. */
function relativePathOf(meta: PathFields, scope: RootScope): { rel: string } | { skipped: string } {
  const where = placeOf(meta, scope);
  return 'unsafe' in where ? { skipped: where.unsafe } : where;
}

/**
 * Where an entry lies in the synced folder: its relative display path, or why it lies nowhere
 * we sync (skipped), or a path in the synced folder that is not safe to use locally (unsafe).
 */
function placeOf(meta: PathFields, scope: RootScope): { rel: string } | { skipped: string } | { unsafe: string; rel: string } {
  // path_display may have stale case in parent components, which only matters for display;
  // keys are recomputed from it with our own folding so they match the local side's keys.
  const shown = meta.path_display ?? meta.path_lower;
  if (shown === undefined) return { skipped: 'entry has no path (not mounted)' };
  const rel = scope.toRelative(shown);
  if (rel === null) return { skipped: `${JSON.stringify(shown)} is outside the synced folder` };
  if (rel === '') return { skipped: 'the synced folder itself' };
  if (meta.path_lower !== undefined && scope.toRelative(meta.path_lower) === null) {
    return { skipped: `${JSON.stringify(meta.path_lower)} is outside the synced folder` };
  }
  const unsafe = unsafeRelativePath(rel);
  if (unsafe) return { unsafe: `unsafe remote path ${JSON.stringify(shown)}: ${unsafe}`, rel };
  return { rel };
}

function fileItem(meta: FileMeta, rel: string): RemoteItem {
  const item: RemoteItem = {
    key: pathLower(rel),
    path: rel,
    kind: 'file',
    id: meta.id,
    rev: meta.rev,
    size: meta.size,
    clientModified: meta.client_modified,
  };
  if (meta.content_hash !== undefined) item.contentHash = meta.content_hash;
  return item;
}

function folderItem(meta: FolderMeta, rel: string): RemoteItem {
  return { key: pathLower(rel), path: rel, kind: 'folder', id: meta.id };
}

/** Dropbox's own path_lower (relative), when it is not what our key folding gives. */
function providerKeyOf(meta: { path_lower?: string }, scope: RootScope, key: string): { providerKey?: string } {
  const own = meta.path_lower === undefined ? null : scope.toRelative(meta.path_lower);
  return own === null || own === key ? {} : { providerKey: own };
}

/**
 * Converts one `list_folder` entry. An entry in the synced folder that cannot be used (malformed,
 * of an unknown kind, with a path that is not safe locally) is 'refused': what is at its path is
 * unknown, which must not read as deleted. Throws InvalidResponseError when not even its path
 * can be read.
 */
export function entryToChange(entry: unknown, scope: RootScope): EntryOutcome {
  const tag = (entry as { '.tag'?: unknown } | null)?.['.tag'];
  if (typeof tag !== 'string') throw new InvalidResponseError('list entry without a .tag');
  if (!(tag in taggedSchemas)) return refused(entry, scope, `unknown entry kind ${JSON.stringify(tag)}`, `Dropbox sent an item of a kind this version of Twinfold does not know (${tag}); a newer Twinfold may sync it`);
  const kind = tag as keyof typeof taggedSchemas;
  const parsed = taggedSchemas[kind].safeParse(entry);
  if (!parsed.success) {
    const what = `list entry (${kind})`;
    // Not even a path: nothing can be said about any item, so the page as a whole is bad.
    if (kind === 'deleted' || !deletedSchema.safeParse(entry).success) parseOrThrow(taggedSchemas[kind], entry, what);
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    return refused(entry, scope, `malformed ${what}`, `Dropbox described it in a way Twinfold could not read${field}; it is read again when it changes on Dropbox`);
  }
  const meta = parsed.data;
  const where = placeOf(meta, scope);
  if ('skipped' in where) return where;
  const key = pathLower(where.rel);
  const own = providerKeyOf(meta, scope, key);
  if (kind === 'deleted') return { change: { kind: 'delete', key, ...own } };
  if ('unsafe' in where) return { change: { kind: 'refused', key, path: where.rel, reason: `its name cannot be used safely on this computer (${where.unsafe}); rename it on Dropbox`, ...own } };
  switch (kind) {
    case 'file':
      return { change: { kind: 'upsert', item: fileItem(meta as FileMeta, where.rel), ...own } };
    case 'folder':
      return { change: { kind: 'upsert', item: folderItem(meta as FolderMeta, where.rel), ...own } };
  }
}

/** An entry that cannot be used: refused when it names a path in the synced folder, else skipped with `skipped`. */
function refused(entry: unknown, scope: RootScope, skipped: string, reason: string): EntryOutcome {
  const paths = deletedSchema.safeParse(entry);
  if (!paths.success) return { skipped };
  const where = placeOf(paths.data, scope);
  if ('skipped' in where) return { skipped };
  const key = pathLower(where.rel);
  return { change: { kind: 'refused', key, path: where.rel, reason, ...providerKeyOf(paths.data, scope, key) } };
}

/** Converts a `list_folder` or `list_folder/continue` result into a ChangePage. */
export function parseListPage(result: unknown, scope: RootScope, log: RemoteLogger): ChangePage {
  const page = parseOrThrow(listPageSchema, result, 'list_folder result');
  const changes: RemoteChange[] = [];
  for (const entry of page.entries) {
    const outcome = entryToChange(entry, scope);
    if ('change' in outcome) changes.push(outcome.change);
    else if (outcome.skipped !== 'the synced folder itself') log.warn(`dropbox: ignored remote entry: ${outcome.skipped}`);
  }
  return { changes, cursor: page.cursor, hasMore: page.has_more };
}

/** Resolves a written item's metadata to a RemoteItem; it must be the path we asked for. */
function expectAt(meta: { path_display?: string; path_lower?: string }, scope: RootScope, expectedRel: string, what: string): string {
  const where = relativePathOf(meta, scope);
  if ('skipped' in where) throw new InvalidResponseError(`${what}: ${where.skipped}`);
  if (pathLower(where.rel) !== pathLower(expectedRel)) {
    throw new InvalidResponseError(`${what}: describes ${JSON.stringify(where.rel)} instead of ${JSON.stringify(expectedRel)}`);
  }
  return where.rel;
}

/** FileMetadata without a .tag (upload, upload_session/finish, download's Dropbox-API-Result). */
export function parseFileMetadata(value: unknown, scope: RootScope, expectedRel: string, what: string): RemoteItem {
  const meta = parseOrThrow(fileSchema, value, what);
  return fileItem(meta, expectAt(meta, scope, expectedRel, what));
}

/** `{metadata: FolderMetadata}` from create_folder_v2; `expectedRel` '' is the synced folder itself. */
export function parseCreatedFolder(value: unknown, scope: RootScope, expectedRel: string): RemoteItem {
  const { metadata } = parseOrThrow(wrappedSchema, value, 'create_folder_v2 result');
  const meta = parseOrThrow(folderSchema, metadata, 'create_folder_v2 metadata');
  if (expectedRel === '') {
    const shown = meta.path_display ?? meta.path_lower;
    if (shown === undefined || scope.toRelative(shown) !== '') throw new InvalidResponseError('create_folder_v2 metadata does not describe the synced folder');
    return folderItem(meta, '');
  }
  return folderItem(meta, expectAt(meta, scope, expectedRel, 'create_folder_v2 metadata'));
}

/** `{metadata: Metadata}` (tagged file or folder) from move_v2. */
export function parseMovedItem(value: unknown, scope: RootScope, expectedRel: string): RemoteItem {
  const { metadata } = parseOrThrow(wrappedSchema, value, 'move_v2 result');
  return parseTaggedItem(metadata, scope, expectedRel, 'move_v2 metadata');
}

/** Tagged Metadata (file or folder) from get_metadata. */
export function parseItemMetadata(value: unknown, scope: RootScope, expectedRel: string): RemoteItem {
  return parseTaggedItem(value, scope, expectedRel, 'get_metadata result');
}

function parseTaggedItem(metadata: unknown, scope: RootScope, expectedRel: string, what: string): RemoteItem {
  const tag = (metadata as { '.tag'?: unknown } | null)?.['.tag'];
  if (tag === 'file') {
    const meta = parseOrThrow(fileSchema, metadata, what);
    return fileItem(meta, expectAt(meta, scope, expectedRel, what));
  }
  if (tag === 'folder') {
    const meta = parseOrThrow(folderSchema, metadata, what);
    return folderItem(meta, expectAt(meta, scope, expectedRel, what));
  }
  throw new InvalidResponseError(`${what} has kind ${JSON.stringify(tag)}`);
}

export function parseDeleteResult(value: unknown): void {
  parseOrThrow(wrappedSchema, value, 'delete_v2 result');
}

export function parseAccount(value: unknown): RemoteAccount {
  const account = parseOrThrow(accountSchema, value, 'get_current_account result');
  return { accountId: account.account_id, displayName: account.name.display_name, email: account.email };
}

export function parseLongpoll(value: unknown): { changes: boolean; backoffSec?: number } {
  const result = parseOrThrow(longpollSchema, value, 'longpoll result');
  return result.backoff === undefined ? { changes: result.changes } : { changes: result.changes, backoffSec: result.backoff };
}

export function parseUploadSessionStart(value: unknown): string {
  return parseOrThrow(z.object({ session_id: z.string().min(1) }), value, 'upload_session/start result').session_id;
}

/** Parses a Dropbox-API-Result header (JSON with non-ASCII escaped) strictly. */
export function parseApiResultHeader(header: string | null): unknown {
  if (header === null) throw new InvalidResponseError('download without a Dropbox-API-Result header');
  try {
    return JSON.parse(header) as unknown;
  } catch {
    throw new InvalidResponseError('Dropbox-API-Result header is not JSON');
  }
}
