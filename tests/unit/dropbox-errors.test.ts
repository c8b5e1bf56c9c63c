// Mapping Dropbox HTTP and transport failures onto the engine's error hierarchy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ExpiredTokenError,
  IncorrectOffsetError,
  errorTags,
  mapDropboxError,
  mapHttpFailure,
  retryAfterMs,
} from '../../src/main/core/remote/dropbox/errorMapping.js';
import { AuthError, RemoteConflictError, SyncError, TwinfoldError, redactSecrets } from '../../src/main/core/errors.js';

const headers = (h: Record<string, string> = {}) => new Headers(h);
const ctx = { route: 'files/upload', path: '/a.txt' };

/** [name, status, body, response headers, expected error summary] */
const rows: Array<[string, number, unknown, Record<string, string>, Record<string, unknown>]> = [
  ['expired token', 401, { error_summary: 'expired_access_token/', error: { '.tag': 'expired_access_token' } }, {}, { name: 'ExpiredTokenError', code: 'auth' }],
  ['invalid token', 401, { error_summary: 'invalid_access_token/...', error: { '.tag': 'invalid_access_token' } }, {}, { name: 'AuthError', code: 'auth' }],
  ['revoked refresh token', 400, { error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' }, {}, { name: 'AuthError', code: 'auth' }],
  ['malformed token as plain 400', 400, 'Error in call to API function "users/get_current_account": The given OAuth 2 access token is malformed.', {}, { name: 'AuthError', code: 'auth' }],
  ['bad argument 400', 400, 'Error in call to API function "files/upload": request body: unknown field \'x\'', {}, { name: 'SyncError', code: 'sync', retryable: false }],
  ['not found', 409, { error_summary: 'path/not_found/..', error: { '.tag': 'path', path: { '.tag': 'not_found' } } }, {}, { name: 'RemoteNotFoundError', code: 'remote_not_found', path: '/a.txt' }],
  ['lookup not found on delete', 409, { error_summary: 'path_lookup/not_found/', error: {} }, {}, { name: 'RemoteNotFoundError', code: 'remote_not_found' }],
  ['upload conflict', 409, { error_summary: 'path/conflict/file/.', error: { '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file' } } } }, {}, { name: 'RemoteConflictError', conflictWith: 'file' }],
  ['move target taken', 409, { error_summary: 'to/conflict/folder/..', error: {} }, {}, { name: 'RemoteConflictError', conflictWith: 'folder' }],
  ['conflict found without a summary', 409, { error: { '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file_ancestor' } } } }, {}, { name: 'RemoteConflictError', conflictWith: 'file_ancestor' }],
  ['cursor reset', 409, { error_summary: 'reset/..', error: { '.tag': 'reset' } }, {}, { name: 'CursorResetError', code: 'cursor_reset' }],
  ['incorrect offset on append', 409, { error_summary: 'incorrect_offset/.', error: { '.tag': 'incorrect_offset', correct_offset: 4194304 } }, {}, { name: 'IncorrectOffsetError', correctOffset: 4194304 }],
  ['incorrect offset on finish', 409, { error_summary: 'lookup_failed/incorrect_offset/', error: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 12 } } }, {}, { name: 'IncorrectOffsetError', correctOffset: 12 }],
  ['expired upload session', 409, { error_summary: 'lookup_failed/not_found/', error: {} }, {}, { name: 'SyncError', retryable: true }],
  ['write lock contention', 409, { error_summary: 'path/too_many_write_operations/', error: {} }, { 'Retry-After': '2' }, { name: 'RateLimitError', retryAfterMs: 2000, reason: 'too_many_write_operations' }],
  ['corrupted upload', 409, { error_summary: 'content_hash_mismatch/', error: { '.tag': 'content_hash_mismatch' } }, {}, { name: 'VerificationError', retryable: true }],
  ['quota', 409, { error_summary: 'path/insufficient_space/.', error: {} }, {}, { name: 'SyncError', title: 'Dropbox is full' }],
  ['unknown route error', 409, { error_summary: 'path/weird_thing/', error: {} }, {}, { name: 'SyncError', retryable: false }],
  ['429 with Retry-After', 429, { error_summary: 'too_many_requests/', error: { reason: { '.tag': 'too_many_requests' } } }, { 'Retry-After': '7' }, { name: 'RateLimitError', retryAfterMs: 7000, reason: 'too_many_requests' }],
  ['429 write operations', 429, { error_summary: 'too_many_write_operations/.', error: { reason: { '.tag': 'too_many_write_operations' } } }, { 'Retry-After': '1' }, { name: 'RateLimitError', retryAfterMs: 1000, reason: 'too_many_write_operations' }],
  ['429 plain text uses body-less default', 429, 'too many requests', {}, { name: 'RateLimitError', retryAfterMs: 5000 }],
  ['429 retry_after in body', 429, { error: { reason: { '.tag': 'too_many_requests' }, retry_after: 300 } }, {}, { name: 'RateLimitError', retryAfterMs: 300_000 }],
  ['500', 500, 'Internal Server Error', {}, { name: 'ServerError', status: 500, retryable: true }],
  ['503', 503, '', {}, { name: 'ServerError', status: 503 }],
  ['unexpected status', 418, 'teapot', {}, { name: 'InvalidResponseError' }],
];

for (const [name, status, body, hdrs, expected] of rows) {
  test(`mapHttpFailure: ${name}`, () => {
    const err = mapHttpFailure({ status, headers: headers(hdrs), body }, ctx) as unknown as Record<string, unknown>;
    const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, err[k]]));
    assert.deepEqual(picked, expected);
    assert.ok(err instanceof TwinfoldError);
  });
}

test('subclasses keep their family: expired is an AuthError, offsets and conflicts are SyncErrors', () => {
  assert.ok(new ExpiredTokenError() instanceof AuthError);
  assert.ok(new IncorrectOffsetError('/a', 1) instanceof SyncError);
  assert.ok(new RemoteConflictError('/a') instanceof SyncError);
});

const transportRows: Array<[string, unknown, string]> = [
  ['fetch failed (refused)', new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), 'NetworkError'],
  ['body cut off', new TypeError('terminated', { cause: new Error('other side closed') }), 'NetworkError'],
  ['socket reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'NetworkError'],
  ['body aborted by the peer', new DOMException('aborted', 'AbortError'), 'NetworkError'],
  ['malformed JSON', new SyntaxError('Unexpected token'), 'InvalidResponseError'],
  ['a bug stays a bug', new TypeError('cannot read properties of undefined'), 'TypeError'],
];
for (const [name, err, expected] of transportRows) {
  test(`mapDropboxError: ${name}`, () => {
    assert.equal((mapDropboxError(err, ctx) as Error).name, expected);
  });
}

test('mapDropboxError: our own abort wins over whatever the request threw', () => {
  const controller = new AbortController();
  const reason = new Error('user cancelled');
  controller.abort(reason);
  assert.equal(mapDropboxError(new TypeError('fetch failed'), ctx, controller.signal), reason);
});

const tagRows: Array<[unknown, string[]]> = [
  [{ error_summary: 'path/conflict/file/..' }, ['path', 'conflict', 'file']],
  [{ error_summary: 'reset/' }, ['reset']],
  [{ error: { '.tag': 'path', path: { '.tag': 'not_found' } } }, ['path', 'not_found']],
  [{ error: { reason: { '.tag': 'too_many_requests' } } }, ['too_many_requests']],
  ['plain text', []],
  [null, []],
];
for (const [body, expected] of tagRows) {
  test(`errorTags(${JSON.stringify(body)})`, () => {
    assert.deepEqual(errorTags(body), expected);
  });
}

test('retryAfterMs reads seconds, HTTP dates and falls back', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(retryAfterMs(headers({ 'Retry-After': '3' }), null, now), 3000);
  assert.equal(retryAfterMs(headers({ 'Retry-After': 'Mon, 01 Jan 2024 00:00:10 GMT' }), null, now), 10_000);
  assert.equal(retryAfterMs(headers(), { error: { retry_after: 15 } }, now), 15_000);
  assert.equal(retryAfterMs(undefined, null, now), 5000);
});

const secretRows: Array<[string, string]> = [
  ['Authorization: Bearer sl.ABC-def_123', 'Authorization: Bearer [redacted]'],
  ['https://api.dropboxapi.com/oauth2/token?grant_type=refresh_token&refresh_token=RT123&client_id=k', 'https://api.dropboxapi.com/oauth2/token?grant_type=refresh_token&refresh_token=[redacted]&client_id=k'],
  ['{"access_token": "sl.xyz"}', '{"access_token": "[redacted]"}'],
  ['?code=abc&state=s', '?code=[redacted]&state=[redacted]'],
  ['http://127.0.0.1:53690/?token=abcDEF_-1', 'http://127.0.0.1:53690/?token=[redacted]'],
  ['nothing secret here', 'nothing secret here'],
];
for (const [input, expected] of secretRows) {
  test(`redactSecrets(${JSON.stringify(input)})`, () => {
    assert.equal(redactSecrets(input), expected);
  });
}

test('error messages built from server text never carry a token', () => {
  const err = mapHttpFailure({ status: 400, headers: headers(), body: 'bad request for Bearer sl.SECRET' }, ctx);
  assert.doesNotMatch(err.message, /sl\.SECRET/);
  assert.match(new AuthError().message, /sign in again/);
});
