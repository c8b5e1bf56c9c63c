// Points the Dropbox SDK at another server (the emulator, or `--api-url`): the SDK hard-codes
// https://{api,content,notify}.dropboxapi.com and www.dropbox.com/oauth2/, so its fetch rewrites
// those URLs onto a base URL, keeping path and query. Responses also get node-fetch's `buffer()`,
// which SDK 10.x calls for downloads on Node but the built-in fetch does not have.

/** The hosts the SDKs talk to; on www.dropbox.com only the OAuth pages are API. */
const API_HOSTS = new Set(['api.dropboxapi.com', 'content.dropboxapi.com', 'notify.dropboxapi.com']);
const WEB_HOSTS = new Set(['www.dropbox.com', 'dropbox.com']);

function parseBase(apiBaseUrl: string): URL {
  let base: URL;
  try {
    base = new URL(apiBaseUrl);
  } catch {
    throw new TypeError(`API base URL ${JSON.stringify(apiBaseUrl)} is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`API base URL ${JSON.stringify(apiBaseUrl)} must use http or https`);
  if (base.search !== '' || base.hash !== '' || base.username !== '' || base.password !== '') {
    throw new TypeError(`API base URL ${JSON.stringify(apiBaseUrl)} must not carry credentials, a query or a fragment`);
  }
  return base;
}

function rewrite(url: string, base: URL): string {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return url;
  }
  const isApi = API_HOSTS.has(target.hostname) || (WEB_HOSTS.has(target.hostname) && target.pathname.startsWith('/oauth2/'));
  if (target.protocol !== 'https:' || target.port !== '' || !isApi) return url;
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}${target.pathname}${target.search}${target.hash}`;
}

/** A Dropbox URL (e.g. the OAuth authorize URL the SDK builds) on the given base; others unchanged. */
export function rewriteDropboxUrl(url: string, apiBaseUrl: string): string {
  return rewrite(url, parseBase(apiBaseUrl));
}

/** Streams and async iterables as bodies need `duplex: 'half'` in Node's fetch. */
function needsDuplex(body: unknown): boolean {
  if (body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer) return false;
  return body instanceof ReadableStream || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function withBuffer(response: Response): Response {
  if (!('buffer' in response)) {
    Object.defineProperty(response, 'buffer', {
      value: async (): Promise<Buffer> => Buffer.from(await response.arrayBuffer()),
      configurable: true,
    });
  }
  return response;
}

export function rewritingFetch(apiBaseUrl: string, baseFetch: typeof fetch = globalThis.fetch): typeof fetch {
  const base = parseBase(apiBaseUrl);
  const rewritten = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (input instanceof Request) {
      const url = rewrite(input.url, base);
      if (url === input.url) return withBuffer(await baseFetch(input, init));
      // Re-addressed by hand: a Request's body stream moves over only with duplex set.
      const moved = new Request(url, {
        method: input.method,
        headers: input.headers,
        body: input.body,
        redirect: input.redirect,
        signal: input.signal,
        ...(input.body ? { duplex: 'half' } : {}),
      } as RequestInit);
      return withBuffer(await baseFetch(moved, init));
    }
    const url = rewrite(input instanceof URL ? input.href : String(input), base);
    const options = init && needsDuplex(init.body) && !('duplex' in init) ? ({ ...init, duplex: 'half' } as RequestInit) : init;
    return withBuffer(await baseFetch(url, options));
  };
  return rewritten as typeof fetch;
}
