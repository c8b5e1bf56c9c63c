// The emulator's pure pieces, table style: Stone-style validation, autorename names, error
// summaries, header JSON, cursors and the change log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeLog } from '../../src/emulator/changeLog.js';
import { decodeCursor, encodeCursor, type CursorState } from '../../src/emulator/cursors.js';
import { BadRequestError, nest, summaryChain, tag } from '../../src/emulator/errors.js';
import { headerSafeJson, parseHeaderJson } from '../../src/emulator/headerJson.js';
import { autorenameCandidate } from '../../src/emulator/naming.js';
import { parsePathArg } from '../../src/emulator/pathArgs.js';
import { SCHEMAS } from '../../src/emulator/schemas.js';
import { validate, ValidationError } from '../../src/emulator/validate.js';

function validationMessage(schema: Parameters<typeof validate>[0], value: unknown): string {
  try {
    validate(schema, value);
  } catch (err) {
    if (err instanceof ValidationError) return err.message;
    throw err;
  }
  return 'ok';
}

test('validate: defaults, union shorthand and normalisation', () => {
  const rows: [unknown, unknown][] = [
    [{ path: '/a' }, { path: '/a', mode: { '.tag': 'add' }, autorename: false, mute: false, strict_conflict: false }],
    [{ path: '/a', mode: 'overwrite' }, { path: '/a', mode: { '.tag': 'overwrite' }, autorename: false, mute: false, strict_conflict: false }],
    [{ path: '/a', mode: { '.tag': 'update', update: 'abcdef0123' }, autorename: true }, { path: '/a', mode: { '.tag': 'update', update: 'abcdef0123' }, autorename: true, mute: false, strict_conflict: false }],
    [{ path: '/a', client_modified: null }, { path: '/a', mode: { '.tag': 'add' }, autorename: false, mute: false, strict_conflict: false }],
  ];
  for (const [input, expected] of rows) assert.deepEqual(validate(SCHEMAS.upload, input), { ...(expected as object) }, JSON.stringify(input));
});

test('validate: messages worded like Stone\'s', () => {
  const rows: [unknown, string][] = [
    ['x', 'expected object, got string'],
    [[], 'expected object, got list'],
    [{}, "missing required field 'path'"],
    [{ path: '/a', extra: 1 }, "unknown field 'extra'"],
    [{ path: 1.5 }, 'path: expected string, got float'],
    [{ path: '/a', mode: 7 }, 'mode: expected object or string, got integer'],
    [{ path: '/a', mode: { '.tag': 'update', update: 'xyz' } }, "mode.update: 'xyz' must be at least 9 characters, got 3"],
    [{ path: '/a', mode: { '.tag': 'update', update: 'ghijklmnop' } }, "mode.update: 'ghijklmnop' did not match pattern '[0-9a-f]+'"],
    [{ path: '/a', mode: { '.tag': 'add', add: 1 } }, "mode: unexpected field 'add' for void tag 'add'"],
    [{ path: '/a', client_modified: '2020-02-30T00:00:00Z' }, "client_modified: '2020-02-30T00:00:00Z' does not match format '%Y-%m-%dT%H:%M:%SZ'"],
    [{ path: '/a', content_hash: 'abc' }, "content_hash: 'abc' must be at least 64 characters, got 3"],
  ];
  for (const [input, expected] of rows) assert.equal(validationMessage(SCHEMAS.upload, input), expected, JSON.stringify(input));
  assert.equal(validationMessage(SCHEMAS.deleteBatch, { entries: [{ path: '/a' }, { path: 'b' }] }), "entries.1.path: 'b' did not match pattern '(/(.|[\\r\\n])*)|(ns:[0-9]+(/(.|[\\r\\n])*)?)|(id:.*)'");
  assert.equal(validationMessage(SCHEMAS.deleteBatch, { entries: Array.from({ length: 1001 }, () => ({ path: '/a' })) }), 'entries: must have at most 1000 items, got 1001');
  // Paths may contain newlines: Stone's patterns say so explicitly.
  assert.equal(validationMessage(SCHEMAS.getMetadata, { path: '/a\nb' }), 'ok');
});

test('autorename candidates', () => {
  const rows: [string, number, 'number' | 'conflicted_copy', boolean, string][] = [
    ['document.txt', 1, 'number', false, 'document (1).txt'],
    ['document.txt', 2, 'number', false, 'document (2).txt'],
    ['archive.tar.gz', 1, 'number', false, 'archive.tar (1).gz'],
    ['.bashrc', 1, 'number', false, '.bashrc (1)'],
    ['README', 3, 'number', false, 'README (3)'],
    ['my.folder', 1, 'number', true, 'my.folder (1)'],
    ['document.txt', 1, 'conflicted_copy', false, 'document (conflicted copy).txt'],
    ['document.txt', 2, 'conflicted_copy', false, 'document (conflicted copy 2).txt'],
  ];
  for (const [name, n, style, folder, expected] of rows) assert.equal(autorenameCandidate(name, n, style, folder), expected);
});

test('error summaries follow nested members and inlined structs', () => {
  const rows: [ReturnType<typeof tag>, string][] = [
    [tag('reset'), 'reset'],
    [nest('path', tag('not_found')), 'path/not_found'],
    [nest('to', nest('conflict', tag('file'))), 'to/conflict/file'],
    [tag('path', { reason: nest('conflict', tag('file')), upload_session_id: 'pid' }), 'path/conflict/file'],
    [tag('incorrect_offset', { correct_offset: 5 }), 'incorrect_offset'],
    [nest('lookup_failed', tag('incorrect_offset', { correct_offset: 5 })), 'lookup_failed/incorrect_offset'],
  ];
  for (const [error, expected] of rows) assert.equal(summaryChain(error), expected);
});

test('header JSON escapes everything from U+007F up and reads raw UTF-8 back', () => {
  assert.equal(headerSafeJson({ name: 'ü\u007f☃😀' }), '{"name":"\\u00fc\\u007f\\u2603\\ud83d\\ude00"}');
  assert.deepEqual(parseHeaderJson('{"name":"\\u00fc"}'), { name: 'ü' });
  assert.deepEqual(parseHeaderJson(Buffer.from('{"name":"ü☃"}', 'utf8').toString('latin1')), { name: 'ü☃' });
});

test('path arguments', () => {
  assert.deepEqual(parsePathArg('', '42'), { kind: 'path', components: [] });
  assert.deepEqual(parsePathArg('/a/B', '42'), { kind: 'path', components: ['a', 'B'] });
  assert.deepEqual(parsePathArg('id:abc/x/y', '42'), { kind: 'id', id: 'id:abc', rest: ['x', 'y'] });
  assert.deepEqual(parsePathArg('rev:0123456789', '42'), { kind: 'rev', rev: '0123456789' });
  assert.deepEqual(parsePathArg('ns:42/a', '42'), { kind: 'path', components: ['a'] });
  assert.deepEqual(parsePathArg('ns:42', '42'), { kind: 'path', components: [] });
  assert.deepEqual(parsePathArg('ns:7/a', '42'), { kind: 'foreign' });
  assert.throws(() => parsePathArg('/', '42'), BadRequestError);
});

test('cursors round-trip; garbled or foreign ones are refused', () => {
  const cursor: CursorState = { ns: 'inst', epoch: 2, path: '/a/ü', recursive: true, includeDeleted: false, pos: 17, initialUpTo: 9, folderSeq: 3, limit: 100 };
  const encoded = encodeCursor(cursor);
  assert.match(encoded, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor(encoded, 'inst'), cursor);
  for (const bad of [encoded.slice(0, -3), 'AAAA', 'garbage', encodeCursor({ ...cursor, pos: -1 })]) {
    assert.throws(() => decodeCursor(bad, 'inst'), BadRequestError, bad);
  }
  assert.throws(() => decodeCursor(encoded, 'other'), BadRequestError);
});

test('change log: since() by position, and compaction raises the floor', () => {
  const log = new ChangeLog(8);
  for (let seq = 1; seq <= 8; seq++) log.append({ seq, path: `/f${seq}`, kind: 'file' });
  assert.deepEqual(log.since(5).map((e) => e.seq), [6, 7, 8]);
  assert.deepEqual(log.since(0).length, 8);
  assert.equal(log.floor, 0);
  log.append({ seq: 9, path: '/f9', kind: 'file' });
  assert.equal(log.floor, 2);
  assert.deepEqual(log.since(0).map((e) => e.seq), [3, 4, 5, 6, 7, 8, 9]);
});
