// The emulator's own "Dropbox web site" at GET /: browse folders, upload, rename, delete, download,
// and see what was deleted. Every action goes through the emulator's API route handlers, so it
// behaves exactly as a client calling them would (validation, conflicts, change log, cursors).
// Guarded like the API: an emulator access token, given once as /?token=... and kept in an
// HttpOnly SameSite=Strict cookie; loopback clients and loopback Host names only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackName, parseHostHeader } from '../main/web/hostCheck.js';
import { pathLower, remoteParent } from '../main/core/paths.js';
import { folderPage, messagePage, type BrowserItem } from './browserHtml.js';
import type { EmulatorContext } from './context.js';
import { readSmallBody, BodyTooLargeError } from './controlHttp.js';
import { BadRequestError, RouteError, summaryChain, UnauthorizedError } from './errors.js';
import type { Call, Route } from './routes/types.js';
import { validate, ValidationError } from './validate.js';

/** Same limit as files/upload. */
const MAX_FORM_BODY = 150 * 1024 * 1024;
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export interface BrowserPageDeps {
  ctx: EmulatorContext;
  routes: ReadonlyMap<string, Route>;
}

/** True for the paths this page answers; everything else is the API's. */
export function isBrowserPath(pathname: string): boolean {
  return pathname === '/' || pathname.startsWith('/browse/');
}

/** Cookies are per host, not per port: the port in the name keeps two emulators apart. */
export function browserCookieName(port: number): string {
  return `twinfold_emulator_${port}`;
}

function localPort(req: IncomingMessage): number {
  return req.socket.localPort ?? 0;
}

function isLoopbackClient(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function cookieToken(req: IncomingMessage): string | undefined {
  const name = browserCookieName(localPort(req));
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

function redirect(res: ServerResponse, location: string, extra: Record<string, string> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, ...extra, Location: location, 'Content-Length': 0 });
  res.end();
}

export async function handleBrowserPage(req: IncomingMessage, res: ServerResponse, url: URL, deps: BrowserPageDeps): Promise<void> {
  const host = parseHostHeader(req.headers.host);
  if (!isLoopbackClient(req) || !host || !isLoopbackName(host.name)) {
    sendHtml(res, 403, messagePage('Not available', 'The emulator shows its files only to this machine, at 127.0.0.1, localhost or [::1].'));
    return;
  }
  const { ctx } = deps;
  const given = url.pathname === '/' ? url.searchParams.get('token') : null;
  if (given !== null) {
    if (ctx.tokens.check(given) !== 'valid') {
      sendHtml(res, 401, messagePage('This link is not valid', 'The token in this address is not an access token of this emulator.'));
      return;
    }
    // The token moves into an HttpOnly cookie and leaves the address bar and the history.
    const cookie = `${browserCookieName(localPort(req))}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`;
    redirect(res, '/', { 'Set-Cookie': cookie });
    return;
  }
  const token = cookieToken(req);
  if (token === undefined || ctx.tokens.check(token) !== 'valid') {
    sendHtml(res, 401, messagePage('Sign in to the emulator', 'Open the address printed with the emulator\'s access token (/?token=...), or add ?token=<access token> to this address.'));
    return;
  }
  const call: Call = { ctx, token, signal: ctx.closing };
  const get = req.method === 'GET' || req.method === 'HEAD';
  try {
    if (url.pathname === '/' && get) await showFolder(res, url.searchParams.get('path') ?? '', ctx);
    else if (url.pathname === '/browse/download' && get) await download(res, url.searchParams.get('path') ?? '', deps, call);
    else if (req.method === 'POST' && url.pathname.startsWith('/browse/')) await act(req, res, url.pathname.slice('/browse/'.length), deps, call);
    else sendHtml(res, 404, messagePage('Not found', `Nothing here: ${req.method ?? ''} ${url.pathname}`));
  } catch (err) {
    if (err instanceof RouteError || err instanceof BadRequestError || err instanceof UnauthorizedError) {
      const detail = err instanceof BadRequestError ? err.detail : summaryChain(err.error);
      sendHtml(res, err instanceof UnauthorizedError ? 401 : 409, messagePage('Dropbox refused that', detail, url.searchParams.get('path') ?? ''));
      return;
    }
    throw err;
  }
}

async function showFolder(res: ServerResponse, path: string, ctx: EmulatorContext): Promise<void> {
  const key = pathLower(path);
  const folder = key === '' ? undefined : ctx.ns.entry(key);
  if (key !== '' && folder?.kind !== 'folder') {
    sendHtml(res, 404, messagePage('No such folder', `There is no folder ${path} (it may have been moved or deleted).`, ''));
    return;
  }
  const items: BrowserItem[] = [];
  for (const childKey of ctx.ns.childKeys(key)) {
    const entry = ctx.ns.entry(childKey);
    if (!entry) continue;
    const itemPath = ctx.ns.displayOf(childKey);
    items.push(entry.kind === 'file'
      ? { name: entry.name, path: itemPath, kind: 'file', size: entry.size, modified: entry.serverModified }
      : { name: entry.name, path: itemPath, kind: 'folder' });
  }
  items.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  const deleted = [...ctx.ns.deletedRecords()].filter(([k]) => remoteParent(k) === key).map(([, r]) => r.display).sort();
  sendHtml(res, 200, folderPage({ path: key === '' ? '' : ctx.ns.displayOf(key), items, deleted }));
}

/** Runs one API route as a client's call would, persisting the state after a mutation. */
async function callRoute(deps: BrowserPageDeps, call: Call, name: string, arg: unknown, body?: Buffer): Promise<unknown> {
  const route = deps.routes.get(name);
  if (!route || route.style === 'download' || route.arg === null) throw new Error(`the browser page needs the ${name} route`);
  let value: unknown;
  try {
    value = validate(route.arg, arg);
  } catch (err) {
    if (err instanceof ValidationError) throw new BadRequestError(err.message);
    throw err;
  }
  const result = route.style === 'upload' ? await route.handle(value, body ?? Buffer.alloc(0), call) : await route.handle(value, call);
  if (route.mutates) await deps.ctx.persist();
  return result;
}

async function download(res: ServerResponse, path: string, deps: BrowserPageDeps, call: Call): Promise<void> {
  const route = deps.routes.get('files/download');
  if (route?.style !== 'download') throw new Error('the browser page needs the files/download route');
  const { content, result } = await route.handle({ path }, call);
  const name = String(result.name);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    'Content-Length': content.length,
  });
  res.end(content);
}

async function readForm(req: IncomingMessage): Promise<FormData> {
  let body: Buffer;
  try {
    body = await readSmallBody(req, MAX_FORM_BODY);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new BadRequestError(`the upload is larger than ${MAX_FORM_BODY} bytes`);
    throw err;
  }
  try {
    // The Fetch API's parser handles both urlencoded and multipart forms.
    return await new Request('http://emulator.invalid/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
  } catch {
    throw new BadRequestError('the form could not be read');
  }
}

function field(form: FormData, name: string): string {
  const value = form.get(name);
  if (typeof value !== 'string') throw new BadRequestError(`the form has no ${name}`);
  return value;
}

function childPath(folder: string, name: string): string {
  if (name === '' || name.includes('/')) throw new BadRequestError(`a name must not be empty or contain "/": ${JSON.stringify(name)}`);
  return `${folder}/${name}`;
}

async function act(req: IncomingMessage, res: ServerResponse, action: string, deps: BrowserPageDeps, call: Call): Promise<void> {
  // SameSite=Strict keeps other sites' forms from carrying the cookie; a foreign Origin is refused too.
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null' && new URL(origin).host !== req.headers.host) {
    sendHtml(res, 403, messagePage('Refused', 'This form was sent from another site.'));
    return;
  }
  const form = await readForm(req);
  let folder: string;
  switch (action) {
    case 'upload': {
      folder = field(form, 'folder');
      const file = form.get('file');
      if (!(file instanceof File)) throw new BadRequestError('choose a file to upload');
      await callRoute(deps, call, 'files/upload', { path: childPath(folder, file.name), mode: 'add', autorename: true }, Buffer.from(await file.arrayBuffer()));
      break;
    }
    case 'mkdir':
      folder = field(form, 'folder');
      await callRoute(deps, call, 'files/create_folder_v2', { path: childPath(folder, field(form, 'name').trim()) });
      break;
    case 'rename': {
      const from = field(form, 'path');
      folder = from.slice(0, from.lastIndexOf('/'));
      await callRoute(deps, call, 'files/move_v2', { from_path: from, to_path: childPath(folder, field(form, 'name').trim()) });
      break;
    }
    case 'delete': {
      const path = field(form, 'path');
      folder = path.slice(0, path.lastIndexOf('/'));
      await callRoute(deps, call, 'files/delete_v2', { path });
      break;
    }
    default:
      sendHtml(res, 404, messagePage('Not found', `No such action: ${action}`));
      return;
  }
  redirect(res, `/?path=${encodeURIComponent(folder)}`);
}
