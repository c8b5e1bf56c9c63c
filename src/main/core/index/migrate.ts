// Brings a database to the newest schema version this code knows (PRAGMA user_version),
// one migration per transaction, and refuses databases written by a newer version.
import type { Database } from 'better-sqlite3';
import { IndexError } from './errors.js';
import type { Migration } from './schema.js';

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a database written by a newer Twinfold: its data may mean something this code cannot tell. */
export function assertKnownVersion(version: number, known: number, dbPath: string): void {
  if (version <= known) return;
  throw new IndexError(
    `the sync index at ${dbPath} has schema version ${version}, but this version of Twinfold knows only up to ${known}; ` +
      'it was written by a newer Twinfold: update Twinfold, or move the index away to rebuild it',
  );
}

/** Applies the pending migrations in order. Each one and its version bump commit together, so a
 * crash or a failing migration leaves the database at the last completed version. */
export function migrate(db: Database, migrations: readonly Migration[], dbPath: string): void {
  const known = migrations.length;
  for (;;) {
    const step = db.transaction((): boolean => {
      // Read inside the write transaction: another process may have migrated in the meantime.
      const version = schemaVersion(db);
      assertKnownVersion(version, known, dbPath);
      const migration = migrations[version];
      if (migration === undefined) return false;
      migration(db);
      db.pragma(`user_version = ${version + 1}`);
      return true;
    });
    // IMMEDIATE takes the write lock up front, so two processes cannot both run a migration.
    if (!step.immediate()) return;
  }
}
