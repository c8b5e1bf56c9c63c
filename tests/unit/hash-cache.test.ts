// The hash cache's policy: an entry vouches only for the very file it hashed (device, inode,
// size, mtime, ctime), and only when that file had last changed safely before it was hashed.
// Run against the in-memory cache and the index's durable one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryHashCache, RACY_MARGIN_MS, type CacheStamp, type HashCache } from '../../src/main/core/local/hashCache.js';
import { StateIndex } from '../../src/main/core/index/index.js';
import { MIGRATIONS } from '../../src/main/core/index/schema.js';
import { withTempDir } from '../helpers/tempDir.js';
import Database from 'better-sqlite3';
import * as nodePath from 'node:path';

const T = 1_700_000_000_000;
const hashed: CacheStamp = { dev: 2049, ino: 42, size: 10, mtimeMs: T - 60_000, ctimeMs: T - 30_000 };

// [description, stamp asked about, when the entry was hashed, expected]
const rows: [string, CacheStamp, number, string | undefined][] = [
  ['the same file, long unchanged', hashed, T, 'h'],
  ['a reused inode: same size and mtime, new ctime', { ...hashed, ctimeMs: T + 5_000 }, T, undefined],
  ['the same inode number on another device', { ...hashed, dev: 2050 }, T, undefined],
  ['another size', { ...hashed, size: 11 }, T, undefined],
  ['another mtime', { ...hashed, mtimeMs: hashed.mtimeMs + 0.5 }, T, undefined],
  ['another inode', { ...hashed, ino: 43 }, T, undefined],
  ['changed (ctime) within the racy margin before hashing', hashed, hashed.ctimeMs + RACY_MARGIN_MS - 1, undefined],
  ['changed exactly at the margin', hashed, hashed.ctimeMs + RACY_MARGIN_MS, undefined],
  ['changed just beyond the margin', hashed, hashed.ctimeMs + RACY_MARGIN_MS + 1, 'h'],
  ['an mtime in the future of the hash', { ...hashed, mtimeMs: T + 1 }, T, undefined],
];

const caches: [string, () => { cache: HashCache; close(): void }][] = [
  ['memory', () => ({ cache: new MemoryHashCache(), close: () => undefined })],
  [
    'index',
    () => {
      const index = StateIndex.open(':memory:');
      return { cache: index.asHashCache(), close: () => index.close() };
    },
  ],
];

for (const [kind, make] of caches) {
  for (const [description, asked, hashedAtMs, expected] of rows) {
    test(`${kind} hash cache: ${description} -> ${expected ?? 'not trusted'}`, () => {
      const { cache, close } = make();
      try {
        // The entry stores what was hashed; `asked` differs from it in one respect per row.
        const stored = asked.mtimeMs > T ? asked : hashed;
        cache.put(stored, 'h', hashedAtMs);
        assert.equal(cache.get(asked), expected);
      } finally {
        close();
      }
    });
  }

  test(`${kind} hash cache: a new put for the same inode replaces the old entry`, () => {
    const { cache, close } = make();
    try {
      cache.put(hashed, 'old', T);
      cache.put({ ...hashed, ctimeMs: T - 10_000 }, 'new', T);
      assert.deepEqual([cache.get(hashed), cache.get({ ...hashed, ctimeMs: T - 10_000 })], [undefined, 'new']);
    } finally {
      close();
    }
  });
}

test('an index from before ctime was kept drops its hash cache entries when migrated', () =>
  withTempDir('hash-cache-migrate', async (dir) => {
    const dbPath = nodePath.join(dir, 'index.sqlite');
    const old = new Database(dbPath);
    (MIGRATIONS[0] as (db: Database.Database) => void)(old);
    old.pragma('user_version = 1');
    // An entry that would vouch for any new file on inode 42 with this size and mtime.
    old.prepare('INSERT INTO hash_cache (inode, size, mtime_ms, content_hash) VALUES (42, 10, ?, ?)').run(hashed.mtimeMs, 'stale');
    old.close();
    const index = StateIndex.open(dbPath);
    try {
      assert.equal(index.cachedHash(hashed), undefined);
      index.putCachedHash(hashed, 'h', T);
      assert.equal(index.cachedHash(hashed), 'h');
    } finally {
      index.close();
    }
  }));
