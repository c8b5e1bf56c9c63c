// Names for conflicted copies: `name (host's conflicted copy YYYY-MM-DD).ext`, numbered when the
// name is already taken. Pure string logic used by the planner when both sides changed an item.
import type { ItemKind, PathKey } from './model.js';
import { joinRemote, pathLower, remoteBasename, remoteParent } from '../paths.js';
import { fitName, truncateUtf8 } from './nameBytes.js';

/** A host name only labels the copy; capping it (in UTF-8 bytes) keeps room for the original name. */
const MAX_HOST_BYTES = 64;

export interface NameParts {
  stem: string;
  /** Includes the dot, or '' when the name has no extension. */
  ext: string;
}

/**
 * Splits a file name at its last dot: 'report.tar.gz' -> 'report.tar' + '.gz'. A leading dot alone
 * ('.bashrc') and a trailing dot ('notes.') are not extensions. Folders never have one: 'v1.2'
 * is a folder's whole name, and a copy named 'v1 (…).2' would read as nonsense.
 */
export function splitExtension(name: string, kind: ItemKind): NameParts {
  const dot = name.lastIndexOf('.');
  if (kind === 'folder' || dot <= 0 || dot === name.length - 1) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** Host names come from the OS and may hold characters a Dropbox name cannot. */
function sanitizeHost(host: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const cleaned = host.replace(/[\\/\u0000-\u001f\u007f]/g, '-').trim();
  return truncateUtf8(cleaned === '' ? 'unknown host' : cleaned, MAX_HOST_BYTES);
}

/**
 * The conflicted-copy name for `name`; `n` > 0 numbers it inside the parenthesis
 * ('a (box's conflicted copy 2024-05-01 2).txt') so all copies of one day sort together.
 * Over-long names lose the end of their stem, never the marker that says what they are (see fitName).
 */
export function conflictedCopyName(name: string, kind: ItemKind, host: string, today: string, n = 0): string {
  const marker = ` (${sanitizeHost(host)}'s conflicted copy ${today}${n > 0 ? ` ${n}` : ''})`;
  const { stem, ext } = splitExtension(name, kind);
  return fitName(stem, marker, ext);
}

/**
 * Path of a conflicted copy next to `path` (a display path such as '/docs/a.txt') whose key is
 * not `taken`: the caller says which keys exist on either side or are already planned.
 */
export function conflictedCopyPath(
  path: string,
  kind: ItemKind,
  host: string,
  today: string,
  taken: (key: PathKey) => boolean,
): string {
  const parent = remoteParent(path);
  const name = remoteBasename(path);
  for (let n = 0; ; n++) {
    const candidate = joinRemote(parent, conflictedCopyName(name, kind, host, today, n));
    if (!taken(pathLower(candidate))) return candidate;
  }
}
