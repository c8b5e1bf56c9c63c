// The web host of `twinfold serve` against a fake app service: session token → cookie, the Host
// check, CSRF checks on calls, static files without traversal, server-sent events, error mapping,
// body limits and the OAuth callback's cookie-less path.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import type { AppState, EventName, EventPayload } from '../../src/common/contract.js';
import { CallFailure, type AppServiceApi, type CallContext, type OAuthRedirectQuery } from '../../src/main/service/types.js';
import { startWebServer, PortInUseError, networkExposureWarning, type WebServer } from '../../src/main/web/webServer.js';
import { isAllowedHost, parseHostHeader } from '../../src/main/web/hostCheck.js';
import { resolveInside } from '../../src/main/web/staticFiles.js';
import { cookieValues, tokensEqual } from '../../src/main/web/sessionToken.js';

const TOKEN = 'Tk_0123456789abcdefghijklmnopqrstuvwxyzABCD';

function appState(overrides: Partial<AppState> = {}): AppState {
  return {
    overall: 'no_pairs',
    line: 'No folders yet',
    bytesPerSec: 0,
    signInNeeded: false,
    signIn: { pending: false },
    pairs: [],
    settings: { notifications: true },
    host: { kind: 'web', nativeFolderPicker: false, canReveal: false, canAutostart: false },
    ...overrides,
  };
}

/** An AppServiceApi whose calls are scripted per test and recorded. */
class FakeService implements AppServiceApi {
  state = appState();
  calls: { name: string; args: unknown; ctx?: CallContext }[] = [];
  redirects: OAuthRedirectQuery[] = [];
  handler: (name: string, args: unknown) => unknown = (name) => ({ echo: name });
  private listeners = new Map<string, Set<(p: unknown) => void>>();

  async call(name: string, args: unknown, ctx?: CallContext): Promise<unknown> {
    this.calls.push({ name, args, ctx });
    return this.handler(name, args);
  }
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    this.listeners.set(name, set);
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }
  listenerCount(name: EventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    if (name === 'state') this.state = payload as AppState;
    for (const l of this.listeners.get(name) ?? []) l(payload);
  }
  getState(): AppState {
    return this.state;
  }
  async completeRedirect(query: OAuthRedirectQuery): Promise<{ ok: boolean; message: string }> {
    this.redirects.push(query);
    return { ok: true, message: 'Signed in as Test User.' };
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

interface Setup {
  service: FakeService;
  logged: string[];
  server: WebServer;
  port: number;
  host: string;
  outside: string;
}

async function setup(t: TestContext, extra: { allowedHosts?: string[] } = {}): Promise<Setup> {
  const dir = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-web-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const staticDir = nodePath.join(dir, 'renderer');
  await mkdir(nodePath.join(staticDir, 'sub'), { recursive: true });
  await writeFile(nodePath.join(staticDir, 'index.html'), '<!doctype html><title>Twinfold</title><script type="module" src="app.js"></script>');
  await writeFile(nodePath.join(staticDir, 'app.js'), 'console.log("app");');
  await writeFile(nodePath.join(staticDir, 'styles.css'), 'body{}');
  await writeFile(nodePath.join(staticDir, 'app.js.map'), '{}');
  await writeFile(nodePath.join(staticDir, '.hidden'), 'no');
  const outside = nodePath.join(dir, 'secret.txt');
  await writeFile(outside, 'TOP SECRET');
  await symlink(outside, nodePath.join(staticDir, 'leak.txt'));
  const service = new FakeService();
  const logged: string[] = [];
  const server = await startWebServer({ service, host: '127.0.0.1', port: 0, staticDir, token: TOKEN, allowedHosts: extra.allowedHosts, authorizeOrigin: 'http://127.0.0.1:9', pingIntervalMs: 50, log: (line) => logged.push(line) });
  t.after(() => server.close());
  return { service, logged, server, port: server.port, host: `127.0.0.1:${server.port}`, outside };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP (fetch cannot set Host or leave out Origin-like headers at will). */
function send(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: { host: `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The session cookie is named after the server's port (cookies ignore ports otherwise). */
const cookieFor = (port: number) => ({ cookie: `twinfold_session_${port}=${TOKEN}` });
const callHeaders = (port: number) => ({ ...cookieFor(port), 'content-type': 'application/json', 'x-twinfold-request': '1' });

function post(s: Setup, name: string, body: unknown, headers: Record<string, string> = callHeaders(s.port)): Promise<Reply> {
  return send(s.port, { method: 'POST', path: `/api/call/${name}`, headers, body: JSON.stringify(body) });
}

test('the token in the URL becomes an HttpOnly SameSite=Strict cookie and a 303 to /', async (t) => {
  const s = await setup(t);
  assert.match(s.server.url, new RegExp(`^http://127\\.0\\.0\\.1:${s.port}/\\?token=${TOKEN}$`));
  const res = await send(s.port, { path: `/?token=${TOKEN}` });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/');
  assert.deepEqual(res.headers['set-cookie'], [`twinfold_session_${s.port}=${TOKEN}; HttpOnly; SameSite=Strict; Path=/`]);
  const page = await send(s.port, { path: '/', headers: cookieFor(s.port) });
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>Twinfold<\/title>/);
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
});

test('a generated token is 32 random bytes in base64url', async (t) => {
  const dir = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-web-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(nodePath.join(dir, 'index.html'), '<!doctype html>');
  const a = await startWebServer({ service: new FakeService(), host: '127.0.0.1', port: 0, staticDir: dir });
  t.after(() => a.close());
  const b = await startWebServer({ service: new FakeService(), host: '127.0.0.1', port: 0, staticDir: dir });
  t.after(() => b.close());
  const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';
  assert.match(tokenOf(a.url), /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(tokenOf(a.url), tokenOf(b.url));
});

test('without the session, / answers a 401 page and the API a 401 JSON, both pointing at the printed URL', async (t) => {
  const s = await setup(t);
  const page = await send(s.port, { path: '/' });
  assert.equal(page.status, 401);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  assert.match(page.body, /twinfold serve/);
  const wrongToken = await send(s.port, { path: '/?token=nope' });
  assert.equal(wrongToken.status, 401);
  assert.equal(wrongToken.headers['set-cookie'], undefined);
  const wrongCookie = await send(s.port, { path: '/', headers: { cookie: `twinfold_session_${s.port}=wrong` } });
  assert.equal(wrongCookie.status, 401);
  const api = await post(s, 'getState', {}, { 'content-type': 'application/json', 'x-twinfold-request': '1' });
  assert.equal(api.status, 401);
  assert.equal(JSON.parse(api.body).code, 'auth');
  assert.match(JSON.parse(api.body).message, /twinfold serve/);
  const asset = await send(s.port, { path: '/app.js' });
  assert.equal(asset.status, 401);
  const events = await send(s.port, { path: '/api/events' });
  assert.equal(events.status, 401);
  assert.equal(s.service.calls.length, 0);
});

test('scripts may use Authorization: Bearer instead of the cookie', async (t) => {
  const s = await setup(t);
  const res = await post(s, 'getState', {}, { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'x-twinfold-request': '1' });
  assert.equal(res.status, 200);
  const wrong = await post(s, 'getState', {}, { authorization: 'Bearer nope', 'content-type': 'application/json', 'x-twinfold-request': '1' });
  assert.equal(wrong.status, 401);
});

test('every response carries the security headers', async (t) => {
  const s = await setup(t);
  for (const res of [await send(s.port, { path: '/' }), await send(s.port, { path: '/', headers: cookieFor(s.port) }), await send(s.port, { path: '/app.js', headers: cookieFor(s.port) }), await post(s, 'getState', {}), await send(s.port, { path: '/', headers: { host: 'evil.example:80' } })]) {
    assert.equal(res.headers['content-security-policy'], "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self' http://127.0.0.1:9; frame-ancestors 'none'");
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['x-frame-options'], 'DENY');
  }
});

test('a request naming another host is refused (DNS rebinding), the allowed names pass', async (t) => {
  const s = await setup(t, { allowedHosts: ['twinfold.example.org', 'box.lan:8443'] });
  const status = async (host: string) => (await send(s.port, { path: '/', headers: { ...cookieFor(s.port), host } })).status;
  const rows: [string, number][] = [
    [`127.0.0.1:${s.port}`, 200],
    [`localhost:${s.port}`, 200],
    [`LOCALHOST:${s.port}`, 200],
    [`[::1]:${s.port}`, 200],
    [`${hostname()}:${s.port}`, 200],
    ['twinfold.example.org', 200],
    ['twinfold.example.org:443', 200],
    ['box.lan:8443', 200],
    ['box.lan:8444', 421],
    ['evil.example', 421],
    [`evil.example:${s.port}`, 421],
    ['127.0.0.1', 200],
    [`127.0.0.1:${s.port + 1}`, 200],
    [`localhost.evil.example:${s.port}`, 421],
    [`user@127.0.0.1:${s.port}`, 421],
  ];
  for (const [host, expected] of rows) assert.equal(await status(host), expected, host);
  const refused = await send(s.port, { path: `/?token=${TOKEN}`, headers: { host: 'evil.example' } });
  assert.equal(refused.status, 421);
  assert.equal(refused.headers['set-cookie'], undefined);
  assert.match(refused.body, /--allow-host/);
});

test('host header parsing and matching (table)', () => {
  const policy = { port: 53690, boundAddress: '0.0.0.0', machineName: 'Server1', allowedHosts: ['proxy.example'] };
  const rows: [string | undefined, boolean][] = [
    ['127.0.0.1:53690', true],
    ['server1:53690', true],
    ['0.0.0.0:53690', false],
    ['proxy.example', true],
    [undefined, false],
    ['', false],
    ['127.0.0.1:53690/x', false],
    ['127.0.0.1:99999', false],
    ['localhost:8080', true],
    ['[zz::1]:53690', false],
  ];
  for (const [header, expected] of rows) assert.equal(isAllowedHost(header, policy), expected, String(header));
  assert.deepEqual(parseHostHeader('[::1]:80'), { name: '[::1]', port: 80 });
  assert.deepEqual(parseHostHeader('Example.COM'), { name: 'example.com' });
});

test('calls from another origin, or without x-twinfold-request, or not JSON are refused before the service runs', async (t) => {
  const s = await setup(t);
  const rows: [Record<string, string>, number][] = [
    [{ ...callHeaders(s.port), origin: 'http://evil.example' }, 403],
    [{ ...callHeaders(s.port), origin: 'null' }, 403],
    [{ ...callHeaders(s.port), origin: `http://localhost:${s.port}` }, 403],
    [{ ...callHeaders(s.port), origin: `https://127.0.0.1:${s.port + 1}` }, 403],
    [{ ...callHeaders(s.port), 'sec-fetch-site': 'cross-site' }, 403],
    [{ ...callHeaders(s.port), 'sec-fetch-site': 'same-site' }, 403],
    [{ ...cookieFor(s.port), 'content-type': 'application/json' }, 403],
    [{ ...callHeaders(s.port), 'x-twinfold-request': '0' }, 403],
    [{ ...callHeaders(s.port), 'content-type': 'text/plain' }, 415],
    [{ ...callHeaders(s.port), 'content-type': 'application/x-www-form-urlencoded' }, 415],
  ];
  for (const [headers, expected] of rows) {
    const res = await post(s, 'setAllPaused', { paused: true }, headers);
    assert.equal(res.status, expected, JSON.stringify(headers));
    assert.equal(typeof JSON.parse(res.body).message, 'string');
  }
  assert.equal(s.service.calls.length, 0);
  const same = await post(s, 'setAllPaused', { paused: true }, { ...callHeaders(s.port), origin: `http://127.0.0.1:${s.port}`, 'sec-fetch-site': 'same-origin' });
  assert.equal(same.status, 200);
  assert.equal(s.service.calls.length, 1);
});

test('a call runs with its parsed body; redirectUri only when reached on a loopback name', async (t) => {
  const s = await setup(t, { allowedHosts: ['box.lan'] });
  s.service.handler = (name, args) => ({ name, args });
  const res = await post(s, 'browseRemote', { path: '/A' });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), { result: { name: 'browseRemote', args: { path: '/A' } } });
  assert.equal(res.headers['cache-control'], 'no-store');
  await send(s.port, { method: 'POST', path: '/api/call/signInStart', headers: { ...callHeaders(s.port), host: `localhost:${s.port}` }, body: '{}' });
  await send(s.port, { method: 'POST', path: '/api/call/signInStart', headers: { ...callHeaders(s.port), host: 'box.lan' }, body: '{}' });
  assert.deepEqual(s.service.calls.map((c) => c.ctx?.redirectUri), [`http://127.0.0.1:${s.port}/oauth/callback`, `http://localhost:${s.port}/oauth/callback`, undefined]);
  s.service.handler = () => undefined;
  const voidResult = await post(s, 'signOut', {});
  assert.equal(voidResult.status, 200);
  assert.deepEqual(JSON.parse(voidResult.body), {});
});

test('CallFailure codes map to HTTP statuses; unknown requests are 404; other errors a redacted 500', async (t) => {
  const s = await setup(t);
  const rows: [CallFailure['code'], number][] = [
    ['bad_request', 400],
    ['not_found', 404],
    ['conflict', 409],
    ['unavailable', 503],
    ['auth', 403],
    ['internal', 500],
  ];
  for (const [code, status] of rows) {
    s.service.handler = () => {
      throw new CallFailure(code, `failed with ${code}`);
    };
    const res = await post(s, 'getState', {});
    assert.equal(res.status, status, code);
    assert.deepEqual(JSON.parse(res.body), { code, message: `failed with ${code}` });
  }
  const before = s.service.calls.length;
  const unknown = await post(s, 'deleteEverything', {});
  assert.equal(unknown.status, 404);
  assert.equal(JSON.parse(unknown.body).code, 'not_found');
  const proto = await post(s, 'constructor', {});
  assert.equal(proto.status, 404);
  assert.equal(s.service.calls.length, before);

  s.service.handler = () => {
    throw new Error('upstream said: Authorization: Bearer sl.SECRETTOKEN123 refused');
  };
  const crashed = await post(s, 'getState', {});
  assert.equal(crashed.status, 500);
  const body = JSON.parse(crashed.body);
  assert.equal(body.code, 'internal');
  assert.doesNotMatch(body.message, /SECRETTOKEN/);
  assert.match(body.message, /Bearer \[redacted\]/);
  assert.equal(s.logged.length, 1);
  assert.match(s.logged[0]!, /request getState failed: Error: upstream said: Authorization: Bearer \[redacted\]/);
  assert.doesNotMatch(s.logged[0]!, /SECRETTOKEN/);
});

test('bad bodies: not JSON is 400, over 1 MiB is 413, wrong method 405', async (t) => {
  const s = await setup(t);
  const notJson = await send(s.port, { method: 'POST', path: '/api/call/getState', headers: callHeaders(s.port), body: '{nope' });
  assert.equal(notJson.status, 400);
  const empty = await send(s.port, { method: 'POST', path: '/api/call/getState', headers: callHeaders(s.port), body: '' });
  assert.equal(empty.status, 400);
  const big = JSON.stringify({ text: 'x'.repeat(1024 * 1024) });
  const tooBig = await send(s.port, { method: 'POST', path: '/api/call/setIgnoreRules', headers: callHeaders(s.port), body: big });
  assert.equal(tooBig.status, 413);
  // Without a Content-Length (chunked) the limit holds while streaming.
  const chunked = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/api/call/setIgnoreRules', headers: { host: s.host, ...callHeaders(s.port), 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    for (let i = 0; i < 17; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
    req.end();
  });
  assert.equal(chunked, 413);
  const get = await send(s.port, { path: '/api/call/getState', headers: callHeaders(s.port) });
  assert.equal(get.status, 405);
  assert.equal(s.service.calls.length, 0);
});

test('static files: content types, no traversal, no symlinks out, no dotfiles', async (t) => {
  const s = await setup(t);
  const types: [string, string][] = [
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/styles.css', 'text/css; charset=utf-8'],
    ['/app.js.map', 'application/json; charset=utf-8'],
    ['/index.html', 'text/html; charset=utf-8'],
  ];
  for (const [path, type] of types) {
    const res = await send(s.port, { path, headers: cookieFor(s.port) });
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['content-type'], type, path);
  }
  const js = await send(s.port, { path: '/app.js', headers: cookieFor(s.port) });
  assert.equal(js.headers['cache-control'], 'no-cache');
  const again = await send(s.port, { path: '/app.js', headers: { ...cookieFor(s.port), 'if-none-match': js.headers.etag as string } });
  assert.equal(again.status, 304);
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/leak.txt', '/.hidden', '/sub', '/sub/', '/nope.js', '/%00', '/%E0%A4%A']) {
    const res = await send(s.port, { path, headers: cookieFor(s.port) });
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(res.body, /TOP SECRET/, path);
  }
  const resolveRows: [string, string | undefined][] = [
    ['/', '/srv/ui/index.html'],
    ['/app.js', '/srv/ui/app.js'],
    ['/a/../../x', undefined],
    ['/%2e%2e/x', undefined],
    ['/a%2f..%2f..%2fx', undefined],
    ['//etc/passwd', undefined],
  ];
  for (const [input, expected] of resolveRows) assert.equal(resolveInside('/srv/ui', input), expected, input);
  const post405 = await send(s.port, { method: 'POST', path: '/app.js', headers: cookieFor(s.port) });
  assert.equal(post405.status, 405);
});

/** Opens the event stream and collects parsed events. */
function openEvents(port: number, headers: Record<string, string> = cookieFor(port)) {
  const events: { name: string; data: unknown }[] = [];
  let comments = 0;
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  let closeReq: () => void = () => {};
  const ready = new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] });
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) comments++;
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name !== undefined && data !== undefined) events.push({ name, data: JSON.parse(data) });
          notify();
        }
      });
    });
    req.on('error', reject);
    req.end();
    closeReq = () => req.destroy();
  });
  const until = (cond: () => boolean) => new Promise<void>((resolve) => {
    const check = () => (cond() ? resolve() : waiters.push(check));
    check();
  });
  return { events, ready, until, comments: () => comments, close: () => closeReq() };
}

test('server-sent events: the state at once, then state and activity events, to many clients; listeners cleaned up', async (t) => {
  const s = await setup(t);
  const a = openEvents(s.port);
  const b = openEvents(s.port);
  const ready = await a.ready;
  await b.ready;
  assert.equal(ready.status, 200);
  assert.match(ready.type ?? '', /^text\/event-stream/);
  await a.until(() => a.events.length >= 1);
  await b.until(() => b.events.length >= 1);
  assert.deepEqual(a.events[0], { name: 'state', data: s.service.state });
  assert.equal(s.service.listenerCount('state'), 2);

  const paused = appState({ overall: 'paused', line: 'Paused' });
  s.service.emit('state', paused);
  s.service.emit('activity', {});
  await a.until(() => a.events.length >= 3);
  await b.until(() => b.events.length >= 3);
  assert.deepEqual(a.events.slice(1), [{ name: 'state', data: paused }, { name: 'activity', data: {} }]);
  assert.deepEqual(b.events.slice(1), a.events.slice(1));
  await a.until(() => a.comments() >= 1);

  a.close();
  b.close();
  await new Promise<void>((resolve) => {
    const check = () => (s.service.listenerCount('state') === 0 && s.service.listenerCount('activity') === 0 ? resolve() : setImmediate(check));
    check();
  });
});

test('the OAuth callback: with the session it completes and 303s to /', async (t) => {
  const s = await setup(t);
  const res = await send(s.port, { path: '/oauth/callback?code=abc&state=xyz', headers: cookieFor(s.port) });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/');
  assert.deepEqual(s.service.redirects, [{ code: 'abc', state: 'xyz' }]);
});

test('the OAuth callback without the cookie completes only the pending sign-in with the same state', async (t) => {
  const s = await setup(t);
  const state = 'S'.repeat(43);
  // No sign-in pending: refused without touching the service.
  const idle = await send(s.port, { path: `/oauth/callback?code=abc&state=${state}` });
  assert.equal(idle.status, 403);
  s.service.state = appState({ signIn: { pending: true, mode: 'redirect', authorizeUrl: `https://www.dropbox.com/oauth2/authorize?client_id=k&state=${state}&response_type=code` } });
  for (const query of ['code=abc&state=wrong', 'code=abc', 'error=access_denied', `code=abc&state=${state}x`]) {
    const res = await send(s.port, { path: `/oauth/callback?${query}` });
    assert.equal(res.status, 403, query);
  }
  assert.deepEqual(s.service.redirects, []);
  const ok = await send(s.port, { path: `/oauth/callback?code=abc&state=${state}` });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /<meta http-equiv="refresh" content="0; url=\/">/);
  assert.match(ok.body, /Signed in as Test User/);
  assert.deepEqual(s.service.redirects, [{ code: 'abc', state }]);
  // A paste-mode sign-in never accepts a redirect without the session.
  s.service.state = appState({ signIn: { pending: true, mode: 'paste', authorizeUrl: `https://www.dropbox.com/oauth2/authorize?state=${state}` } });
  assert.equal((await send(s.port, { path: `/oauth/callback?code=abc&state=${state}` })).status, 403);
});

test('a port in use is a PortInUseError; binding beyond loopback warns', async (t) => {
  const s = await setup(t);
  const dir = await mkdtemp(nodePath.join(tmpdir(), 'twinfold-web-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(nodePath.join(dir, 'index.html'), '<!doctype html>');
  await assert.rejects(startWebServer({ service: new FakeService(), host: '127.0.0.1', port: s.port, staticDir: dir }), (err: unknown) => err instanceof PortInUseError && /already in use/.test(err.message));
  assert.equal(networkExposureWarning('127.0.0.1', 1), undefined);
  assert.equal(networkExposureWarning('localhost', 1), undefined);
  assert.match(networkExposureWarning('0.0.0.0', 53690) ?? '', /reachable from the network.*ssh -L 53690:127\.0\.0\.1:53690/);
  await assert.rejects(startWebServer({ service: new FakeService(), host: '127.0.0.1', port: 0, staticDir: nodePath.join(dir, 'missing') }), /npm run build/);
});

test('session helpers (table)', () => {
  assert.deepEqual(cookieValues('a=1; twinfold_session=x; twinfold_session=y', 'twinfold_session'), ['x', 'y']);
  assert.deepEqual(cookieValues(undefined, 'twinfold_session'), []);
  assert.equal(tokensEqual('abc', 'abc'), true);
  assert.equal(tokensEqual('abc', 'abcd'), false);
  assert.equal(tokensEqual('', 'abc'), false);
});
