// Opening the state index: creation, schema migrations, reopening, and refusing files it must not touch.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IndexCorruptError, IndexError, StateIndex } from '../../src/main/core/index/index.js';
import { migrate, schemaVersion } from '../../src/main/core/index/migrate.js';
import { MIGRATIONS, type Migration } from '../../src/main/core/index/schema.js';

const root = mkdtempSync(join(tmpdir(), 'twinfold-index-open-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const freshPath = (name = 'state.db'): string => join(root, `case-${++seq}`, name);

/** Reads a database from outside the StateIndex, the way a second process would. */
function inspect<T>(dbPath: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const tableNames = (db: Database.Database): string[] =>
  db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
const schemaSql = (db: Database.Database): string[] => db.prepare<[], string>('SELECT sql FROM sqlite_schema ORDER BY name').pluck().all();

const TABLES = ['activity', 'errors', 'hash_cache', 'meta', 'remote', 'remote_cursor', 'remote_expected', 'remote_held', 'synced'];

test('open creates private parent directories, WAL mode and the newest schema', () => {
  const base = join(root, `case-${++seq}`);
  const dbPath = join(base, 'deep', 'state.db');
  StateIndex.open(dbPath).close();
  for (const dir of [base, join(base, 'deep')]) assert.equal(statSync(dir).mode & 0o777, 0o700, dir);
  inspect(dbPath, (db) => {
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(tableNames(db), TABLES);
  });
});

test('an existing version-0 database is migrated from the start', () => {
  const dbPath = freshPath();
  mkdirSync(join(dbPath, '..'));
  const old = new Database(dbPath);
  old.exec('CREATE TABLE scratch (x); INSERT INTO scratch VALUES (1);'); // a non-empty file that still says version 0
  old.close();
  const index = StateIndex.open(dbPath);
  index.setMeta('k', 'v');
  index.close();
  inspect(dbPath, (db) => {
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    assert.deepEqual(tableNames(db), [...TABLES, 'scratch'].sort());
  });
});

test('reopening is idempotent: same schema, same data, same version', () => {
  const dbPath = freshPath();
  const first = StateIndex.open(dbPath);
  first.putSynced({ key: '/a', path: '/A', kind: 'folder' });
  first.applyRemoteChanges([{ kind: 'upsert', item: { key: '/a', path: '/A', kind: 'folder', id: 'id:a' } }], 'cursor-1');
  first.close();
  const before = inspect(dbPath, schemaSql);
  for (let i = 0; i < 2; i++) {
    const again = StateIndex.open(dbPath);
    assert.deepEqual(again.getSynced('/a'), { key: '/a', path: '/A', kind: 'folder' });
    assert.equal(again.remoteCursor(), 'cursor-1');
    again.close();
  }
  inspect(dbPath, (db) => {
    assert.deepEqual(schemaSql(db), before);
    assert.equal(schemaVersion(db), MIGRATIONS.length);
  });
});

test(':memory: gives a working throwaway index', () => {
  const index = StateIndex.open(':memory:');
  index.setMeta('a', 'b');
  assert.equal(index.getMeta('a'), 'b');
  index.close();
});

test('migrate applies only the pending steps, in order, each with its version bump', () => {
  const log: string[] = [];
  const step =
    (n: number): Migration =>
    (db) => {
      log.push(`m${n}`);
      db.exec(`CREATE TABLE t${n} (x)`);
    };
  const steps = [step(1), step(2), step(3)];
  const rows: [number, string[]][] = [
    [0, ['m1', 'm2', 'm3']],
    [2, ['m3']],
    [3, []],
  ];
  for (const [start, expected] of rows) {
    log.length = 0;
    const db = new Database(':memory:');
    db.pragma(`user_version = ${start}`);
    migrate(db, steps, 'mem');
    assert.deepEqual(log, expected, `from ${start}`);
    assert.equal(schemaVersion(db), 3);
    db.close();
  }
});

test('a failing migration rolls back to the last completed version', () => {
  const db = new Database(':memory:');
  const steps: Migration[] = [
    (d) => d.exec('CREATE TABLE one (x)'),
    (d) => {
      d.exec('CREATE TABLE two (x)');
      throw new Error('boom');
    },
  ];
  assert.throws(() => migrate(db, steps, 'mem'), /boom/);
  assert.equal(schemaVersion(db), 1);
  assert.deepEqual(tableNames(db), ['one']);
  db.close();
});

test('a database from a newer Twinfold is refused and left as it was', () => {
  const dbPath = freshPath();
  mkdirSync(join(dbPath, '..'));
  const future = new Database(dbPath);
  future.exec('CREATE TABLE from_the_future (x)');
  future.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  future.close();
  const bytes = readFileSync(dbPath);
  assert.throws(
    () => StateIndex.open(dbPath),
    (e: unknown) => {
      assert.ok(e instanceof IndexError && !(e instanceof IndexCorruptError));
      assert.match(e.message, /newer Twinfold/);
      assert.ok(e.message.includes(dbPath));
      return true;
    },
  );
  assert.deepEqual(readFileSync(dbPath), bytes);
  assert.equal(existsSync(`${dbPath}-wal`), false);
});

/** A real database whose table pages were overwritten after the header. */
function garbledDatabase(): Buffer {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (let i = 0; i < 500; i++) insert.run(`row ${i} `.repeat(20));
  const bytes = db.serialize();
  db.close();
  bytes.fill(0xa5, 4096 * 2, 4096 * 6); // pages 3..6: b-tree pages of t
  return bytes;
}

test('a corrupt or foreign file is refused with IndexCorruptError naming it, and not modified', () => {
  const rows: [string, Buffer][] = [
    ['text file', Buffer.from('these are my notes, not a database\n'.repeat(100))],
    ['random-looking bytes', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251))],
    ['sqlite magic, garbage after', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0xee)])],
    ['garbled table pages', garbledDatabase()],
  ];
  for (const [name, content] of rows) {
    const dbPath = freshPath(`${name}.db`);
    mkdirSync(join(dbPath, '..'));
    writeFileSync(dbPath, content);
    assert.throws(
      () => StateIndex.open(dbPath),
      (e: unknown) => e instanceof IndexCorruptError && e.message.includes(dbPath) && e.dbPath === dbPath,
      name,
    );
    assert.deepEqual(readFileSync(dbPath), content, `${name}: file untouched`);
    assert.equal(existsSync(`${dbPath}-wal`), false, `${name}: no WAL created`);
  }
});

test('a path that cannot be opened gives IndexError naming it', () => {
  const dbPath = freshPath();
  mkdirSync(dbPath, { recursive: true }); // a directory where the file should be
  assert.throws(
    () => StateIndex.open(dbPath),
    (e: unknown) => e instanceof IndexError && !(e instanceof IndexCorruptError) && e.message.includes(dbPath),
  );
});
