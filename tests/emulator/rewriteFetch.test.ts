// rewritingFetch / rewriteDropboxUrl: which URLs move onto the base URL and how, what reaches the
// underlying fetch, and node-fetch's buffer() on responses (the SDK's downloads need it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteDropboxUrl, rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';

test('rewriteDropboxUrl: Dropbox API hosts move onto the base, keeping path and query', () => {
  const rows: [string, string, string][] = [
    ['https://api.dropboxapi.com/2/files/list_folder', 'http://127.0.0.1:8765', 'http://127.0.0.1:8765/2/files/list_folder'],
    ['https://content.dropboxapi.com/2/files/upload', 'http://127.0.0.1:8765/', 'http://127.0.0.1:8765/2/files/upload'],
    ['https://notify.dropboxapi.com/2/files/list_folder/longpoll', 'https://emu.test', 'https://emu.test/2/files/list_folder/longpoll'],
    ['https://api.dropboxapi.com/oauth2/token?grant_type=refresh_token&refresh_token=r', 'http://h:1/prefix/', 'http://h:1/prefix/oauth2/token?grant_type=refresh_token&refresh_token=r'],
    ['https://www.dropbox.com/oauth2/authorize?response_type=code&client_id=c', 'http://h:1', 'http://h:1/oauth2/authorize?response_type=code&client_id=c'],
    // Not the API: left alone.
    ['https://www.dropbox.com/developers', 'http://h:1', 'https://www.dropbox.com/developers'],
    ['https://example.com/2/files/upload', 'http://h:1', 'https://example.com/2/files/upload'],
    ['http://api.dropboxapi.com/2/files/list_folder', 'http://h:1', 'http://api.dropboxapi.com/2/files/list_folder'],
    ['https://api.dropboxapi.com.evil.test/2/x', 'http://h:1', 'https://api.dropboxapi.com.evil.test/2/x'],
  ];
  for (const [url, base, expected] of rows) assert.equal(rewriteDropboxUrl(url, base), expected, url);
});

test('a bad base URL is refused up front', () => {
  for (const base of ['not a url', 'ftp://h/', 'http://h/?q=1', 'http://user:pw@h/']) {
    assert.throws(() => rewritingFetch(base), TypeError, base);
  }
});

test('requests reach the underlying fetch rewritten, with init untouched; responses gain buffer()', async () => {
  const seen: { url: string; init: RequestInit | undefined }[] = [];
  const base = (async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: input instanceof Request ? input.url : String(input), init });
    return new Response('payload', { status: 200, headers: { 'Dropbox-API-Result': '{}' } });
  }) as typeof fetch;
  const f = rewritingFetch('http://127.0.0.1:9/', base);
  const init = { method: 'POST', headers: { 'Dropbox-API-Arg': '{"path":"/a"}' }, body: 'x' };
  const res = await f('https://content.dropboxapi.com/2/files/download', init);
  assert.equal(seen[0]!.url, 'http://127.0.0.1:9/2/files/download');
  assert.equal(seen[0]!.init, init);
  const buffer = await (res as unknown as { buffer(): Promise<Buffer> }).buffer();
  assert.ok(Buffer.isBuffer(buffer));
  assert.equal(buffer.toString(), 'payload');

  await f(new URL('https://api.dropboxapi.com/2/users/get_current_account'));
  assert.equal(seen[1]!.url, 'http://127.0.0.1:9/2/users/get_current_account');

  await f(new Request('https://api.dropboxapi.com/2/files/list_folder', { method: 'POST', body: '{"path":""}', headers: { 'Content-Type': 'application/json' } }));
  assert.equal(seen[2]!.url, 'http://127.0.0.1:9/2/files/list_folder');

  // Streamed bodies get duplex: 'half', which Node's fetch insists on.
  const stream = new ReadableStream({ start: (c) => c.close() });
  await f('https://content.dropboxapi.com/2/files/upload', { method: 'POST', body: stream });
  assert.equal((seen[3]!.init as { duplex?: string }).duplex, 'half');
});

test('against a real server: Request bodies move over intact', async (t) => {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(JSON.stringify({ url: req.url, method: req.method, body: Buffer.concat(chunks).toString(), type: req.headers['content-type'] })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  const f = rewritingFetch(`http://127.0.0.1:${port}`);
  const res = await f(new Request('https://api.dropboxapi.com/2/files/list_folder?x=1', { method: 'POST', body: '{"path":""}', headers: { 'Content-Type': 'application/json' } }));
  assert.deepEqual(await res.json(), { url: '/2/files/list_folder?x=1', method: 'POST', body: '{"path":""}', type: 'application/json' });
});
