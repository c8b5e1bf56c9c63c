// Reading the answers of the web UI's `POST /api/call/<name>`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCallResponse, type CallOutcome } from '../../src/renderer/logic/callResponse.js';

test('readCallResponse', () => {
  const rows: [number, string, CallOutcome][] = [
    [200, '{"result":{"a":1}}', { ok: true, result: { a: 1 } }],
    [200, '{"result":null}', { ok: true, result: null }],
    [200, '{}', { ok: true, result: undefined }],
    [200, 'not json', { ok: false, status: 200, unauthorized: false, message: 'Twinfold sent an answer this page cannot read. Reload the page.' }],
    [400, '{"code":"bad_request","message":"That folder is already synced."}', { ok: false, status: 400, unauthorized: false, message: 'That folder is already synced.' }],
    [401, '{"code":"auth","message":"Open the link printed by twinfold serve."}', { ok: false, status: 401, unauthorized: true, message: 'Open the link printed by twinfold serve.' }],
    [401, '', { ok: false, status: 401, unauthorized: true, message: 'This page is not signed in to Twinfold. Open the link printed by twinfold serve.' }],
    [502, '<html>Bad gateway</html>', { ok: false, status: 502, unauthorized: false, message: 'Twinfold could not do that (the server answered 502).' }],
    [500, '{"code":"internal"}', { ok: false, status: 500, unauthorized: false, message: 'Twinfold could not do that (the server answered 500).' }],
  ];
  for (const [status, body, expected] of rows) assert.deepEqual(readCallResponse(status, body), expected, `${status} ${body}`);
});
