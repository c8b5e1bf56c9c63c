// Shared by the UI preview script and the UI interaction test: a static server for dist/renderer,
// Debian's Chromium, and a fake `window.twinfold` that answers from a fixture, records every call
// (`window.__calls`) and can push events (`window.__emit(name, payload)`).
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import type { PreviewFixture } from './ui-preview-fixtures.js';

/** Tests run from the repository root (npm scripts); compiled tests live elsewhere, so no import.meta. */
export const RENDERER_DIR = join(process.cwd(), 'dist/renderer');
export const CHROMIUM = '/usr/bin/chromium';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** Why the UI cannot be driven here, or undefined when it can. */
export function missingForUi(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install chromium)`;
  if (!existsSync(join(RENDERER_DIR, 'app.js'))) return 'dist/renderer/app.js is missing: run node scripts/build-ui.mjs first';
  return undefined;
}

export async function serveRenderer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rel = url.pathname === '/' ? 'index.html' : normalize(url.pathname).replace(/^[/\\]+/, '');
    if (rel.startsWith('..')) return void res.writeHead(404).end();
    try {
      const body = readFileSync(join(RENDERER_DIR, rel));
      res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * The fake host, as JavaScript source for page.addInitScript. A string, because tsx rewrites
 * functions (adding helpers) that would not exist inside the page.
 */
export function fakeApiScript(fixture: PreviewFixture): string {
  return `(() => {
  const fixture = ${JSON.stringify(fixture)};
  const calls = [];
  const listeners = {};
  const answers = {
    getState: () => fixture.state,
    getActivity: () => ({ activity: fixture.activity, errors: fixture.errors }),
    browseRemote: (args) => fixture.remote[args.path] ?? { path: args.path, parent: '', folders: [] },
    browseLocal: (args) => fixture.local[args.path ?? '/home/ann'] ?? { path: args.path, parent: '/home/ann', folders: [] },
    getIgnoreRules: () => ({ text: fixture.ignoreRules }),
    pickLocalFolder: () => ({ path: '/home/ann/Documents/Work' }),
    signInStart: () => fixture.state.signIn,
    setSettings: (args) => ({ ...fixture.state.settings, ...args }),
  };
  window.__calls = calls;
  window.__failNext = undefined;
  window.__emit = (name, payload) => {
    if (name === 'state') fixture.state = payload;
    for (const listener of listeners[name] ?? []) listener(payload);
  };
  window.twinfold = {
    call(name, args) {
      calls.push({ name, args });
      if (window.__failNext) {
        const message = window.__failNext;
        window.__failNext = undefined;
        return Promise.reject(new Error(message));
      }
      const answer = answers[name];
      return Promise.resolve(answer ? answer(args) : undefined);
    },
    on(name, listener) {
      (listeners[name] ??= []).push(listener);
      return () => { listeners[name] = listeners[name].filter((l) => l !== listener); };
    },
  };
})();`;
}
