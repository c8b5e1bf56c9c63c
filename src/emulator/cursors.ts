// list_folder cursors: an opaque string holding the listing's scope and its position in the change
// log. Nothing is kept server-side per cursor, so cursors survive restarts with the namespace.
import { BadRequestError } from './errors.js';

export interface CursorState {
  /** The namespace instance that issued it. */
  ns: string;
  epoch: number;
  /** path_lower of the listed folder ('' is the root). */
  path: string;
  recursive: boolean;
  includeDeleted: boolean;
  /** Every change up to this log position has been delivered. */
  pos: number;
  /** The log head when the first listing was taken: older deletions belong to it (include_deleted only). */
  initialUpTo: number;
  /** The listed folder's log position when listed; a different one means it was replaced or moved. */
  folderSeq: number;
  limit: number;
}

type Packed = [string, number, string, 0 | 1, 0 | 1, number, number, number, number];

export function encodeCursor(c: CursorState): string {
  const packed: Packed = [c.ns, c.epoch, c.path, c.recursive ? 1 : 0, c.includeDeleted ? 1 : 0, c.pos, c.initialUpTo, c.folderSeq, c.limit];
  return `AA${Buffer.from(JSON.stringify(packed), 'utf8').toString('base64url')}`;
}

/** Decodes a cursor this namespace issued, or answers 400 as Dropbox does for a garbled one. */
export function decodeCursor(raw: string, namespaceInstance: string): CursorState {
  const invalid = (): never => {
    throw new BadRequestError(`request body: cursor: '${raw}' is not a valid cursor`);
  };
  if (!raw.startsWith('AA')) return invalid();
  let packed: unknown;
  try {
    packed = JSON.parse(Buffer.from(raw.slice(2), 'base64url').toString('utf8'));
  } catch {
    return invalid();
  }
  if (!Array.isArray(packed) || packed.length !== 9) return invalid();
  const [ns, epoch, path, recursive, includeDeleted, pos, initialUpTo, folderSeq, limit] = packed as unknown[];
  const counts = [epoch, pos, initialUpTo, folderSeq, limit].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
  if (ns !== namespaceInstance || typeof path !== 'string' || !counts || (recursive !== 0 && recursive !== 1) || (includeDeleted !== 0 && includeDeleted !== 1)) {
    return invalid();
  }
  return {
    ns,
    epoch: epoch as number,
    path,
    recursive: recursive === 1,
    includeDeleted: includeDeleted === 1,
    pos: pos as number,
    initialUpTo: initialUpTo as number,
    folderSeq: folderSeq as number,
    limit: limit as number,
  };
}
