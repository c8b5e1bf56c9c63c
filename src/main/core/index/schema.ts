// The index schema as an ordered list of migrations: entry i takes the database from
// user_version i to i + 1. Append new migrations; never edit one that has shipped.
import type { Database } from 'better-sqlite3';

export type Migration = (db: Database) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 1: the three kinds of state the engine keeps between runs.
  (db) => {
    // Tree tables are WITHOUT ROWID so rows are stored in key order: a subtree is one contiguous
    // range of the primary key, and a full read comes back parents-first.
    db.exec(`
      CREATE TABLE synced (
        key           TEXT NOT NULL PRIMARY KEY,
        path          TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
        id            TEXT,
        rev           TEXT,
        content_hash  TEXT,
        size          INTEGER,
        inode         INTEGER,
        mtime_ms      REAL,
        kept_deletion TEXT CHECK (kept_deletion IN ('local', 'remote'))
      ) WITHOUT ROWID;

      CREATE TABLE remote (
        key             TEXT NOT NULL PRIMARY KEY,
        path            TEXT NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
        id              TEXT NOT NULL,
        rev             TEXT,
        size            INTEGER,
        content_hash    TEXT,
        client_modified TEXT
      ) WITHOUT ROWID;

      -- At most one row: the change-feed cursor that matches the remote table.
      CREATE TABLE remote_cursor (
        one    INTEGER NOT NULL PRIMARY KEY CHECK (one = 1),
        cursor TEXT NOT NULL
      );

      -- Not a rowid alias on purpose: inodes of 2^63 and up arrive as doubles and must still fit.
      CREATE TABLE hash_cache (
        inode        INTEGER NOT NULL PRIMARY KEY,
        size         INTEGER NOT NULL,
        mtime_ms     REAL NOT NULL,
        content_hash TEXT NOT NULL
      ) WITHOUT ROWID;

      -- seq orders entries by insertion: wall-clock time can go backwards.
      CREATE TABLE activity (
        seq    INTEGER PRIMARY KEY,
        time   REAL NOT NULL,
        action TEXT NOT NULL,
        path   TEXT NOT NULL,
        size   INTEGER,
        detail TEXT
      );

      CREATE TABLE errors (
        key      TEXT NOT NULL PRIMARY KEY,
        path     TEXT NOT NULL,
        title    TEXT NOT NULL,
        message  TEXT NOT NULL,
        time     REAL NOT NULL,
        attempts INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE meta (
        name  TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
  // 2: the merge base's name on disk, where it is spelled differently from Dropbox's (case, Unicode form).
  (db) => {
    db.exec('ALTER TABLE synced ADD COLUMN local_name TEXT');
  },
  // 3: hash cache entries keyed by (dev, inode) and checked against ctime and the time of hashing,
  // so a reused inode or a racily changed file is never vouched for. Old entries lack both: dropped.
  (db) => {
    db.exec(`
      DROP TABLE hash_cache;
      -- Not rowid aliases on purpose: inodes of 2^63 and up arrive as doubles and must still fit.
      CREATE TABLE hash_cache (
        dev          INTEGER NOT NULL,
        inode        INTEGER NOT NULL,
        size         INTEGER NOT NULL,
        mtime_ms     REAL NOT NULL,
        ctime_ms     REAL NOT NULL,
        hashed_at_ms REAL NOT NULL,
        content_hash TEXT NOT NULL,
        PRIMARY KEY (dev, inode)
      ) WITHOUT ROWID;
    `);
  },
  // 4: remote entries kept out of the mirror, and Dropbox's own path_lower where it differs from the key.
  (db) => {
    db.exec(`
      -- NULL: Dropbox's path_lower folds to exactly the key.
      ALTER TABLE remote ADD COLUMN provider_key TEXT;

      -- Entries the remote mirror does not show the planner: another entry holds their key
      -- ('collision'), this computer cannot hold their name ('name'), or the provider could not
      -- use them ('refused'). seq keeps arrival order: the first of several twins is the one kept.
      CREATE TABLE remote_held (
        seq          INTEGER PRIMARY KEY,
        provider_key TEXT NOT NULL UNIQUE,
        key          TEXT NOT NULL,
        path         TEXT NOT NULL,
        reason       TEXT NOT NULL CHECK (reason IN ('collision', 'name', 'refused')),
        message      TEXT NOT NULL,
        time         REAL NOT NULL,
        item         TEXT
      );
      CREATE INDEX remote_held_key ON remote_held (key);
      -- Finds at once whether any row has its own provider key (almost never): see RemoteMirror.
      CREATE INDEX remote_provider_key ON remote (provider_key) WHERE provider_key IS NOT NULL;
    `);
  },
  // 5: what the server is known to hold where the change feed has not shown it yet, so a restart keeps it.
  (db) => {
    db.exec(`
      -- A RemoteExpectation as JSON per key: a write we committed, or the server's answer to a feed that contradicted one.
      CREATE TABLE remote_expected (
        key   TEXT NOT NULL PRIMARY KEY,
        entry TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
];
