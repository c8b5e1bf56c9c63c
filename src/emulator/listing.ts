// What list_folder and list_folder/continue return: the first listing from the live tree, later
// pages and changes from the change log, both ordered by log position so a page can end anywhere
// and the next one starts right after it. Also decides whether a longpoll has news.
import { isSameOrBelow, remoteParent } from '../main/core/paths.js';
import type { CursorState } from './cursors.js';
import { LookupFailure, tag } from './errors.js';
import { deletedMetadata } from './metadata.js';
import type { Namespace } from './namespace.js';

export interface ListedItem { seq: number; meta: Record<string, unknown> }

export interface Scope { path: string; recursive: boolean }

export const DEFAULT_PAGE_LIMIT = 2000;

/** A recursive listing includes the folder itself (except the root); a flat one its children. */
export function inScope(key: string, scope: Scope): boolean {
  if (scope.recursive) return key !== '' && isSameOrBelow(key, scope.path);
  return key !== scope.path && remoteParent(key) === scope.path;
}

/** The folder to list, or LookupFailure (not_found / not_folder). */
export function listedFolderSeq(ns: Namespace, path: string): number {
  if (path === '') return 0;
  const entry = ns.entry(path);
  if (!entry) throw new LookupFailure(tag('not_found'));
  if (entry.kind !== 'folder') throw new LookupFailure(tag('not_folder'));
  return entry.seq;
}

/** Everything in scope now (plus what was deleted there, with include_deleted), oldest change first. */
export function initialListing(ns: Namespace, scope: Scope, includeDeleted: boolean): ListedItem[] {
  const items: ListedItem[] = [];
  const add = (key: string): void => {
    items.push({ seq: ns.entry(key)!.seq, meta: ns.tagged(key) });
  };
  if (scope.recursive) {
    const visit = (key: string): void => {
      if (key !== '') add(key);
      for (const child of ns.childKeys(key)) visit(child);
    };
    visit(scope.path);
  } else {
    for (const child of ns.childKeys(scope.path)) add(child);
  }
  if (includeDeleted) {
    for (const [key, record] of ns.deletedRecords()) {
      if (inScope(key, scope) && !ns.entry(key)) items.push({ seq: record.seq, meta: deletedMetadata(key, record.display) });
    }
  }
  return items.sort((a, b) => a.seq - b.seq);
}

/**
 * The changes in scope after `cursor.pos`, one entry per path in the state it has now, placed at
 * its last change. A folder that was deleted and made again also gets its deletion first, so
 * clients drop the old children. Deletions the first listing covered show only with include_deleted.
 */
export function changesSince(ns: Namespace, cursor: CursorState): ListedItem[] {
  const scope: Scope = { path: cursor.path, recursive: cursor.recursive };
  const latest = new Map<string, { upsert?: number; deletion?: { seq: number; display: string } }>();
  for (const event of ns.changesSince(cursor.pos)) {
    if (!inScope(event.path, scope)) continue;
    const slot = latest.get(event.path) ?? {};
    if (event.kind === 'deleted') slot.deletion = { seq: event.seq, display: event.display ?? event.path };
    else slot.upsert = event.seq;
    latest.set(event.path, slot);
  }
  const shown = (seq: number): boolean => cursor.includeDeleted || seq > cursor.initialUpTo;
  const items: ListedItem[] = [];
  for (const [key, { upsert, deletion }] of latest) {
    const entry = ns.entry(key);
    if (upsert !== undefined && (deletion === undefined || upsert > deletion.seq)) {
      // Gone again without an event of its own: an ancestor's deletion (in scope) covers it.
      if (!entry) continue;
      if (deletion && entry.kind === 'folder' && shown(deletion.seq)) items.push({ seq: deletion.seq, meta: deletedMetadata(key, deletion.display) });
      items.push({ seq: upsert, meta: ns.tagged(key) });
    } else if (deletion && !entry && shown(deletion.seq)) {
      items.push({ seq: deletion.seq, meta: deletedMetadata(key, deletion.display) });
    }
  }
  return items.sort((a, b) => a.seq - b.seq);
}

/** The first `limit` items, stretched so items sharing a log position stay on one page. */
export function takePage(items: ListedItem[], limit: number): { page: ListedItem[]; hasMore: boolean } {
  if (items.length <= limit) return { page: items, hasMore: false };
  let cut = limit;
  while (cut < items.length && items[cut]!.seq === items[cut - 1]!.seq) cut++;
  return { page: items.slice(0, cut), hasMore: cut < items.length };
}

/** Whether a cursor can still be continued: reset epochs, compacted logs and replaced folders say reset. */
export function checkCursor(ns: Namespace, cursor: CursorState): 'ok' | 'reset' | 'folder_gone' {
  if (cursor.epoch !== ns.epoch || cursor.pos < ns.logFloor) return 'reset';
  if (cursor.path === '') return 'ok';
  const entry = ns.entry(cursor.path);
  if (!entry || entry.kind !== 'folder') return 'folder_gone';
  return entry.seq === cursor.folderSeq ? 'ok' : 'reset';
}
