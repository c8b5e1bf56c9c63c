// The window's origin: `app://twinfold/…` serves the built UI (dist/renderer) and nothing outside
// it, with a strict Content-Security-Policy. Pure Node (no electron) so the path rules are tested;
// window.ts registers it with protocol.handle.
import { readFile, realpath } from 'node:fs/promises';
import * as path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'twinfold';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Whether a URL is a page of our UI (the IPC sender check and navigation rules use it). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The file under `rootDir` a request URL names, or undefined when it names anything else: another
 * host, `..` tricks (also percent-encoded), NUL, backslashes, or a type we do not serve.
 */
export function resolveAppPath(rootDir: string, url: string): string | undefined {
  if (!isAppUrl(url)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  // Encoded separators or dot segments survive URL parsing; a real UI never produces them.
  if (rel.includes('\0') || rel.includes('\\') || rel.split('/').includes('..')) return undefined;
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${path.posix.normalize(rel)}`);
  if (!file.startsWith(root + path.sep)) return undefined;
  if (!(path.extname(file).toLowerCase() in CONTENT_TYPES)) return undefined;
  return file;
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

function securityHeaders(contentType: string): Record<string, string> {
  return { 'Content-Type': contentType, 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
}

/** Answers one request; a symlink inside the folder that points outside it is refused too. */
export async function serveAppRequest(rootDir: string, url: string, method = 'GET'): Promise<AppResponse> {
  const notFound: AppResponse = { status: 404, headers: securityHeaders('text/plain; charset=utf-8'), body: 'Not found' };
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: securityHeaders('text/plain; charset=utf-8'), body: 'Method not allowed' };
  const file = resolveAppPath(rootDir, url);
  if (file === undefined) return notFound;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(file)]);
    if (!realFile.startsWith(realRoot + path.sep)) return notFound;
    const body = await readFile(realFile);
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { status: 200, headers: securityHeaders(type), body: method === 'HEAD' ? '' : body };
  } catch {
    return notFound;
  }
}

/** http(s) links leave the app for the system browser; everything else is simply refused. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
