// POST /api/call/<name>: the UI's requests. Checks that the request comes from the UI itself (the
// custom header a cross-site form cannot send, the Origin), reads a bounded JSON body, runs the
// call and maps CallFailure codes to HTTP statuses. Unexpected errors become a redacted 500.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRequestName, type CallError } from '../../common/contract.js';
import { redactSecrets, errorMessage } from '../core/errors.js';
import { CallFailure, type AppServiceApi, type CallContext } from '../service/types.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** What a refused over-long body may still send before the connection is cut. */
const MAX_DISCARD_BYTES = 8 * MAX_BODY_BYTES;

export const STATUS_OF_CODE: Record<CallError['code'], number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  // Not 401: that status means "this browser has no session with the server" to the web UI, while
  // 'auth' means Dropbox needs a sign-in; the UI must not mistake one for the other.
  auth: 403,
  internal: 500,
};

/** A refusal before the call runs: status and the body's code and message. */
export class HttpRefusal extends Error {
  constructor(readonly status: number, readonly code: CallError['code'], message: string) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/**
 * The same-origin checks for a state-changing request. `ownHost` is the Host header (already
 * checked). Browsers send Origin on every cross-origin POST and Sec-Fetch-Site on
 * every request; scripts (curl with the bearer token) send neither, which is fine.
 */
export function checkSameOrigin(headers: IncomingMessage['headers'], ownHost: string): void {
  if (headers['x-twinfold-request'] !== '1') {
    throw new HttpRefusal(403, 'bad_request', 'requests to the Twinfold API must carry the header x-twinfold-request: 1');
  }
  const origin = headers.origin;
  // Same host and port as the Host header; https too, for a TLS-terminating reverse proxy.
  const own = [`http://${ownHost}`, `https://${ownHost}`].map((o) => o.toLowerCase());
  if (origin !== undefined && !own.includes(origin.toLowerCase())) {
    throw new HttpRefusal(403, 'bad_request', `cross-origin request refused (Origin ${origin} is not http://${ownHost})`);
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpRefusal(403, 'bad_request', 'cross-site request refused');
  }
  const type = headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpRefusal(415, 'bad_request', 'the request body must be JSON (content-type: application/json)');
  }
}

/** Reads and parses the body, refusing more than MAX_BODY_BYTES without buffering it. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) throw new HttpRefusal(413, 'bad_request', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpRefusal(413, 'bad_request', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpRefusal(400, 'bad_request', 'the request body is not valid JSON');
  }
}

/** After an early refusal, lets the client finish sending (so it reads the answer) up to a cap. */
export function discardBody(req: IncomingMessage): void {
  if (req.readableEnded) return;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) req.destroy();
  });
  req.resume();
}

export interface CallRoute {
  service: AppServiceApi;
  log: (line: string) => void;
  headers: Record<string, string>;
}

/** Runs one call; every outcome is answered with JSON, never thrown. */
export async function handleCall(req: IncomingMessage, res: ServerResponse, name: string, ctx: CallContext, route: CallRoute & { ownHost: string }): Promise<void> {
  const { service, log, headers } = route;
  try {
    if (req.method !== 'POST') throw new HttpRefusal(405, 'bad_request', 'use POST for /api/call');
    checkSameOrigin(req.headers, route.ownHost);
    if (!isRequestName(name)) throw new HttpRefusal(404, 'not_found', `there is no request named ${JSON.stringify(name.slice(0, 100))}`);
    const args = await readJsonBody(req);
    const result = await service.call(name, args, ctx);
    sendJson(res, 200, { result }, headers);
  } catch (err) {
    if (err instanceof HttpRefusal) {
      discardBody(req);
      const extra: Record<string, string> = err.status === 405 ? { Allow: 'POST' } : err.status === 413 ? { Connection: 'close' } : {};
      sendJson(res, err.status, { code: err.code, message: err.message }, { ...headers, ...extra });
      return;
    }
    if (err instanceof CallFailure) {
      sendJson(res, STATUS_OF_CODE[err.code], { code: err.code, message: redactSecrets(err.message) }, headers);
      return;
    }
    const message = redactSecrets(errorMessage(err));
    log(`request ${name} failed: ${redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}`);
    sendJson(res, 500, { code: 'internal', message }, headers);
  }
}
