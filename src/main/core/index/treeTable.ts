// One tree table (synced or remote) keyed by PathKey: point reads and writes plus subtree
// operations, all on cached prepared statements and primary-key range scans.
import type { Database, Statement } from 'better-sqlite3';
import type { PathKey, Tree } from '../engine/model.js';
import { assertItemKey, belowBounds } from './keys.js';
import type { Row, RowCodec } from './rows.js';

export class TreeTable<T extends { key: PathKey }> {
  private readonly getStmt: Statement<[PathKey], Row>;
  private readonly allStmt: Statement<[], Row>;
  private readonly subtreeStmt: Statement<[PathKey, string, string], Row>;
  private readonly putStmt: Statement<unknown[]>;
  private readonly deleteStmt: Statement<[PathKey]>;
  private readonly deleteSubtreeStmt: Statement<[PathKey, string, string]>;
  private readonly deleteBelowStmt: Statement<[string, string]>;
  private readonly clearStmt: Statement<[]>;

  constructor(
    db: Database,
    table: string,
    private readonly codec: RowCodec<T>,
  ) {
    const cols = codec.columns.join(', ');
    // raw(): rows as arrays, which skips building a throwaway object per row on 100k-row reads.
    this.getStmt = db.prepare<[PathKey], Row>(`SELECT ${cols} FROM ${table} WHERE key = ?`).raw();
    this.allStmt = db.prepare<[], Row>(`SELECT ${cols} FROM ${table} ORDER BY key`).raw();
    this.subtreeStmt = db
      .prepare<[PathKey, string, string], Row>(`SELECT ${cols} FROM ${table} WHERE key = ? OR (key > ? AND key < ?) ORDER BY key`)
      .raw();
    this.putStmt = db.prepare(`INSERT OR REPLACE INTO ${table} (${cols}) VALUES (${codec.columns.map(() => '?').join(', ')})`);
    this.deleteStmt = db.prepare(`DELETE FROM ${table} WHERE key = ?`);
    this.deleteSubtreeStmt = db.prepare(`DELETE FROM ${table} WHERE key = ? OR (key > ? AND key < ?)`);
    this.deleteBelowStmt = db.prepare(`DELETE FROM ${table} WHERE key > ? AND key < ?`);
    this.clearStmt = db.prepare(`DELETE FROM ${table}`);
  }

  get(key: PathKey): T | undefined {
    const row = this.getStmt.get(key);
    return row === undefined ? undefined : this.codec.fromRow(row);
  }

  /** The whole tree, in key order (so every folder comes before its contents). */
  all(): Tree<T> {
    const tree: Tree<T> = new Map();
    // iterate(), not all(): no intermediate array of 100k rows.
    for (const row of this.allStmt.iterate()) tree.set(row[0] as PathKey, this.codec.fromRow(row));
    return tree;
  }

  /** `key` (when present) and everything below it, in key order. */
  subtree(key: PathKey): T[] {
    return this.subtreeStmt.all(key, ...belowBounds(key)).map((row) => this.codec.fromRow(row));
  }

  put(item: T): void {
    assertItemKey(item.key);
    this.putStmt.run(this.codec.toRow(item));
  }

  delete(key: PathKey): void {
    this.deleteStmt.run(key);
  }

  /** Deletes `key` and everything below it. */
  deleteSubtree(key: PathKey): void {
    this.deleteSubtreeStmt.run(key, ...belowBounds(key));
  }

  /** Deletes everything below `key`, keeping `key` itself. */
  deleteBelow(key: PathKey): void {
    this.deleteBelowStmt.run(...belowBounds(key));
  }

  clear(): void {
    this.clearStmt.run();
  }
}
