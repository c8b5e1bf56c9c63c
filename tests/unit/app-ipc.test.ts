// The IPC edge: who may call, how failures travel as data (never with a secret), and the app://
// protocol's path rules and headers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CallFailure } from '../../src/main/service/types.js';
import { failureReply, isTrustedSender, parseCallEnvelope, replyTo, type SenderFacts } from '../../src/main/app/ipcReply.js';
import { CONTENT_SECURITY_POLICY, isAppUrl, isExternalWebUrl, resolveAppPath, serveAppRequest } from '../../src/main/app/appProtocol.js';

test('only our window, its top frame, showing app://twinfold, may call', () => {
  const ok: SenderFacts = { senderId: 7, windowId: 7, isMainFrame: true, frameUrl: 'app://twinfold/index.html' };
  const cases: Array<[string, SenderFacts, boolean]> = [
    ['our window', ok, true],
    ['our window, deep link', { ...ok, frameUrl: 'app://twinfold/index.html#/folders' }, true],
    ['another webContents', { ...ok, senderId: 8 }, false],
    ['no window open', { ...ok, windowId: undefined }, false],
    ['an iframe', { ...ok, isMainFrame: false }, false],
    ['navigated away', { ...ok, frameUrl: 'https://evil.example/' }, false],
    ['another app host', { ...ok, frameUrl: 'app://other/index.html' }, false],
    ['file url', { ...ok, frameUrl: 'file:///tmp/index.html' }, false],
    ['frame gone', { ...ok, frameUrl: undefined }, false],
  ];
  for (const [name, facts, expected] of cases) assert.equal(isTrustedSender(facts), expected, name);
});

test('failures become { error: { code, message } } with secrets masked', async () => {
  const cases: Array<[unknown, { code: string; message: string }]> = [
    [new CallFailure('not_found', 'No such folder pair'), { code: 'not_found', message: 'No such folder pair' }],
    [new CallFailure('auth', 'Dropbox said: Bearer sl.SECRET123 is invalid'), { code: 'auth', message: 'Dropbox said: Bearer [redacted] is invalid' }],
    [new Error('request to https://x/?refresh_token=SECRET456 failed'), { code: 'internal', message: 'Something went wrong: request to https://x/?refresh_token=[redacted] failed' }],
    ['a string', { code: 'internal', message: 'Something went wrong: a string' }],
  ];
  for (const [err, expected] of cases) assert.deepEqual(failureReply(err), { error: expected });
  assert.deepEqual(await replyTo(async () => 42), { result: 42 });
  assert.deepEqual(await replyTo(async () => { throw new CallFailure('conflict', 'x'); }), { error: { code: 'conflict', message: 'x' } });
});

test('call envelope', () => {
  assert.deepEqual(parseCallEnvelope('getState', undefined), { name: 'getState', args: {} });
  assert.deepEqual(parseCallEnvelope('addPair', { a: 1 }), { name: 'addPair', args: { a: 1 } });
  assert.equal(parseCallEnvelope(3, {}), undefined);
  assert.equal(parseCallEnvelope('', {}), undefined);
  assert.equal(parseCallEnvelope('x'.repeat(101), {}), undefined);
});

test('app:// URLs map inside the renderer folder only', () => {
  const root = '/opt/tw/dist/renderer';
  const cases: Array<[string, string | undefined]> = [
    ['app://twinfold/index.html', '/opt/tw/dist/renderer/index.html'],
    ['app://twinfold/', '/opt/tw/dist/renderer/index.html'],
    ['app://twinfold/app.js?v=1#x', '/opt/tw/dist/renderer/app.js'],
    ['app://twinfold/fonts/a.woff2', '/opt/tw/dist/renderer/fonts/a.woff2'],
    ['app://twinfold/../secrets.json', '/opt/tw/dist/renderer/secrets.json'], // URL parsing already clamps to the root
    ['app://twinfold/%2e%2e/%2e%2e/package.json', '/opt/tw/dist/renderer/package.json'], // the URL parser resolves these, clamped too
    ['app://twinfold/..%2f..%2fpackage.json', undefined],
    ['app://twinfold/a%5c..%5c..%5cx.js', undefined],
    ['app://twinfold/x%00.js', undefined],
    ['app://twinfold/%E0%A4%A', undefined],
    ['app://twinfold/run.sh', undefined],
    ['app://other/index.html', undefined],
    ['https://twinfold/index.html', undefined],
  ];
  for (const [url, expected] of cases) assert.equal(resolveAppPath(root, url), expected, url);
});

test('url classes', () => {
  assert.equal(isAppUrl('app://twinfold/index.html'), true);
  assert.equal(isAppUrl('not a url'), false);
  assert.equal(isExternalWebUrl('https://www.dropbox.com/'), true);
  assert.equal(isExternalWebUrl('http://localhost:53682/'), true);
  for (const u of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'app://twinfold/x', '']) assert.equal(isExternalWebUrl(u), false, u);
});

let root: string;
let outside: string;
before(async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'twinfold-protocol-'));
  root = path.join(base, 'renderer');
  outside = path.join(base, 'secret.js');
  await fs.mkdir(root);
  await fs.writeFile(path.join(root, 'index.html'), '<!doctype html><title>T</title>');
  await fs.writeFile(path.join(root, 'app.js'), 'console.log(1)');
  await fs.writeFile(outside, 'leak');
  await fs.symlink(outside, path.join(root, 'link.js'));
});
after(async () => {
  await fs.rm(path.dirname(root), { recursive: true, force: true });
});

test('serving: content, types, CSP on every answer, no escape through symlinks', async () => {
  const page = await serveAppRequest(root, 'app://twinfold/index.html');
  assert.equal(page.status, 200);
  assert.equal(page.headers['Content-Type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
  assert.equal(String(page.body), '<!doctype html><title>T</title>');
  assert.equal((await serveAppRequest(root, 'app://twinfold/app.js')).headers['Content-Type'], 'text/javascript; charset=utf-8');
  const missing = await serveAppRequest(root, 'app://twinfold/nope.js');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
  const link = await serveAppRequest(root, 'app://twinfold/link.js');
  assert.equal(link.status, 404);
  assert.ok(!String(link.body).includes('leak'));
  assert.equal((await serveAppRequest(root, 'app://twinfold/index.html', 'POST')).status, 405);
});
