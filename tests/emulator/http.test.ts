// The HTTP surface with plain fetch: the three call styles' framing, Dropbox's 400 texts for
// malformed calls, 401s, header JSON escaping, download GET/ETag/Range, unknown routes, 150 MiB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonOf, startHarness, TOKEN } from './support.js';

const auth = { Authorization: `Bearer ${TOKEN}` };
const json = { ...auth, 'Content-Type': 'application/json' };

async function text400(res: Response): Promise<string> {
  assert.equal(res.status, 400, `expected 400, got ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return res.text();
}

test('RPC framing: JSON bodies, the CORS hack type, Void arguments', async (t) => {
  const { api } = await startHarness(t);
  const listed = await api('/2/files/list_folder', { method: 'POST', headers: json, body: JSON.stringify({ path: '' }) });
  assert.equal(listed.status, 200);
  assert.equal(listed.headers.get('content-type'), 'application/json');
  assert.equal((await jsonOf(listed)).has_more, false);

  const cors = await api('/2/files/list_folder', { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain; charset=dropbox-cors-hack' }, body: '{"path":""}' });
  assert.equal(cors.status, 200);

  // Void: no body at all (JS SDK), or a JSON null (Python SDK).
  assert.equal((await api('/2/users/get_current_account', { method: 'POST', headers: auth })).status, 200);
  assert.equal((await api('/2/users/get_current_account', { method: 'POST', headers: json, body: 'null' })).status, 200);
  assert.equal(
    await text400(await api('/2/users/get_current_account', { method: 'POST', headers: json, body: '' })),
    'Error in call to API function "users/get_current_account": request body: could not decode input as JSON',
  );
});

test('malformed calls get Dropbox\'s plain-text 400s', async (t) => {
  const { api } = await startHarness(t);
  const rpc = (route: string, body: string, headers: Record<string, string> = json) => api(`/2/${route}`, { method: 'POST', headers, body });
  const cases: [Promise<Response>, string][] = [
    [rpc('files/list_folder', '{"path":'), 'Error in call to API function "files/list_folder": request body: could not decode input as JSON'],
    [rpc('files/list_folder/continue', '{"cursor":"abc","path":""}'), 'Error in call to API function "files/list_folder/continue": request body: unknown field \'path\''],
    [rpc('files/list_folder', '{}'), 'Error in call to API function "files/list_folder": request body: missing required field \'path\''],
    [rpc('files/list_folder', '{"path":5}'), 'Error in call to API function "files/list_folder": request body: path: expected string, got integer'],
    [rpc('files/list_folder', '{"path":"abc"}'), 'Error in call to API function "files/list_folder": request body: path: \'abc\' did not match pattern \'(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/(.|[\\r\\n])*)?)\''],
    [rpc('files/list_folder', '{"path":"/"}'), 'Error in call to API function "files/list_folder": Specify the root folder as an empty string rather than as "/".'],
    [rpc('files/list_folder', '{"path":"","limit":0}'), 'Error in call to API function "files/list_folder": request body: limit: 0 is not within range [1, 2000]'],
    [rpc('files/list_folder', '{"path":"","recursive":"yes"}'), 'Error in call to API function "files/list_folder": request body: recursive: expected boolean, got string'],
    [rpc('files/move_v2', '{"from_path":"/a","to_path":"/"}'), 'Error in call to API function "files/move_v2": Specify the root folder as an empty string rather than as "/".'],
    [rpc('files/get_metadata', '{"path":""}'), 'Error in call to API function "files/get_metadata": request body: path: \'\' did not match pattern \'(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/(.|[\\r\\n])*)?)\''],
    [rpc('files/list_folder/continue', '{"cursor":"garbage"}'), 'Error in call to API function "files/list_folder/continue": request body: cursor: \'garbage\' is not a valid cursor'],
    [rpc('files/list_folder', '{"path":""}', { ...auth, 'Content-Type': 'text/plain' }), 'Error in call to API function "files/list_folder": Bad HTTP "Content-Type" header: "text/plain".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".'],
    [api('/2/files/upload', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: 'x' }), 'Error in call to API function "files/upload": Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".'],
    [api('/2/files/upload', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': '{"path":' }, body: 'x' }), 'Error in call to API function "files/upload": HTTP header "Dropbox-API-Arg": could not decode input as JSON'],
    [api('/2/files/upload', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': '{"path":"/a","mode":"bogus"}' }, body: 'x' }), 'Error in call to API function "files/upload": HTTP header "Dropbox-API-Arg": mode: unknown tag \'bogus\''],
    [api('/2/files/upload', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': '{"path":"/a","mode":{".tag":"update"}}' }, body: 'x' }), 'Error in call to API function "files/upload": HTTP header "Dropbox-API-Arg": mode: missing required field \'update\''],
    [api('/2/files/upload', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json', 'Dropbox-API-Arg': '{"path":"/a"}' }, body: 'x' }), 'Error in call to API function "files/upload": Bad HTTP "Content-Type" header: "application/json".  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".'],
    [api('/2/files/upload?arg=%7B%22path%22%3A%22%2Fa%22%2C%22client_modified%22%3A%222020-13-01T00%3A00%3A00Z%22%7D', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: 'x' }), 'Error in call to API function "files/upload": URL parameter "arg": client_modified: \'2020-13-01T00:00:00Z\' does not match format \'%Y-%m-%dT%H:%M:%SZ\''],
  ];
  for (const [response, expected] of cases) assert.equal(await text400(await response), expected);
});

test('authentication: 400 for missing or malformed, 401 JSON for bad or expired tokens', async (t) => {
  const { api, emu } = await startHarness(t);
  const call = (headers: Record<string, string>) => api('/2/users/get_current_account', { method: 'POST', headers });
  assert.equal(await text400(await call({})), 'Error in call to API function "users/get_current_account": Must provide HTTP header "Authorization" or URL parameter "authorization".');
  assert.match(await text400(await call({ Authorization: 'Basic dXNlcjpwYXNz' })), /Invalid authorization value in HTTP header "Authorization": "Basic dXNlcjpwYXNz"\. Expecting "Bearer <oauth2-access-token>"\.$/);
  assert.match(await text400(await call({ Authorization: 'Bearer' })), /Invalid authorization value/);

  const invalid = await call({ Authorization: 'Bearer not-a-token' });
  assert.equal(invalid.status, 401);
  const invalidBody = await jsonOf(invalid);
  assert.match(invalidBody.error_summary, /^invalid_access_token\/\.{0,3}$/);
  assert.deepEqual(invalidBody.error, { '.tag': 'invalid_access_token' });

  emu.expireTokens();
  const expired = await call(auth);
  assert.equal(expired.status, 401);
  const expiredBody = await jsonOf(expired);
  assert.match(expiredBody.error_summary, /^expired_access_token\/\.{0,3}$/);
  assert.deepEqual(expiredBody.error, { '.tag': 'expired_access_token' });
});

test('longpoll takes no auth and refuses an Authorization header', async (t) => {
  const { api, dbx } = await startHarness(t);
  const { cursor } = (await dbx.filesListFolder({ path: '' })).result;
  await dbx.filesUpload({ path: '/x', contents: 'x' });
  const body = JSON.stringify({ cursor });
  const open = await api('/2/files/list_folder/longpoll', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  assert.deepEqual(await open.json(), { changes: true });
  assert.equal(
    await text400(await api('/2/files/list_folder/longpoll', { method: 'POST', headers: json, body })),
    'Error in call to API function "files/list_folder/longpoll": Your request includes an Authorization header, but this function does not use it.',
  );
});

test('header JSON: non-ASCII escaped as \\uXXXX both ways; raw UTF-8 accepted', async (t) => {
  const { api } = await startHarness(t);
  const name = 'Grüße ☃ 😀.txt';
  const escapedArg = JSON.stringify({ path: `/${name}` }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  assert.ok(/^[\x20-\x7e]*$/.test(escapedArg));
  const up = await api('/2/files/upload', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': escapedArg }, body: 'hi' });
  assert.equal(up.status, 200);
  assert.equal((await jsonOf(up)).name, name);

  // Raw UTF-8 bytes in the header (fetch sends each char below 256 as one byte).
  const rawArg = Buffer.from(JSON.stringify({ path: '/Ünï.txt' }), 'utf8').toString('latin1');
  const raw = await api('/2/files/upload', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': rawArg }, body: 'raw' });
  assert.equal((await jsonOf(raw)).name, 'Ünï.txt');

  const down = await api('/2/files/download', { method: 'POST', headers: { ...auth, 'Dropbox-API-Arg': escapedArg } });
  assert.equal(down.status, 200);
  const result = down.headers.get('dropbox-api-result')!;
  assert.ok(/^[\x20-\x7e]*$/.test(result), `result header is not pure ASCII: ${result}`);
  assert.ok(result.includes('Gr\\u00fc\\u00dfe \\u2603 \\ud83d\\ude00.txt'), result);
  assert.equal(JSON.parse(result).name, name);
  assert.equal(await down.text(), 'hi');
});

test('download: GET with URL arguments, ETag and If-None-Match, Range', async (t) => {
  const { api, dbx } = await startHarness(t);
  const meta = (await dbx.filesUpload({ path: '/r.txt', contents: '0123456789' })).result;
  const arg = encodeURIComponent(JSON.stringify({ path: '/r.txt' }));
  const get = (headers: Record<string, string> = {}) => api(`/2/files/download?arg=${arg}&authorization=${encodeURIComponent(`Bearer ${TOKEN}`)}`, { headers });

  const full = await get();
  assert.equal(full.status, 200);
  assert.equal(full.headers.get('etag'), `W/"${meta.rev}"`);
  assert.equal(full.headers.get('content-type'), 'application/octet-stream');
  assert.equal(full.headers.get('content-length'), '10');
  assert.equal(await full.text(), '0123456789');

  const notModified = await get({ 'If-None-Match': `W/"${meta.rev}"` });
  assert.equal(notModified.status, 304);
  assert.equal(await notModified.text(), '');
  assert.equal((await get({ 'If-None-Match': 'W/"0000000000"' })).status, 200);

  const part = await get({ Range: 'bytes=2-4' });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 2-4/10');
  assert.equal(await part.text(), '234');
  const tail = await get({ Range: 'bytes=-3' });
  assert.equal(tail.status, 206);
  assert.equal(await tail.text(), '789');
  const open = await get({ Range: 'bytes=7-' });
  assert.equal(await open.text(), '789');
  const beyond = await get({ Range: 'bytes=10-' });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), 'bytes */10');
  await beyond.arrayBuffer();
});

test('route errors carry error_summary with varying dots; unknown routes and methods', async (t) => {
  const { api } = await startHarness(t);
  const summaries = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const res = await api('/2/files/get_metadata', { method: 'POST', headers: json, body: '{"path":"/none"}' });
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const body = await jsonOf(res);
    assert.match(body.error_summary, /^path\/not_found\/\.{0,3}$/);
    summaries.add(body.error_summary);
  }
  assert.ok(summaries.size > 1, 'the number of dots should vary between calls');

  const unknown = await api('/2/files/teleport', { method: 'POST', headers: json, body: '{}' });
  assert.equal(unknown.status, 404);
  assert.equal(await unknown.text(), 'Unknown API function: "files/teleport"');
  const wrongMethod = await api('/2/files/list_folder', { headers: auth });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get('allow'), 'POST');
  await wrongMethod.arrayBuffer();
});

test('uploads over 150 MiB are refused with payload_too_large', async (t) => {
  const { api, dbx } = await startHarness(t);
  const limit = 150 * 1024 * 1024;
  const chunk = new Uint8Array(1024 * 1024);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent > limit) return controller.close();
      const piece = sent + chunk.length > limit ? chunk.subarray(0, limit + 1 - sent) : chunk;
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
  const res = await api('/2/files/upload', {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': '{"path":"/huge.bin"}' },
    body,
    duplex: 'half',
  } as RequestInit);
  assert.equal(sent, limit + 1);
  assert.equal(res.status, 409);
  const err = await jsonOf(res);
  assert.match(err.error_summary, /^payload_too_large\//);
  assert.deepEqual(err.error, { '.tag': 'payload_too_large' });
  assert.equal((await dbx.filesListFolder({ path: '' })).result.entries.length, 0);
});
