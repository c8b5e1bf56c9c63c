// The desktop sign-in's loopback redirect listener over real sockets: the browser's return with a
// code or an error, foreign state refused without ending the wait, other paths and methods, the
// port already taken, timeout, cancellation, and that it stops listening after one result.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { PortInUseError, openLoopbackRedirect, type LoopbackRedirect } from '../../src/main/service/account/loopbackRedirect.js';

/** Waits on events: a bug shows up as a failure, not a hang. */
const LIMIT = { timeout: 30_000 };

const STATE = 'state-abcdefghijklmnopqrstuvwxyz-0123456789';

async function open(t: TestContext, extra: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LoopbackRedirect> {
  const loopback = await openLoopbackRedirect({ port: 0, host: '127.0.0.1', expectedState: STATE, ...extra });
  t.after(() => loopback.close());
  return loopback;
}

function at(loopback: LoopbackRedirect, query: Record<string, string>, path = ''): string {
  const url = new URL(path, loopback.redirectUri);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

test('the redirect with our state and a code settles with the code and a friendly page, then the port closes', LIMIT, async (t) => {
  const loopback = await open(t);
  assert.match(loopback.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const res = await fetch(at(loopback, { code: 'the-code', state: STATE }));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await res.text(), /You can close this tab and return to Twinfold/);
  assert.deepEqual(await loopback.result, { code: 'the-code' });
  await assert.rejects(fetch(at(loopback, { code: 'again', state: STATE })), TypeError, 'still listening after the result');
});

test('a foreign or missing state is refused and the listener keeps waiting for the real redirect', LIMIT, async (t) => {
  const loopback = await open(t);
  const foreign: Record<string, string>[] = [{ code: 'evil', state: 'other-state' }, { code: 'evil' }, { error: 'access_denied', state: 'nope' }];
  for (const query of foreign) {
    const res = await fetch(at(loopback, query));
    assert.equal(res.status, 400, JSON.stringify(query));
    assert.match(await res.text(), /not valid/);
  }
  const real = await fetch(at(loopback, { code: 'real', state: STATE }));
  assert.equal(real.status, 200);
  assert.deepEqual(await loopback.result, { code: 'real' });
});

test('other paths (favicon), other methods and a redirect without a code are answered but ignored', LIMIT, async (t) => {
  const loopback = await open(t);
  assert.equal((await fetch(new URL('/favicon.ico', loopback.redirectUri))).status, 404);
  assert.equal((await fetch(at(loopback, { code: 'x', state: STATE }, '/other'))).status, 404);
  assert.equal((await fetch(at(loopback, { code: 'x', state: STATE }), { method: 'POST' })).status, 405);
  assert.equal((await fetch(at(loopback, { state: STATE }))).status, 400);
  await fetch(at(loopback, { code: 'finally', state: STATE }));
  assert.deepEqual(await loopback.result, { code: 'finally' });
});

test('Dropbox\'s denial settles with a message for people and a page saying so', LIMIT, async (t) => {
  const loopback = await open(t);
  const res = await fetch(at(loopback, { error: 'access_denied', error_description: 'The user chose not to give your app access.', state: STATE }));
  assert.match(await res.text(), /did not allow Twinfold/);
  const result = await loopback.result;
  assert.ok('error' in result);
  assert.equal(result.reason, 'denied');
  assert.match(result.error, /did not allow Twinfold/);
});

test('other OAuth errors are described without markup', LIMIT, async (t) => {
  const loopback = await open(t);
  const res = await fetch(at(loopback, { error: 'server_error', error_description: '<script>alert(1)</script> broke', state: STATE }));
  const page = await res.text();
  assert.doesNotMatch(page, /<script>/);
  const result = await loopback.result;
  assert.ok('error' in result);
  assert.doesNotMatch(result.error, /[<>]/);
});

test('a port already in use throws PortInUseError', LIMIT, async (t) => {
  const blocker: Server = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  await assert.rejects(openLoopbackRedirect({ port, expectedState: STATE }), (err: unknown) => err instanceof PortInUseError && err.port === port);
});

test('it gives up after the timeout, and close() or the signal cancels', LIMIT, async (t) => {
  const timedOut = await open(t, { timeoutMs: 20 });
  const late = await timedOut.result;
  assert.ok('error' in late && late.reason === 'timeout');
  await assert.rejects(fetch(at(timedOut, { code: 'x', state: STATE })), TypeError);

  const closed = await open(t);
  closed.close();
  const cancelled = await closed.result;
  assert.ok('error' in cancelled && cancelled.reason === 'cancelled');

  const controller = new AbortController();
  const aborted = await open(t, { signal: controller.signal });
  controller.abort();
  const byAbort = await aborted.result;
  assert.ok('error' in byAbort && byAbort.reason === 'cancelled');
});
