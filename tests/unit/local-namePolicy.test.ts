// Which names a remote item may have and still be stored on this computer: the scanner's own
// refusals (one source of truth) plus what the OS forbids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeNameProblem, localNameProblem, localPathProblem, type LocalNameProblem } from '../../src/main/core/local/namePolicy.js';
import { nameProblem } from '../../src/main/core/paths.js';

const rows: Array<[string, string, NodeJS.Platform, LocalNameProblem | null]> = [
  ['a plain name', 'notes.txt', 'linux', null],
  ['non-ASCII', 'Caf\u00e9 \u6771\u4eac.txt', 'linux', null],
  ['a trailing space', 'x ', 'linux', 'trailing_space'],
  ['a leading space is fine', ' x', 'linux', null],
  ['.dropbox', '.dropbox', 'linux', 'disallowed'],
  ['.DROPBOX in any case', '.DROPBOX', 'darwin', 'disallowed'],
  ['desktop.ini', 'Desktop.ini', 'linux', 'disallowed'],
  ['a backslash', 'a\\b', 'linux', 'bad_character'],
  ['DEL', 'a\u007fb', 'linux', 'bad_character'],
  ['dot-dot', '..', 'linux', 'dot'],
  ['empty', '', 'linux', 'empty'],
  ['256 characters', 'a'.repeat(256), 'linux', 'too_long'],
  ['255 characters that take more than 255 bytes', '\u00e9'.repeat(200), 'linux', 'too_long_for_disk'],
  ['255 ASCII characters', 'a'.repeat(255), 'linux', null],
  ['a colon on Linux', 'a:b', 'linux', null],
  ['a colon on Windows', 'a:b', 'win32', 'bad_character_on_windows'],
  ['a question mark on Windows', 'why?.txt', 'win32', 'bad_character_on_windows'],
  ['a trailing dot on Windows', 'name.', 'win32', 'bad_character_on_windows'],
  ['CON on Windows', 'CON', 'win32', 'reserved_on_windows'],
  ['nul.txt on Windows', 'nul.txt', 'win32', 'reserved_on_windows'],
  ['com1 on Linux', 'com1', 'linux', null],
  ['console on Windows', 'console', 'win32', null],
];

for (const [name, input, platform, expected] of rows) {
  test(`localNameProblem: ${name}`, () => {
    assert.equal(localNameProblem(input, platform), expected);
  });
}

test('every name the scanner refuses is refused for remote items too', () => {
  for (const name of ['x ', '.dropbox', 'thumbs.db', 'a\\b', '..', '', 'a'.repeat(256)]) {
    assert.notEqual(nameProblem(name), null, name);
    assert.equal(localNameProblem(name, 'linux'), nameProblem(name), name);
  }
});

const pathRows: Array<[string, string, ReturnType<typeof localPathProblem>]> = [
  ['a fine path', '/a/b/c.txt', null],
  ['the file itself', '/a/b ', { name: 'b ', problem: 'trailing_space' }],
  ['a folder above: the first bad component', '/.dropbox/x /y', { name: '.dropbox', problem: 'disallowed' }],
];
for (const [name, input, expected] of pathRows) {
  test(`localPathProblem: ${name}`, () => {
    assert.deepEqual(localPathProblem(input, 'linux'), expected);
  });
}

test('every problem has a plain reason', () => {
  const all: LocalNameProblem[] = ['empty', 'dot', 'too_long', 'too_long_for_disk', 'bad_character', 'bad_character_on_windows', 'trailing_space', 'disallowed', 'reserved_on_windows'];
  for (const problem of all) assert.match(describeNameProblem(problem), /^its name /);
});
