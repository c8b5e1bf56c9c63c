// Serves the built UI (dist/renderer) read-only: only regular files strictly inside the folder
// (no `..`, no encoded separators, no symlinks leading out, no dotfiles), with exact content types.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as nodePath from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[nodePath.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names inside `root` (already a real path), or undefined when the path is
 * malformed or points outside. Pure apart from nothing: the caller still checks what is on disk.
 */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  const segments = relative.split('/');
  // Dotfiles and dot-segments are refused outright rather than normalised away.
  if (segments.some((s) => s === '' || s.startsWith('.'))) return undefined;
  const file = nodePath.resolve(root, ...segments);
  return file.startsWith(root + nodePath.sep) ? file : undefined;
}

export class StaticFiles {
  private constructor(private readonly root: string) {}

  /** Fails with a clear message when the UI has not been built. */
  static async open(dir: string): Promise<StaticFiles> {
    const root = await realpath(dir).catch(() => undefined);
    const index = root === undefined ? undefined : await stat(nodePath.join(root, 'index.html')).catch(() => undefined);
    if (root === undefined || !index?.isFile()) {
      throw new Error(`the web UI is not built: ${nodePath.join(dir, 'index.html')} is missing (run npm run build)`);
    }
    return new StaticFiles(root);
  }

  /** Answers GET/HEAD for `urlPath` with the file, 404, or 405; `headers` go on every answer. */
  async serve(req: IncomingMessage, res: ServerResponse, urlPath: string, headers: Record<string, string>): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    const file = await this.existingFile(urlPath);
    if (file === undefined) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('Not found\n');
      return;
    }
    const type = contentTypeOf(file.path);
    const etag = `"${file.size.toString(36)}-${Math.trunc(file.mtimeMs).toString(36)}"`;
    // The HTML is never cached (it names the current bundle); assets are revalidated by ETag
    // because their names carry no content hash.
    const cache = type.startsWith('text/html') ? 'no-store' : 'no-cache';
    const common = { ...headers, 'Content-Type': type, 'Cache-Control': cache, ETag: etag };
    if (req.headers['if-none-match'] === etag && cache !== 'no-store') {
      res.writeHead(304, common).end();
      return;
    }
    res.writeHead(200, { ...common, 'Content-Length': String(file.size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  private async existingFile(urlPath: string): Promise<{ path: string; size: number; mtimeMs: number } | undefined> {
    const candidate = resolveInside(this.root, urlPath);
    if (candidate === undefined) return undefined;
    // realpath: a symlink inside the folder must not lead out of it.
    const real = await realpath(candidate).catch(() => undefined);
    if (real === undefined || !real.startsWith(this.root + nodePath.sep)) return undefined;
    const info = await stat(real).catch(() => undefined);
    return info?.isFile() ? { path: real, size: info.size, mtimeMs: info.mtimeMs } : undefined;
  }
}
