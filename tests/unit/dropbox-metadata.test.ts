// Converting and validating Dropbox metadata: paths relative to the synced folder, unsafe or
// foreign entries dropped, malformed answers rejected as InvalidResponseError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RootScope,
  entryToChange,
  normalizeRemoteRoot,
  parseAccount,
  parseApiResultHeader,
  parseFileMetadata,
  parseListPage,
  parseLongpoll,
  type EntryOutcome,
} from '../../src/main/core/remote/dropbox/metadata.js';
import { InvalidResponseError } from '../../src/main/core/errors.js';
import type { RemoteItem } from '../../src/main/core/engine/model.js';
import { headerSafeJson } from '../../src/main/core/remote/dropbox/download.js';
import { dropboxTimestamp } from '../../src/main/core/remote/dropbox/upload.js';

const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const file = (pathDisplay: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  '.tag': 'file',
  name: pathDisplay.slice(pathDisplay.lastIndexOf('/') + 1),
  path_lower: pathDisplay.toLowerCase(),
  path_display: pathDisplay,
  id: 'id:abc',
  rev: '0123456789a',
  size: 0,
  content_hash: HASH,
  client_modified: '2024-05-01T12:00:00Z',
  server_modified: '2024-05-01T12:00:01Z',
  ...extra,
});
const folder = (pathDisplay: string): Record<string, unknown> => ({ '.tag': 'folder', name: 'x', path_lower: pathDisplay.toLowerCase(), path_display: pathDisplay, id: 'id:f' });
const deleted = (pathDisplay: string): Record<string, unknown> => ({ '.tag': 'deleted', name: 'x', path_lower: pathDisplay.toLowerCase(), path_display: pathDisplay });

const fileRemote = (path: string): RemoteItem => ({ key: path.toLowerCase(), path, kind: 'file', id: 'id:abc', rev: '0123456789a', size: 0, contentHash: HASH, clientModified: '2024-05-01T12:00:00Z' });
const fileItem = (path: string): EntryOutcome => ({ change: { kind: 'upsert', item: fileRemote(path) } });

const unsafe = (path: string, why: string): EntryOutcome => ({
  change: { kind: 'refused', key: path.toLowerCase(), path, reason: `its name cannot be used safely on this computer (${why}); rename it on Dropbox` },
});

const entryRows: Array<[string, string, Record<string, unknown>, EntryOutcome]> = [
  ['file at the Dropbox root', '', file('/A.txt'), fileItem('/A.txt')],
  ['file below a synced folder', '/Work', file('/Work/Sub/B.txt'), fileItem('/Sub/B.txt')],
  ['root matched case-insensitively', '/Work', file('/WORK/b.txt'), fileItem('/b.txt')],
  ['folder', '/Work', folder('/Work/Sub'), { change: { kind: 'upsert', item: { key: '/sub', path: '/Sub', kind: 'folder', id: 'id:f' } } }],
  ['deletion', '/Work', deleted('/Work/Old.txt'), { change: { kind: 'delete', key: '/old.txt' } }],
  ['the synced folder itself', '/Work', folder('/Work'), { skipped: 'the synced folder itself' }],
  ['outside the synced folder', '/Work', file('/Other/a.txt'), { skipped: '"/Other/a.txt" is outside the synced folder' }],
  ['prefix that is not a parent', '/Work', file('/Workshop/a.txt'), { skipped: '"/Workshop/a.txt" is outside the synced folder' }],
  // A path in the synced folder that is unsafe here is refused (unknown), not skipped (absent).
  ['dot-dot component', '', file('/a/../../etc/passwd'), unsafe('/a/../../etc/passwd', 'unsafe remote path "/a/../../etc/passwd": component ".." is not a plain name')],
  ['empty component', '', file('/a//b'), unsafe('/a//b', 'unsafe remote path "/a//b": component "" is not a plain name')],
  ['backslash', '', file('/a\\..\\b'), unsafe('/a\\..\\b', 'unsafe remote path "/a\\\\..\\\\b": component "a\\\\..\\\\b" is not a plain name')],
  ['NUL byte', '', file('/a\u0000b'), unsafe('/a\u0000b', 'unsafe remote path "/a\\u0000b": component "a\\u0000b" is not a plain name')],
  ['deletion at an unsafe path: a plain delete', '', deleted('/a\\b'), { change: { kind: 'delete', key: '/a\\b' } }],
  ['relative path', '', file('a.txt'), { skipped: '"a.txt" is outside the synced folder' }],
  ['path_lower escaping while path_display looks fine', '/Work', file('/Work/a.txt', { path_lower: '/other/a.txt' }), { skipped: '"/other/a.txt" is outside the synced folder' }],
  ['no path (unmounted)', '', file('/a', { path_display: undefined, path_lower: undefined }), { skipped: 'entry has no path (not mounted)' }],
  ['unknown kind from a newer API', '', { '.tag': 'shortcut', name: 'x' }, { skipped: 'unknown entry kind "shortcut"' }],
  // Dropbox's own path_lower rides along when it is not the key: it tells twins apart.
  ['NFD name keyed by NFC', '', file('/Cafe\u0301.txt'), { change: { kind: 'upsert', item: { ...fileRemote('/Cafe\u0301.txt'), key: '/caf\u00e9.txt' }, providerKey: '/cafe\u0301.txt' } }],
  ['NFD deletion keyed by NFC', '', deleted('/Cafe\u0301.txt'), { change: { kind: 'delete', key: '/caf\u00e9.txt', providerKey: '/cafe\u0301.txt' } }],
  ['unknown kind at a path: refused, not skipped', '/W', { '.tag': 'shortcut', name: 'x', path_lower: '/w/x', path_display: '/W/X' }, { change: { kind: 'refused', key: '/x', path: '/X', reason: 'Dropbox sent an item of a kind this version of Twinfold does not know (shortcut); a newer Twinfold may sync it' } }],
];

for (const [name, root, entry, expected] of entryRows) {
  test(`entryToChange: ${name}`, () => {
    assert.deepEqual(entryToChange(entry, new RootScope(root)), expected);
  });
}

// Without even a path, nothing can be said about any item: the page is bad.
const malformedRows: Array<[string, unknown]> = [
  ['no tag', { name: 'a' }],
  ['null entry', null],
  ['a deletion without a name', { '.tag': 'deleted', path_display: '/a' }],
  ['a file whose path is not a string', file('/a', { path_display: 5 })],
];

for (const [name, entry] of malformedRows) {
  test(`entryToChange rejects a malformed entry: ${name}`, () => {
    assert.throws(() => entryToChange(entry, new RootScope('')), InvalidResponseError);
  });
}

// A malformed entry that still names its path is refused: that one item is unknown, the rest syncs.
const refusedRows: Array<[string, unknown, string]> = [
  ['size is a string', file('/a', { size: '12' }), 'size'],
  ['negative size', file('/a', { size: -1 }), 'size'],
  ['rev not hex', file('/a', { rev: 'zzzzzzzzzz' }), 'rev'],
  ['content_hash wrong length', file('/a', { content_hash: 'abc' }), 'content_hash'],
  ['missing id', file('/a', { id: undefined }), 'id'],
  ['bad timestamp', file('/a', { client_modified: 'yesterday' }), 'client_modified'],
  ['folder without id', { '.tag': 'folder', name: 'a', path_display: '/a' }, 'id'],
];

for (const [name, entry, field] of refusedRows) {
  test(`entryToChange refuses a malformed entry at a path: ${name}`, () => {
    assert.deepEqual(entryToChange(entry, new RootScope('')), {
      change: { kind: 'refused', key: '/a', path: '/a', reason: `Dropbox described it in a way Twinfold could not read (${field}); it is read again when it changes on Dropbox` },
    });
  });
}

test('parseListPage keeps order, refuses unsafe entries, drops and logs foreign ones', () => {
  const warnings: string[] = [];
  const page = parseListPage(
    { entries: [folder('/W'), file('/W/a'), file('/W/../x'), file('/Other/y'), deleted('/W/b')], cursor: 'c1', has_more: true },
    new RootScope('/W'),
    { warn: (m) => warnings.push(m) },
  );
  assert.deepEqual(page.changes.map((c) => (c.kind === 'upsert' ? `+${c.item.key}` : c.kind === 'delete' ? `-${c.key}` : `?${c.key}`)), ['+/a', '?/../x', '-/b']);
  assert.equal(page.cursor, 'c1');
  assert.equal(page.hasMore, true);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /outside the synced folder/);
});

const pageRows: Array<[string, unknown]> = [
  ['not an object', 'oops'],
  ['entries missing', { cursor: 'c', has_more: false }],
  ['cursor missing', { entries: [], has_more: false }],
  ['has_more not boolean', { entries: [], cursor: 'c', has_more: 'no' }],
];
for (const [name, value] of pageRows) {
  test(`parseListPage rejects: ${name}`, () => {
    assert.throws(() => parseListPage(value, new RootScope(''), { warn: () => undefined }), InvalidResponseError);
  });
}

test('parseFileMetadata insists on the path that was asked for', () => {
  const scope = new RootScope('/W');
  const untagged = { ...file('/W/A.txt'), '.tag': undefined };
  assert.equal(parseFileMetadata(untagged, scope, '/a.txt', 'upload').path, '/A.txt');
  assert.throws(() => parseFileMetadata(untagged, scope, '/b.txt', 'upload'), InvalidResponseError);
  assert.throws(() => parseFileMetadata({ ...untagged, path_display: '/X/A.txt', path_lower: '/x/a.txt' }, scope, '/a.txt', 'upload'), InvalidResponseError);
});

test('parseAccount and parseLongpoll validate shapes', () => {
  assert.deepEqual(parseAccount({ account_id: 'dbid:x', name: { display_name: 'Ann' }, email: 'a@b.c', extra: 1 }), { accountId: 'dbid:x', displayName: 'Ann', email: 'a@b.c' });
  assert.throws(() => parseAccount({ account_id: 'dbid:x', email: 'a@b.c' }), InvalidResponseError);
  assert.deepEqual(parseLongpoll({ changes: false, backoff: 5 }), { changes: false, backoffSec: 5 });
  assert.deepEqual(parseLongpoll({ changes: true }), { changes: true });
  assert.throws(() => parseLongpoll({ changes: 'yes' }), InvalidResponseError);
  assert.throws(() => parseLongpoll({ changes: true, backoff: -3 }), InvalidResponseError);
});

test('parseApiResultHeader is strict', () => {
  assert.deepEqual(parseApiResultHeader('{"a":"\\u00fc"}'), { a: 'ü' });
  assert.throws(() => parseApiResultHeader(null), InvalidResponseError);
  assert.throws(() => parseApiResultHeader('{"a":'), InvalidResponseError);
});

const rootRows: Array<[string, string | Error]> = [
  ['', ''],
  ['/', ''],
  ['/Work', '/Work'],
  ['/Work/Sub', '/Work/Sub'],
  ['Work', new Error()],
  ['/Work/', new Error()],
  ['/a/../b', new Error()],
];
for (const [input, expected] of rootRows) {
  test(`normalizeRemoteRoot(${JSON.stringify(input)})`, () => {
    if (expected instanceof Error) assert.throws(() => normalizeRemoteRoot(input));
    else assert.equal(normalizeRemoteRoot(input), expected);
  });
}

const scopeRows: Array<[string, string, string | null]> = [
  ['', '/a', '/a'],
  ['', '', null],
  ['/W', '/W', ''],
  ['/W', '/w/x/Y', '/x/Y'],
  ['/W', '/Wx/y', null],
  ['/W/S', '/W', null],
];
for (const [root, path, expected] of scopeRows) {
  test(`RootScope(${JSON.stringify(root)}).toRelative(${JSON.stringify(path)})`, () => {
    assert.equal(new RootScope(root).toRelative(path), expected);
  });
}

const encodeRows: Array<[unknown, string]> = [
  [{ path: '/a.txt' }, '{"path":"/a.txt"}'],
  [{ path: '/ü' }, '{"path":"/\\u00fc"}'],
  [{ path: '/\u007f😀' }, '{"path":"/\\u007f\\ud83d\\ude00"}'],
];
for (const [value, expected] of encodeRows) {
  test(`headerSafeJson(${JSON.stringify(value)})`, () => {
    assert.equal(headerSafeJson(value), expected);
    assert.deepEqual(JSON.parse(expected), value);
  });
}

const timeRows: Array<[Date, string | undefined]> = [
  [new Date('2024-05-01T12:00:00.999Z'), '2024-05-01T12:00:00Z'],
  [new Date(0), '1970-01-01T00:00:00Z'],
  [new Date(Number.NaN), undefined],
];
for (const [date, expected] of timeRows) {
  test(`dropboxTimestamp(${String(date.getTime())})`, () => {
    assert.equal(dropboxTimestamp(date), expected);
  });
}
