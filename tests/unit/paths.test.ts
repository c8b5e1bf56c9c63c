// Dropbox path semantics: case folding, name rules, and resolving untrusted remote paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { nameProblem, pathLower, resolveInsideRoot, UnsafeRemotePathError } from '../../src/main/core/paths.js';

test('pathLower folds case per code point and normalises to NFC', () => {
  const rows: [string, string][] = [
    ['/Photos/IMG.JPG', '/photos/img.jpg'],
    ['/Cafe\u0301', '/caf\u00e9'],
    ['/ΟΔΟΣ', '/οδοσ'], // no context-sensitive final sigma, like Python's unicode.lower()
    ['/\u0130stanbul', '/istanbul'],
  ];
  for (const [input, expected] of rows) assert.equal(pathLower(input), expected, input);
});

test('nameProblem names what Dropbox refuses', () => {
  const rows: [string, ReturnType<typeof nameProblem>][] = [
    ['ok.txt', null],
    ['', 'empty'],
    ['..', 'dot'],
    ['a\\b', 'bad_character'],
    ['nul\u0000', 'bad_character'],
    ['trailing ', 'trailing_space'],
    ['Desktop.INI', 'disallowed'],
    ['x'.repeat(256), 'too_long'],
    ['what?<>|', null],
  ];
  for (const [name, expected] of rows) assert.equal(nameProblem(name), expected, JSON.stringify(name));
});

test('resolveInsideRoot keeps remote paths inside the root or refuses them', () => {
  const root = nodePath.resolve('/tmp/sync-root');
  const ok: [string, string][] = [
    ['/a.txt', nodePath.join(root, 'a.txt')],
    ['/dir/..foo', nodePath.join(root, 'dir', '..foo')],
    ['/ünï/çødé', nodePath.join(root, 'ünï', 'çødé')],
  ];
  for (const [remote, expected] of ok) assert.equal(resolveInsideRoot(root, remote), expected, remote);
  const refused = ['a.txt', '/../etc/passwd', '/a/../../x', '/a//b', '/a/./b', '/a\\..\\b', '/x\u0000y', '/'];
  for (const remote of refused) assert.throws(() => resolveInsideRoot(root, remote), UnsafeRemotePathError, remote);
});
