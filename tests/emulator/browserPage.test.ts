// The emulator's file page at GET /: refuses without its access token, and with it lists, uploads,
// renames, deletes and downloads through the API's own handlers, escaping every name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startHarness, TOKEN, type Harness } from './support.js';

/** Opens the page as the printed address does and returns the session cookie. */
async function signIn(h: Harness): Promise<string> {
  const res = await h.api(`/?token=${TOKEN}`, { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/');
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.equal(cookie, `twinfold_emulator_${h.emu.port}=${TOKEN}`);
  assert.match(res.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
  return cookie;
}

async function page(h: Harness, cookie: string, path: string): Promise<string> {
  const res = await h.api(`/?path=${encodeURIComponent(path)}`, { headers: { cookie } });
  assert.equal(res.status, 200);
  return res.text();
}

async function post(h: Harness, cookie: string, action: string, body: FormData | URLSearchParams): Promise<Response> {
  return h.api(`/browse/${action}`, { method: 'POST', headers: { cookie }, body, redirect: 'manual' });
}

function statusWithHost(h: Harness, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: h.emu.port, path: `/?token=${TOKEN}`, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('without the access token the page shows nothing and changes nothing', async (t) => {
  const h = await startHarness(t);
  await h.dbx.filesUpload({ path: '/secret.txt', contents: 'x' });
  const bare = await h.api('/');
  assert.equal(bare.status, 401);
  assert.doesNotMatch(await bare.text(), /secret\.txt/);
  assert.equal((await h.api('/?token=wrong', { redirect: 'manual' })).status, 401);
  assert.equal((await h.api('/?path=', { headers: { cookie: `twinfold_emulator_${h.emu.port}=wrong` } })).status, 401);
  const del = await h.api('/browse/delete', { method: 'POST', body: new URLSearchParams({ path: '/secret.txt' }), redirect: 'manual' });
  assert.equal(del.status, 401);
  assert.equal((await h.api('/browse/download?path=%2Fsecret.txt')).status, 401);
  assert.equal(await statusWithHost(h, 'attacker.example'), 403, 'a foreign Host name (DNS rebinding) is refused');
  assert.equal((await h.dbx.filesGetMetadata({ path: '/secret.txt' })).result.name, 'secret.txt', 'still there');
});

test('with the token: upload, list (escaped), download, rename, delete, and see what was deleted', async (t) => {
  const h = await startHarness(t);
  const cookie = await signIn(h);
  await h.dbx.filesCreateFolderV2({ path: '/Docs' });

  const upload = new FormData();
  upload.set('folder', '/Docs');
  upload.set('file', new Blob(['hello <world>']), '<b>&report.txt');
  const uploaded = await post(h, cookie, 'upload', upload);
  assert.equal(uploaded.status, 303);
  assert.equal(uploaded.headers.get('location'), '/?path=%2FDocs');
  const meta = await h.dbx.filesGetMetadata({ path: '/Docs/<b>&report.txt' });
  assert.equal(meta.result.name, '<b>&report.txt', 'the upload went through the API');

  const listing = await page(h, cookie, '/Docs');
  assert.match(listing, /&lt;b&gt;&amp;report\.txt/);
  assert.doesNotMatch(listing, /<b>&report/, 'names are escaped');
  assert.match(await page(h, cookie, ''), /Docs\//, 'the root lists the folder');

  const download = await h.api(`/browse/download?path=${encodeURIComponent('/Docs/<b>&report.txt')}`, { headers: { cookie } });
  assert.equal(download.status, 200);
  assert.equal(await download.text(), 'hello <world>');
  assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename\*=UTF-8''%3Cb%3E%26report\.txt$/);

  const renamed = await post(h, cookie, 'rename', new URLSearchParams({ path: '/Docs/<b>&report.txt', name: 'final.txt' }));
  assert.equal(renamed.status, 303);
  assert.equal((await h.dbx.filesGetMetadata({ path: '/Docs/final.txt' })).result.name, 'final.txt');
  assert.match(await page(h, cookie, '/Docs'), /final\.txt/);

  const clash = await post(h, cookie, 'rename', new URLSearchParams({ path: '/Docs/final.txt', name: 'a/b' }));
  assert.equal(clash.status, 409, 'a name with a slash is refused with a message');

  assert.equal((await post(h, cookie, 'mkdir', new URLSearchParams({ folder: '/Docs', name: 'Sub' }))).status, 303);
  assert.equal((await h.dbx.filesGetMetadata({ path: '/Docs/Sub' })).result['.tag'], 'folder');

  assert.equal((await post(h, cookie, 'delete', new URLSearchParams({ path: '/Docs/final.txt' }))).status, 303);
  const after = await page(h, cookie, '/Docs');
  assert.match(after, /Deleted here<\/h2><ul class="deleted">.*<li>final\.txt<\/li>/, 'the deleted file is listed');
  const missing = await h.api(`/browse/download?path=${encodeURIComponent('/Docs/final.txt')}`, { headers: { cookie } });
  assert.equal(missing.status, 409);

  const foreign = await h.api('/browse/delete', { method: 'POST', headers: { cookie, origin: 'http://evil.example' }, body: new URLSearchParams({ path: '/Docs/Sub' }), redirect: 'manual' });
  assert.equal(foreign.status, 403, 'a form from another site is refused');
});
