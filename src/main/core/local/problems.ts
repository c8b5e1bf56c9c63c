// Why an item on disk is not in the scanned local tree. The scanner reports these instead of
// failing, so one bad file never stops a sync; the engine decides what to do with each kind.
import type { NameProblem } from '../paths.js';

/**
 * Every problem's `path` (relative, as spelled on disk) and everything below it are left out of
 * the tree. Kinds 'unreadable' and 'unstable' mean "state unknown, look again later": the engine
 * must not read their absence as a deletion. 'symlink', 'special_file' and 'invalid_name' are
 * items that cannot be synced as they are. 'case_conflict' is an item whose key is already taken
 * by `keptPath`; the engine renames it.
 */
export type LocalProblem =
  | { kind: 'symlink'; path: string }
  /** A socket, FIFO or device node: not a file Dropbox can store, and reading a FIFO would block. */
  | { kind: 'special_file'; path: string }
  | { kind: 'case_conflict'; path: string; keptPath: string }
  | { kind: 'unreadable'; path: string; code: string; message: string }
  | { kind: 'invalid_name'; path: string; reason: NameProblem }
  /** The file kept changing while it was hashed (twice): it is still being written. */
  | { kind: 'unstable'; path: string };
