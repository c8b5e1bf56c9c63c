#!/usr/bin/env node
// Builds the window UI (one bundle for the Electron window and the web UI of `twinfold serve`)
// into dist/renderer, and the Electron preload script into dist/preload when it exists.
// Type checking is separate (tsc -p src/renderer/tsconfig.json): esbuild only strips types.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rendererSrc = join(root, 'src/renderer');
const rendererOut = join(root, 'dist/renderer');
const preloadSrc = join(root, 'src/preload/preload.ts');
const preloadOut = join(root, 'dist/preload/preload.cjs');

mkdirSync(rendererOut, { recursive: true });

await build({
  entryPoints: [join(rendererSrc, 'main.tsx')],
  outfile: join(rendererOut, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari16'],
  minify: true,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  // The renderer must stay free of Node: fail the build rather than polyfill or leave a require().
  logLevel: 'warning',
  legalComments: 'none',
});

for (const file of ['index.html', 'styles.css']) copyFileSync(join(rendererSrc, file), join(rendererOut, file));

// The preload script belongs to the Electron shell; it is bundled here so every UI-facing build
// step lives in one place. Electron loads preload scripts as CommonJS in a sandboxed renderer.
if (existsSync(preloadSrc)) {
  await build({
    entryPoints: [preloadSrc],
    outfile: preloadOut,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
  });
}

console.log(`built ${rendererOut}${existsSync(preloadSrc) ? ` and ${preloadOut}` : ''}`);
