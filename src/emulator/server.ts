// The emulator's HTTP layer: one listener for Dropbox's api, content and notify hosts, routed by
// path. Speaks the three call styles (RPC, upload, download) as Dropbox does, checks bearer
// tokens, applies injected faults, and renders errors: 400 text, 401/409 JSON, 500 text.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleBrowserPage, isBrowserPath } from './browserPage.js';
import type { EmulatorContext } from './context.js';
import { BodyTooLargeError, readSmallBody, sendJson } from './controlHttp.js';
import { BadRequestError, RouteError, SummaryFormatter, summaryChain, tag, UnauthorizedError } from './errors.js';
import { respondWithFault, writeFaultyBody, type FaultSpec } from './faults.js';
import { headerSafeJson, parseHeaderJson } from './headerJson.js';
import { handleOAuth } from './oauth.js';
import type { Call, DownloadResult, Route, RpcRoute } from './routes/types.js';
import { validate, ValidationError, type Schema } from './validate.js';

/** files/upload and every upload_session call refuse request bodies above 150 MiB. */
export const MAX_UPLOAD_BODY = 150 * 1024 * 1024;
const MAX_RPC_BODY = 16 * 1024 * 1024;

const RPC_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain; charset=dropbox-cors-hack'];
const UPLOAD_CONTENT_TYPES = ['application/octet-stream', 'text/plain; charset=dropbox-cors-hack'];

type BodyFault = Extract<FaultSpec, { kind: 'reset_mid_body' | 'truncate' }>;

export interface HandlerOptions {
  ctx: EmulatorContext;
  routes: ReadonlyMap<string, Route>;
  autoApprove: boolean;
}

export function createRequestHandler(opts: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const summaries = new SummaryFormatter();
  const { ctx, routes } = opts;

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (url.pathname.startsWith('/oauth2/')) {
      if (await handleOAuth(req, res, url, { tokens: ctx.tokens, accountId: ctx.account.accountId, autoApprove: opts.autoApprove })) {
        await ctx.persist();
        return;
      }
    }
    if (url.pathname.startsWith('/admin/') && (await ctx.faults.handleAdmin(req, res, url))) return;
    if (isBrowserPath(url.pathname)) {
      await handleBrowserPage(req, res, url, { ctx, routes });
      return;
    }
    const name = url.pathname.startsWith('/2/') ? url.pathname.slice(3) : undefined;
    const route = name === undefined ? undefined : routes.get(name);
    if (name === undefined || !route) {
      sendText(res, 404, name === undefined ? 'Not Found' : `Unknown API function: "${name}"`);
      return;
    }
    const allowed = route.style === 'download' ? ['GET', 'POST'] : ['POST'];
    if (!allowed.includes(req.method ?? '')) {
      res.setHeader('Allow', allowed.join(', '));
      sendText(res, 405, `Error in call to API function "${name}": Unsupported HTTP method "${req.method ?? ''}"; use ${allowed.join(' or ')}.`);
      return;
    }
    const fault = await ctx.faults.take(name);
    if (fault && respondWithFault(fault, req, res)) return;
    const bodyFault = fault && (fault.kind === 'reset_mid_body' || fault.kind === 'truncate') ? fault : undefined;
    try {
      await serve(route, req, res, url, bodyFault);
    } catch (err) {
      renderError(res, name, err);
    }
  }

  async function serve(route: Route, req: IncomingMessage, res: ServerResponse, url: URL, bodyFault: BodyFault | undefined): Promise<void> {
    const token = authenticate(route, req, url);
    const call: Call = { ctx, token, signal: requestSignal(res, ctx.closing) };
    if (route.style === 'download') {
      const arg = validated(route.arg, argFromHeaderOrQuery(req, url));
      const result = await route.handle(arg.value, call);
      sendDownload(req, res, result, bodyFault);
      return;
    }
    let result: unknown;
    if (route.style === 'rpc') {
      result = await route.handle(await rpcArgument(route, req), call);
    } else {
      const arg = validated(route.arg, argFromHeaderOrQuery(req, url));
      checkContentType(req, UPLOAD_CONTENT_TYPES, true);
      const body = await readUploadBody(req);
      if (body === undefined) throw new RouteError(tag('payload_too_large'));
      result = await route.handle(arg.value, body, call);
    }
    if (route.mutates) await ctx.persist();
    // A longpoll whose client went away has no one left to answer.
    if (res.destroyed) return;
    sendJson(res, 200, result ?? null);
  }

  /** The bearer token of a user-auth call; noauth routes must not carry one. */
  function authenticate(route: Route, req: IncomingMessage, url: URL): string | undefined {
    const header = req.headers.authorization;
    if (route.style === 'rpc' && route.auth === 'noauth') {
      if (header !== undefined) throw new BadRequestError('Your request includes an Authorization header, but this function does not use it.');
      return undefined;
    }
    const value = header ?? url.searchParams.get('authorization') ?? undefined;
    if (value === undefined) throw new BadRequestError('Must provide HTTP header "Authorization" or URL parameter "authorization".');
    const m = /^Bearer (\S+)$/.exec(value);
    if (!m) throw new BadRequestError(`Invalid authorization value in HTTP header "Authorization": ${JSON.stringify(value)}. Expecting "Bearer <oauth2-access-token>".`);
    const status = ctx.tokens.check(m[1]!);
    if (status === 'expired') throw new UnauthorizedError(tag('expired_access_token'));
    if (status === 'invalid') throw new UnauthorizedError(tag('invalid_access_token'));
    return m[1];
  }

  function renderError(res: ServerResponse, name: string, err: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    if (err instanceof BadRequestError) sendText(res, 400, `Error in call to API function "${name}": ${err.detail}`);
    else if (err instanceof RouteError) sendJson(res, 409, { error_summary: summaries.format(summaryChain(err.error)), error: err.error });
    else if (err instanceof UnauthorizedError) sendJson(res, 401, { error_summary: summaries.format(summaryChain(err.error)), error: err.error });
    else {
      console.error(`twinfold emulator: ${name} failed:`, err);
      sendText(res, 500, 'Internal Server Error');
    }
  }

  return (req, res) => {
    dispatch(req, res).catch((err: unknown) => {
      console.error('twinfold emulator: request failed:', err);
      if (!res.headersSent && !res.destroyed) sendText(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };
}

/** Aborts when the client disconnects (or the emulator closes) before the answer is sent. */
function requestSignal(res: ServerResponse, closing: AbortSignal): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  return AbortSignal.any([gone.signal, closing]);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** "Application/JSON;charset=UTF-8" and "application/json; charset=utf-8" are the same type. */
function normalizedContentType(req: IncomingMessage): string {
  const raw = req.headers['content-type'] ?? '';
  return raw.split(';').map((part) => part.trim()).filter(Boolean).join('; ').toLowerCase();
}

function checkContentType(req: IncomingMessage, accepted: string[], allowMissing: boolean): void {
  const type = normalizedContentType(req);
  if (type === '' && allowMissing) return;
  if (!accepted.includes(type)) {
    const expecting = accepted.map((t) => `"${t}"`).join(', ');
    throw new BadRequestError(`Bad HTTP "Content-Type" header: "${req.headers['content-type'] ?? ''}".  Expecting one of ${expecting}.`);
  }
}

function validated(schema: Schema, source: { value: unknown; where: string }): { value: unknown } {
  try {
    return { value: validate(schema, source.value) };
  } catch (err) {
    if (err instanceof ValidationError) throw new BadRequestError(`${source.where}: ${err.message}`);
    throw err;
  }
}

/** Upload and download arguments: the Dropbox-API-Arg header, or the `arg` URL parameter. */
function argFromHeaderOrQuery(req: IncomingMessage, url: URL): { value: unknown; where: string } {
  const header = req.headers['dropbox-api-arg'];
  if (typeof header === 'string') {
    const where = 'HTTP header "Dropbox-API-Arg"';
    try {
      return { value: parseHeaderJson(header), where };
    } catch {
      throw new BadRequestError(`${where}: could not decode input as JSON`);
    }
  }
  const query = url.searchParams.get('arg');
  if (query !== null) {
    const where = 'URL parameter "arg"';
    try {
      return { value: JSON.parse(query), where };
    } catch {
      throw new BadRequestError(`${where}: could not decode input as JSON`);
    }
  }
  throw new BadRequestError('Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
}

/** RPC arguments: a JSON body. Void routes also take no body at all (the JS SDK sends none). */
async function rpcArgument(route: RpcRoute, req: IncomingMessage): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readSmallBody(req, MAX_RPC_BODY);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new BadRequestError(`request body: larger than ${MAX_RPC_BODY} bytes`);
    throw err;
  }
  if (route.arg === null && raw.length === 0 && normalizedContentType(req) === '') return null;
  checkContentType(req, RPC_CONTENT_TYPES, false);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BadRequestError('request body: could not decode input as JSON');
  }
  if (route.arg === null) {
    if (value !== null) throw new BadRequestError('request body: this function takes no argument; send no body or null');
    return null;
  }
  return validated(route.arg, { value, where: 'request body' }).value;
}

/** The whole body, or undefined once it passes the limit (the rest is read and dropped). */
async function readUploadBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_UPLOAD_BODY) chunks.length = 0;
    else chunks.push(chunk);
  }
  return size > MAX_UPLOAD_BODY ? undefined : Buffer.concat(chunks);
}

function sendDownload(req: IncomingMessage, res: ServerResponse, download: DownloadResult, bodyFault: BodyFault | undefined): void {
  const etag = `W/"${download.rev}"`;
  if (etagMatches(req.headers['if-none-match'], download.rev)) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return;
  }
  const size = download.content.length;
  const headers: Record<string, string> = {
    'Dropbox-API-Result': headerSafeJson(download.result),
    'Content-Type': 'application/octet-stream',
    ETag: etag,
    'Accept-Ranges': 'bytes',
  };
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  let body = download.content;
  let status = 200;
  if (range) {
    status = 206;
    body = body.subarray(range.start, range.end + 1);
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  }
  if (bodyFault) {
    res.statusCode = status;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    writeFaultyBody(bodyFault, res, body);
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': body.length });
  res.end(body);
}

/** If-None-Match compares weakly: `W/"rev"`, `"rev"` and `*` all match the current rev. */
function etagMatches(header: string | undefined, rev: string): boolean {
  if (!header) return false;
  return header.split(',').some((tagValue) => {
    const t = tagValue.trim();
    return t === '*' || t.replace(/^W\//, '') === `"${rev}"`;
  });
}

/** A single `bytes=` range; anything else (multiple ranges, other units) is ignored, as HTTP allows. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Number(m[2]);
  if (start >= size || last < start) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}
