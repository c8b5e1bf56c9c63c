// FaultController (rules, consumption, latency, admin API) and the HTTP shapes of each fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultController, parseFaultRule, respondWithFault, writeFaultyBody, type FaultSpec } from '../../src/emulator/faults.js';

async function withServer(handler: RequestListener, run: (base: string) => Promise<void>): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function controller() {
  const calls: string[] = [];
  const faults = new FaultController({ resetCursors: () => calls.push('resetCursors'), expireTokens: () => calls.push('expireTokens') });
  return { faults, calls };
}

const tooMany: FaultSpec = { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 7 };

test('parseFaultRule accepts well-formed rules and explains bad ones', () => {
  const good: unknown[] = [
    { fault: { kind: 'reset' } },
    { fault: { kind: 'rate_limit', reason: 'too_many_write_operations', retryAfterSec: 1 }, routes: ['files/upload'], times: 2 },
    { fault: { kind: 'server_error', status: 503 }, routes: ['files/list_folder/continue'] },
    { fault: { kind: 'latency', ms: 0 } },
    { fault: { kind: 'truncate' }, times: 1 },
    { fault: { kind: 'reset_mid_body' } },
    { fault: { kind: 'endless_pages' }, routes: ['files/list_folder', 'files/list_folder/continue'] },
  ];
  for (const rule of good) assert.deepEqual(parseFaultRule(rule), { ok: true, rule }, JSON.stringify(rule));

  const bad: [unknown, RegExp][] = [
    [null, /expected object/i],
    [{}, /fault/],
    [{ fault: { kind: 'meteor' } }, /kind/],
    [{ fault: { kind: 'server_error', status: 502 } }, /status/],
    [{ fault: { kind: 'rate_limit', reason: 'too_many_requests' } }, /retryAfterSec/],
    [{ fault: { kind: 'rate_limit', reason: 'slow_down', retryAfterSec: 1 } }, /reason/],
    [{ fault: { kind: 'rate_limit', reason: 'too_many_requests', retryAfterSec: 1.5 } }, /retryAfterSec/],
    [{ fault: { kind: 'latency', ms: -1 } }, /ms/],
    [{ fault: { kind: 'reset', extra: 1 } }, /extra/],
    [{ fault: { kind: 'reset' }, times: 0 }, /times/],
    [{ fault: { kind: 'reset' }, routes: [] }, /routes/],
    [{ fault: { kind: 'reset' }, routes: ['/2/files/upload'] }, /files\/upload/],
    [{ fault: { kind: 'reset' }, colour: 'red' }, /colour/],
  ];
  for (const [rule, message] of bad) {
    const parsed = parseFaultRule(rule);
    assert.equal(parsed.ok, false, JSON.stringify(rule));
    if (!parsed.ok) assert.match(parsed.message, message, JSON.stringify(rule));
  }
});

test('take applies matching rules in order and uses up counted ones', async () => {
  const { faults } = controller();
  assert.equal(await faults.take('files/upload'), undefined);
  faults.add({ fault: tooMany, routes: ['files/upload'], times: 2 });
  faults.add({ fault: { kind: 'server_error', status: 500 } });
  const seen = [];
  for (const route of ['files/download', 'files/upload', 'files/upload', 'files/upload']) seen.push((await faults.take(route))?.kind);
  assert.deepEqual(seen, ['server_error', 'rate_limit', 'rate_limit', 'server_error']);
  assert.deepEqual(faults.list(), [{ fault: { kind: 'server_error', status: 500 } }]);
});

test('list shows what is left of each rule, and clear removes all', async () => {
  const { faults } = controller();
  const first = faults.add({ fault: { kind: 'reset' }, routes: ['files/upload'], times: 3 });
  const second = faults.add({ fault: tooMany });
  assert.notEqual(first, second);
  await faults.take('files/upload');
  assert.deepEqual(faults.listEntries(), [
    { id: first, fault: { kind: 'reset' }, routes: ['files/upload'], times: 2 },
    { id: second, fault: tooMany },
  ]);
  faults.clear();
  assert.deepEqual(faults.list(), []);
  assert.equal(await faults.take('files/upload'), undefined);
});

test('add refuses an invalid rule', () => {
  const { faults } = controller();
  assert.throws(() => faults.add({ fault: { kind: 'server_error', status: 404 as 500 } }), /invalid fault rule/);
  assert.deepEqual(faults.list(), []);
});

test('latency is waited out inside take, then the next rule still applies', async () => {
  const { faults } = controller();
  faults.add({ fault: { kind: 'latency', ms: 60 }, times: 1 });
  faults.add({ fault: tooMany, times: 1 });
  const started = performance.now();
  assert.deepEqual(await faults.take('files/list_folder'), tooMany);
  assert.ok(performance.now() - started >= 55, 'the call was delayed');
  assert.deepEqual(faults.list(), []);
});

test('clear releases requests held by a long latency fault', async () => {
  const { faults } = controller();
  faults.add({ fault: { kind: 'latency', ms: 600_000 } });
  faults.add({ fault: tooMany });
  const pending = faults.take('files/list_folder');
  faults.clear();
  // The rule after the latency was cleared while waiting, so nothing else applies.
  assert.equal(await pending, undefined);
});

test('rate-limit faults answer 429 with Retry-After and the RateLimitError body', async () => {
  const cases: [FaultSpec, string][] = [
    [tooMany, '{"error_summary":"too_many_requests/.","error":{"reason":{".tag":"too_many_requests"},"retry_after":7}}'],
    [{ kind: 'rate_limit', reason: 'too_many_write_operations', retryAfterSec: 1 }, '{"error_summary":"too_many_write_operations/.","error":{"reason":{".tag":"too_many_write_operations"},"retry_after":1}}'],
  ];
  for (const [fault, body] of cases) {
    await withServer((req, res) => assert.equal(respondWithFault(fault, req, res), true), async (base) => {
      const res = await fetch(`${base}/2/files/upload`, { method: 'POST' });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), String((fault as { retryAfterSec: number }).retryAfterSec));
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(await res.text(), body);
    });
  }
});

test('server errors answer plain text 500 and 503', async () => {
  for (const status of [500, 503] as const) {
    await withServer((req, res) => respondWithFault({ kind: 'server_error', status }, req, res), async (base) => {
      const res = await fetch(`${base}/2/files/list_folder`, { method: 'POST' });
      assert.equal(res.status, status);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.ok((await res.text()).length > 0);
    });
  }
});

test('reset drops the connection without any response', async () => {
  await withServer((req, res) => respondWithFault({ kind: 'reset' }, req, res), async (base) => {
    await assert.rejects(fetch(`${base}/2/files/list_folder`, { method: 'POST' }), TypeError);
  });
});

test('body faults are left to the route', () => {
  const untouched = {} as IncomingMessage;
  for (const kind of ['reset_mid_body', 'truncate'] as const) {
    assert.equal(respondWithFault({ kind }, untouched, {} as ServerResponse), false);
  }
  assert.equal(respondWithFault({ kind: 'latency', ms: 5 }, untouched, {} as ServerResponse), false);
});

test('damaged download bodies announce the full length and fail the client read', async () => {
  const body = Buffer.alloc(200_000, 7);
  for (const kind of ['truncate', 'reset_mid_body'] as const) {
    for (const payload of [body, Buffer.alloc(0)]) {
      await withServer((_req, res) => {
        res.setHeader('Dropbox-API-Result', '{"name":"a.bin"}');
        writeFaultyBody({ kind }, res, payload);
      }, async (base) => {
        const res = await fetch(`${base}/2/files/download`, { method: 'POST' });
        assert.equal(res.status, 200, kind);
        assert.equal(res.headers.get('content-length'), String(Math.max(payload.length, 1)));
        assert.equal(res.headers.get('dropbox-api-result'), '{"name":"a.bin"}');
        await assert.rejects(res.arrayBuffer(), `${kind} of ${payload.length} bytes`);
      });
    }
  }
});

test('the admin API lists, adds, validates and clears rules and runs the actions', async () => {
  const { faults, calls } = controller();
  const handler: RequestListener = (req, res) => {
    void faults.handleAdmin(req, res, new URL(req.url ?? '/', 'http://x')).then((handled) => {
      if (!handled) res.writeHead(404).end('not admin');
    });
  };
  await withServer(handler, async (base) => {
    const call = async (method: string, path: string, body?: string) => {
      const res = await fetch(`${base}${path}`, { method, ...(body !== undefined ? { body } : {}) });
      return { status: res.status, type: res.headers.get('content-type'), json: res.status === 404 ? undefined : await res.json() as Record<string, unknown> };
    };
    assert.deepEqual(await call('GET', '/admin/faults'), { status: 200, type: 'application/json', json: { faults: [] } });
    const added = await call('POST', '/admin/faults', JSON.stringify({ fault: { kind: 'server_error', status: 503 }, routes: ['files/upload'], times: 1 }));
    assert.equal(added.status, 200);
    assert.equal(typeof added.json?.id, 'string');
    assert.deepEqual(faults.listEntries(), [{ id: added.json?.id, fault: { kind: 'server_error', status: 503 }, routes: ['files/upload'], times: 1 }]);
    assert.deepEqual((await call('GET', '/admin/faults')).json, { faults: faults.listEntries() });

    const notJson = await call('POST', '/admin/faults', '{nope');
    assert.equal(notJson.status, 400);
    assert.match(String(notJson.json?.error), /JSON fault rule/);
    const badRule = await call('POST', '/admin/faults', JSON.stringify({ fault: { kind: 'server_error', status: 418 } }));
    assert.equal(badRule.status, 400);
    assert.match(String(badRule.json?.error), /status/);
    assert.equal(faults.list().length, 1);

    assert.equal((await call('PUT', '/admin/faults')).status, 405);
    assert.deepEqual(await call('DELETE', '/admin/faults'), { status: 200, type: 'application/json', json: { faults: [] } });
    assert.deepEqual(faults.list(), []);

    assert.equal((await call('POST', '/admin/reset-cursors')).status, 200);
    assert.equal((await call('POST', '/admin/expire-tokens')).status, 200);
    assert.equal((await call('GET', '/admin/expire-tokens')).status, 405);
    assert.deepEqual(calls, ['resetCursors', 'expireTokens']);
    assert.equal((await call('GET', '/admin/other')).status, 404);
  });
});

test('the admin API refuses clients that are not on loopback', async () => {
  const { faults } = controller();
  const captured: { status?: number; body?: string } = {};
  const res = { writeHead: (status: number) => { captured.status = status; }, end: (body: string) => { captured.body = body; } } as unknown as ServerResponse;
  const req = { method: 'POST', socket: { remoteAddress: '192.168.1.20' } } as unknown as IncomingMessage;
  assert.equal(await faults.handleAdmin(req, res, new URL('http://x/admin/expire-tokens')), true);
  assert.equal(captured.status, 403);
  assert.match(captured.body ?? '', /loopback/);
});

/** A throwaway self-signed certificate, or undefined when openssl is not installed. */
function selfSignedCert(): { cert: Buffer; key: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'twinfold-faults-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One HTTPS request; resolves with the status and body, rejects when the connection breaks. */
function httpsCall(port: number): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, method: 'POST', path: '/2/files/download', rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('connection resets also work on the emulator\'s HTTPS listener', async (t) => {
  const tls = selfSignedCert();
  if (!tls) return t.skip('openssl is not installed, so no test certificate can be made');
  const body = Buffer.alloc(100_000, 1);
  for (const kind of ['reset', 'reset_mid_body'] as const) {
    const server = createHttpsServer(tls, (req, res) => {
      if (!respondWithFault({ kind }, req, res)) writeFaultyBody({ kind: 'reset_mid_body' }, res, body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await assert.rejects(httpsCall((server.address() as AddressInfo).port), kind);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
});
