// Conversions between the engine's tree items and positional table rows. Column lists here must
// match schema.ts; absent optional fields are stored as NULL and read back as absent (never as
// `undefined` properties), so items round-trip deep-equal.
import type { ItemKind, KeptDeletion, RemoteItem, SyncedItem } from '../engine/model.js';

export type Row = unknown[];

export interface RowCodec<T> {
  /** Column names; the first is always `key`. */
  readonly columns: readonly string[];
  toRow(item: T): Row;
  fromRow(row: Row): T;
}

/** Most paths are spelled like their key: keep one string then, not two (100k-item trees). */
function samePathAsKey(r: Row): string {
  return r[1] === r[0] ? (r[0] as string) : (r[1] as string);
}

export const syncedCodec: RowCodec<SyncedItem> = {
  columns: ['key', 'path', 'kind', 'id', 'rev', 'content_hash', 'size', 'inode', 'mtime_ms', 'kept_deletion', 'local_name'],
  toRow: (i) => [i.key, i.path, i.kind, i.id ?? null, i.rev ?? null, i.contentHash ?? null, i.size ?? null, i.inode ?? null, i.mtimeMs ?? null, i.keptDeletion ?? null, i.localName ?? null],
  fromRow: (r) => {
    const item: SyncedItem = { key: r[0] as string, path: samePathAsKey(r), kind: r[2] as ItemKind };
    if (r[3] !== null) item.id = r[3] as string;
    if (r[4] !== null) item.rev = r[4] as string;
    if (r[5] !== null) item.contentHash = r[5] as string;
    if (r[6] !== null) item.size = r[6] as number;
    if (r[7] !== null) item.inode = r[7] as number;
    if (r[8] !== null) item.mtimeMs = r[8] as number;
    if (r[9] !== null) item.keptDeletion = r[9] as KeptDeletion;
    if (r[10] !== null) item.localName = r[10] as string;
    return item;
  },
};

export const remoteCodec: RowCodec<RemoteItem> = {
  columns: ['key', 'path', 'kind', 'id', 'rev', 'size', 'content_hash', 'client_modified'],
  toRow: (i) => [i.key, i.path, i.kind, i.id, i.rev ?? null, i.size ?? null, i.contentHash ?? null, i.clientModified ?? null],
  fromRow: (r) => {
    const item: RemoteItem = { key: r[0] as string, path: samePathAsKey(r), kind: r[2] as ItemKind, id: r[3] as string };
    if (r[4] !== null) item.rev = r[4] as string;
    if (r[5] !== null) item.size = r[5] as number;
    if (r[6] !== null) item.contentHash = r[6] as string;
    if (r[7] !== null) item.clientModified = r[7] as string;
    return item;
  },
};
