// Fault injection for the emulator: rules set through the admin API (or directly in tests) that make
// API routes answer 429/5xx, drop connections, cut download bodies short or answer slowly.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { BodyTooLargeError, readSmallBody, sendJson } from './controlHttp.js';

export type FaultSpec =
  | { kind: 'rate_limit'; reason: 'too_many_requests' | 'too_many_write_operations'; retryAfterSec: number }
  | { kind: 'server_error'; status: 500 | 503 }
  | { kind: 'reset' }
  | { kind: 'reset_mid_body' }
  | { kind: 'truncate' }
  | { kind: 'latency'; ms: number }
  /** A hostile change feed: a list_folder answer with no entries, `has_more` true and a cursor that never advances. */
  | { kind: 'endless_pages' };

export interface FaultRule { fault: FaultSpec; routes?: string[]; times?: number }

export interface FaultEntry extends FaultRule { id: string }

export interface FaultActions { resetCursors(): void; expireTokens(): void }

// Route names as the SDK spells them after /2/, e.g. files/list_folder/continue.
const routeName = z.string().regex(/^[a-z0-9_]+(\/[a-z0-9_]+)*$/, 'a route looks like "files/upload" (no leading slash, no /2/)');

const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('rate_limit'),
    reason: z.enum(['too_many_requests', 'too_many_write_operations']),
    retryAfterSec: z.number().int().min(0).max(3600),
  }),
  z.strictObject({ kind: z.literal('server_error'), status: z.union([z.literal(500), z.literal(503)]) }),
  z.strictObject({ kind: z.literal('reset') }),
  z.strictObject({ kind: z.literal('reset_mid_body') }),
  z.strictObject({ kind: z.literal('truncate') }),
  z.strictObject({ kind: z.literal('latency'), ms: z.number().int().min(0).max(600_000) }),
  z.strictObject({ kind: z.literal('endless_pages') }),
]);

const faultRuleSchema = z.strictObject({
  fault: faultSpecSchema,
  routes: z.array(routeName).min(1).optional(),
  times: z.number().int().min(1).optional(),
});

/** Validates untrusted input (the admin API's JSON) into a FaultRule, or says what is wrong. */
export function parseFaultRule(input: unknown): { ok: true; rule: FaultRule } | { ok: false; message: string } {
  const parsed = faultRuleSchema.safeParse(input);
  if (parsed.success) return { ok: true, rule: parsed.data };
  return { ok: false, message: z.prettifyError(parsed.error) };
}

const ADMIN_BODY_LIMIT = 64 * 1024;

export class FaultController {
  private entries: { id: string; rule: FaultRule; remaining: number | undefined }[] = [];
  private nextId = 1;
  // Aborted by clear() so requests held by a latency fault go on at once (and servers can close).
  private latencyAbort = new AbortController();

  constructor(private readonly actions: FaultActions) {}

  add(rule: FaultRule): string {
    const checked = parseFaultRule(rule);
    if (!checked.ok) throw new TypeError(`invalid fault rule: ${checked.message}`);
    const id = `fault-${this.nextId++}`;
    this.entries.push({ id, rule: checked.rule, remaining: checked.rule.times });
    return id;
  }

  clear(): void {
    this.entries = [];
    this.latencyAbort.abort();
    this.latencyAbort = new AbortController();
  }

  /** Active rules; `times` is what is left of each. */
  list(): FaultRule[] {
    return this.listEntries().map(({ id: _id, ...rule }) => rule);
  }

  listEntries(): FaultEntry[] {
    return this.entries.map(({ id, rule, remaining }) => ({
      id,
      fault: { ...rule.fault },
      ...(rule.routes ? { routes: [...rule.routes] } : {}),
      ...(remaining !== undefined ? { times: remaining } : {}),
    }));
  }

  /**
   * The fault to apply to one call of `route`, consuming one use of its rule. Latency rules are
   * waited out here and consumed too, then the search goes on, so latency combines with a failure.
   */
  async take(route: string): Promise<FaultSpec | undefined> {
    for (const entry of [...this.entries]) {
      // An earlier latency wait may have let clear() or another request use this rule up.
      if (!this.entries.includes(entry)) continue;
      if (entry.rule.routes && !entry.rule.routes.includes(route)) continue;
      this.consume(entry);
      const fault = entry.rule.fault;
      if (fault.kind !== 'latency') return fault;
      await delay(fault.ms, undefined, { signal: this.latencyAbort.signal }).catch(() => undefined);
    }
    return undefined;
  }

  /** The /admin/* control API; false for paths it does not own. */
  async handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path !== '/admin/faults' && path !== '/admin/reset-cursors' && path !== '/admin/expire-tokens') return false;
    if (!isLoopback(req.socket.remoteAddress)) {
      sendJson(res, 403, { error: 'the admin API answers loopback clients only' });
      return true;
    }
    const method = req.method ?? 'GET';
    if (path === '/admin/faults') {
      if (method === 'GET') sendJson(res, 200, { faults: this.listEntries() });
      else if (method === 'POST') await this.addFromRequest(req, res);
      else if (method === 'DELETE') {
        this.clear();
        sendJson(res, 200, { faults: [] });
      } else sendJson(res, 405, { error: `${method} is not allowed here; use GET, POST or DELETE` }, { Allow: 'GET, POST, DELETE' });
      return true;
    }
    if (method !== 'POST') {
      sendJson(res, 405, { error: `${method} is not allowed here; use POST` }, { Allow: 'POST' });
      return true;
    }
    if (path === '/admin/reset-cursors') this.actions.resetCursors();
    else this.actions.expireTokens();
    sendJson(res, 200, { ok: true });
    return true;
  }

  private consume(entry: { remaining: number | undefined }): void {
    if (entry.remaining === undefined) return;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries = this.entries.filter((e) => e !== entry);
  }

  private async addFromRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let input: unknown;
    try {
      input = JSON.parse((await readSmallBody(req, ADMIN_BODY_LIMIT)).toString('utf8'));
    } catch (err) {
      if (err instanceof BodyTooLargeError) sendJson(res, 413, { error: err.message });
      else sendJson(res, 400, { error: 'the body must be a JSON fault rule, e.g. {"fault":{"kind":"reset"},"routes":["files/upload"],"times":1}' });
      return;
    }
    const checked = parseFaultRule(input);
    if (!checked.ok) {
      sendJson(res, 400, { error: `invalid fault rule: ${checked.message}` });
      return;
    }
    sendJson(res, 200, { id: this.add(checked.rule) });
  }
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The cursor an endless_pages answer hands out: the same every time, so it never advances. */
const ENDLESS_CURSOR = 'endless-pages-cursor';

/**
 * Applies a fault that replaces the whole response: 429 with Dropbox's RateLimitError body, a
 * plain-text 500/503, a connection reset, or a list page that never ends (endless_pages). False for faults the route must apply itself
 * (reset_mid_body and truncate, see writeFaultyBody) and for latency, which take() already served.
 */
export function respondWithFault(fault: FaultSpec, req: IncomingMessage, res: ServerResponse): boolean {
  switch (fault.kind) {
    case 'rate_limit': {
      const body = JSON.stringify({
        error_summary: `${fault.reason}/.`,
        error: { reason: { '.tag': fault.reason }, retry_after: fault.retryAfterSec },
      });
      res.writeHead(429, { 'Retry-After': String(fault.retryAfterSec), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    case 'server_error': {
      const body = fault.status === 503 ? 'Service Unavailable' : 'Internal Server Error';
      res.writeHead(fault.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    case 'reset':
      dropConnection(req.socket);
      return true;
    case 'endless_pages': {
      const body = JSON.stringify({ entries: [], cursor: ENDLESS_CURSOR, has_more: true });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    case 'reset_mid_body':
    case 'truncate':
    case 'latency':
      return false;
  }
}

/**
 * Sends a download body damaged by `fault`: the headers announce the full length, then half the
 * bytes go out and the connection either closes cleanly (truncate) or is reset (reset_mid_body).
 * The route sets its status and other headers first and calls this instead of res.end(body).
 */
export function writeFaultyBody(fault: { kind: 'reset_mid_body' | 'truncate' }, res: ServerResponse, body: Buffer): void {
  // An empty file cannot be cut short, so it is announced as one byte that never comes.
  res.setHeader('Content-Length', Math.max(body.length, 1));
  const part = body.subarray(0, Math.floor(body.length / 2));
  if (fault.kind === 'truncate') {
    // Closing after the short body is what makes the client notice; a kept-alive socket would just wait.
    res.setHeader('Connection', 'close');
    res.end(part);
    return;
  }
  res.flushHeaders();
  res.write(part, () => {
    if (res.socket) dropConnection(res.socket);
  });
}

/** RST rather than FIN, like a connection dropped by a proxy; Node can reset only plain TCP sockets. */
function dropConnection(socket: Socket): void {
  if (socket instanceof TLSSocket) socket.destroy();
  else socket.resetAndDestroy();
}
