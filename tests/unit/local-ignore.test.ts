// Table tests for IgnoreRules: built-ins, the state folder, and gitignore-style user rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { IgnoreFileError, IgnoreRules, STATE_DIR_NAME } from '../../src/main/core/local/ignore.js';
import { withTempDir } from '../helpers/tempDir.js';

const USER_RULES = ['build/', '*.log', '!keep.log', '/rootonly', 'docs/*.tmp', 'Café/', '# a comment', ''].join('\n');

// [rules, relPath, isDirectory, expected]
const rows: [string, string, boolean, boolean][] = [
  // The root and ordinary items.
  ['', '', true, false],
  ['', '/', true, false],
  ['', '/a.txt', false, false],
  ['', '/dir', true, false],
  // Built-ins, at any depth, case-insensitively.
  ['', '/.DS_Store', false, true],
  ['', '/a/.ds_store', false, true],
  ['', '/desktop.ini', false, true],
  ['', '/a/Desktop.INI', false, true],
  ['', '/Thumbs.db', false, true],
  ['', '/a/THUMBS.DB', false, true],
  ['', '/Icon\r', false, true],
  ['', '/a/icon\r', false, true],
  ['', '/Icon', false, false],
  ['', '/~$report.docx', false, true],
  ['', '/a/~$x', false, true],
  ['', '/~report.docx', false, false],
  ['', '/.~lock.report.odt#', false, true],
  ['', '/a/.~LOCK.x#', false, true],
  ['', '/.~lock.report.odt', false, false],
  // Children of a built-in folder.
  ['', '/.DS_Store/x', false, true],
  // Every state folder, the root's and a nested pair's, case-insensitively, with everything below it.
  ['', `/${STATE_DIR_NAME}`, true, true],
  ['', '/.TwinFold', true, true],
  ['', `/${STATE_DIR_NAME}/tmp/dl-1.tmp`, false, true],
  ['', `/a/${STATE_DIR_NAME}`, true, true],
  ['', `/a/b/${STATE_DIR_NAME}/index.db`, false, true],
  ['', '/.twinfoldignore', false, false],
  ['', '/a/.twinfoldignore', false, false],
  // OS trash folders at any depth (a drive mounted inside the synced folder has its own).
  ['', '/.Trash-1000', true, true],
  ['', '/.Trash-1000/files/a.txt', false, true],
  ['', '/.Trash-1000/info/a.txt.trashinfo', false, true],
  ['', '/mnt/.trash-0', true, true],
  ['', '/.Trash', true, true],
  ['', '/.Trash/1000/files/a.txt', false, true],
  ['', '/.Trashes', true, true],
  ['', '/a/.Trashes/501/x', false, true],
  ['', '/$RECYCLE.BIN', true, true],
  ['', '/d/$Recycle.Bin/S-1-5-21/$R1.txt', false, true],
  ['', '/Trash', true, false],
  ['', '/.Trashcan', true, false],
  ['', '/my.Trash-notes', false, false],
  // Leading slash optional.
  ['', '.DS_Store', false, true],
  ['', 'a/b', false, false],
  // Folder-only rules match the folder and its children, not a file of that name.
  [USER_RULES, '/build', true, true],
  [USER_RULES, '/build', false, false],
  [USER_RULES, '/build/out.js', false, true],
  [USER_RULES, '/build/sub', true, true],
  [USER_RULES, '/src/build', true, true],
  [USER_RULES, '/src/build/x/y.o', false, true],
  [USER_RULES, '/Build', true, true],
  // Wildcards and negation.
  [USER_RULES, '/x.log', false, true],
  [USER_RULES, '/a/b/x.LOG', false, true],
  [USER_RULES, '/keep.log', false, false],
  [USER_RULES, '/a/keep.log', false, false],
  [USER_RULES, '/log', false, false],
  // Anchored rules.
  [USER_RULES, '/rootonly', false, true],
  [USER_RULES, '/a/rootonly', false, false],
  [USER_RULES, '/docs/a.tmp', false, true],
  [USER_RULES, '/docs/sub/a.tmp', false, false],
  // Unicode: a rule matches both the NFC and the NFD spelling, in any case.
  [USER_RULES, '/Café', true, true],
  [USER_RULES, '/cafe\u0301', true, true],
  [USER_RULES, '/CAFÉ/menu.txt', false, true],
  [USER_RULES, '/Cafe', true, false],
  // Comments and blank lines are not rules.
  [USER_RULES, '/# a comment', false, false],
];

for (const [rules, relPath, isDirectory, expected] of rows) {
  test(`isIgnored(${JSON.stringify(relPath)}, ${isDirectory}) with ${rules === '' ? 'built-ins' : 'user rules'} -> ${expected}`, () => {
    assert.equal(new IgnoreRules(rules).isIgnored(relPath, isDirectory), expected);
  });
}

test('load reads .twinfoldignore from the root', () =>
  withTempDir('ignore', async (dir) => {
    await writeFile(nodePath.join(dir, '.twinfoldignore'), 'secret/\r\n*.bak\r\n');
    const rules = await IgnoreRules.load(dir);
    assert.deepEqual(
      [rules.isIgnored('/secret', true), rules.isIgnored('/a.bak', false), rules.isIgnored('/a.txt', false)],
      [true, true, false],
    );
  }));

test('load without a .twinfoldignore applies only the built-ins', () =>
  withTempDir('ignore', async (dir) => {
    const rules = await IgnoreRules.load(dir);
    assert.deepEqual([rules.isIgnored('/a.bak', false), rules.isIgnored('/.DS_Store', false)], [false, true]);
  }));

test('load fails clearly when .twinfoldignore cannot be read', () =>
  withTempDir('ignore', async (dir) => {
    // A folder in its place is unreadable as a file even for root (chmod would not stop root).
    await mkdir(nodePath.join(dir, '.twinfoldignore'));
    await assert.rejects(IgnoreRules.load(dir), (error: unknown) => {
      assert.ok(error instanceof IgnoreFileError);
      assert.match(error.message, /cannot read ignore rules from .*\.twinfoldignore: .*EISDIR/);
      return true;
    });
  }));

test('answers stay right across many calls (the matcher is rebuilt to bound its memo)', () => {
  const rules = new IgnoreRules('*.tmp\nbuild/\n');
  const answers = new Set<string>();
  for (let i = 0; i < 50_000; i++) {
    answers.add(`${rules.isIgnored(`/d${i}/f.tmp`, false)} ${rules.isIgnored(`/d${i}/build`, true)} ${rules.isIgnored(`/d${i}/f.txt`, false)}`);
  }
  assert.deepEqual([...answers], ['true true false']);
});
