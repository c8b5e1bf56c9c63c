// Renders Twinfold's icons from SVG into assets/: the app icon (1024 and 512 px, for electron-builder)
// and the tray icons per state at 16 and 32 px in three looks: `-light` (dark ink for light panels),
// `-dark` (light ink for dark panels) and `Template` (black + alpha, tinted by the macOS menu bar).
// The mark: two overlapping folded sheets; tray icons add a state badge in the bottom-right corner.
// Run: npx tsx scripts/make-icons.ts  (uses Debian's chromium through playwright-core).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAY_ICON_STATES } from '../src/main/app/trayIcons.js';
import type { TrayIconState } from '../src/main/app/trayModel.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(root, 'assets');

type Look = 'light' | 'dark' | 'Template';

const INK: Record<Look, string> = { light: '#1f2328', dark: '#f3f5f7', Template: '#000000' };
// Badge colours carry the state at a glance on Windows/Linux; the macOS template stays monochrome.
const BADGE: Record<TrayIconState, string> = {
  up_to_date: '#1a7f37',
  syncing: '#0969da',
  paused: '#6e7781',
  offline: '#6e7781',
  error: '#cf222e',
  signin_needed: '#bf8700',
};

// Glyphs drawn in a 32-unit box around (23.5, 23.5), in `fg` over the badge; `bg` (the badge
// colour, or "keep" in the template's mask) cuts details back out of a filled shape.
const GLYPH: Record<TrayIconState, (fg: string, bg: string) => string> = {
  up_to_date: (fg) => `<path d="M19.4 23.8 L22.4 26.8 L27.6 20.6" fill="none" stroke="${fg}" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>`,
  syncing: (fg) =>
    `<path d="M18.4 23.6 L21.2 19.2 L24 23.6 Z M23 23.4 L25.8 27.8 L28.6 23.4 Z" fill="${fg}"/>` +
    `<path d="M21.2 23 V27.6 M25.8 19.4 V24" stroke="${fg}" stroke-width="2" stroke-linecap="round"/>`,
  paused: (fg) => `<rect x="19.9" y="19.4" width="2.8" height="8.2" rx="0.8" fill="${fg}"/><rect x="24.3" y="19.4" width="2.8" height="8.2" rx="0.8" fill="${fg}"/>`,
  offline: (fg, bg) =>
    `<path d="M20.4 27.4 H26.8 A2.7 2.7 0 0 0 26.6 22 A3.5 3.5 0 0 0 20 22.4 A2.5 2.5 0 0 0 20.4 27.4 Z" fill="${fg}"/>` +
    `<path d="M18.8 18.8 L28.4 28.4" stroke="${bg}" stroke-width="3.2" stroke-linecap="round"/>` +
    `<path d="M18.8 18.8 L28.4 28.4" stroke="${fg}" stroke-width="1.4" stroke-linecap="round"/>`,
  error: (fg) => `<path d="M23.5 19 V24.4" stroke="${fg}" stroke-width="2.8" stroke-linecap="round"/><circle cx="23.5" cy="28" r="1.6" fill="${fg}"/>`,
  signin_needed: (fg) =>
    `<circle cx="21" cy="23.5" r="2.6" fill="none" stroke="${fg}" stroke-width="2"/><path d="M23.6 23.5 H28.2 M26.8 23.5 V26" fill="none" stroke="${fg}" stroke-width="2" stroke-linecap="round"/>`,
};

/** The app icon's mark: the back sheet as an outline, the front one solid with a folded corner. */
function sheets(ink: string, foldInk: string): string {
  return `
    <rect x="3.6" y="2.6" width="15" height="19.5" rx="2" fill="none" stroke="${ink}" stroke-width="1.6"/>
    <path d="M10 8.4 H20.6 L26.6 14.4 V27.6 A1.8 1.8 0 0 1 24.8 29.4 H11.8 A1.8 1.8 0 0 1 10 27.6 Z" fill="${ink}"/>
    <path d="M20.6 8.4 V14.4 H26.6" fill="none" stroke="${foldInk}" stroke-width="1" stroke-linejoin="round"/>`;
}

// Geometry on a 32-unit grid (1 unit = half a pixel at 16 px): outlines are centred on odd units
// and fills end on even ones, so edges land on whole pixels at both 16 and 32 px.
const FRONT_SHEET = 'M10 8 H20 L26 14 V28 A2 2 0 0 1 24 30 H12 A2 2 0 0 1 10 28 Z';
const BADGE_CENTRE = 25;
const BADGE_RADIUS = 7;

function traySvg(state: TrayIconState, look: Look, size: number): string {
  const ink = INK[look];
  const badge = look === 'Template' ? '#000000' : BADGE[state];
  const place = (inner: string) => `<g transform="translate(${BADGE_CENTRE} ${BADGE_CENTRE}) scale(0.9) translate(-23.5 -23.5)">${inner}</g>`;
  // Masks cut a one-pixel gap around the front sheet out of the back one and a ring around the
  // badge out of both, so the icon reads at 16 px with a single ink colour.
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 32 32">
  <defs>
    <mask id="back" maskUnits="userSpaceOnUse" x="0" y="0" width="32" height="32">
      <rect width="32" height="32" fill="white"/>
      <path d="${FRONT_SHEET}" fill="black" stroke="black" stroke-width="4" stroke-linejoin="round"/>
    </mask>
    <mask id="ring" maskUnits="userSpaceOnUse" x="0" y="0" width="32" height="32">
      <rect width="32" height="32" fill="white"/>
      <circle cx="${BADGE_CENTRE}" cy="${BADGE_CENTRE}" r="${BADGE_RADIUS + 2}" fill="black"/>
    </mask>
    <mask id="glyph" maskUnits="userSpaceOnUse" x="0" y="0" width="32" height="32">
      <rect width="32" height="32" fill="white"/>
      ${place(GLYPH[state]('black', 'white'))}
    </mask>
  </defs>
  <g mask="url(#ring)">
    <rect x="3" y="3" width="14" height="18" rx="2" fill="none" stroke="${ink}" stroke-width="2" mask="url(#back)"/>
    <path d="${FRONT_SHEET}" fill="${ink}"/>
  </g>
  ${
    look === 'Template'
      ? `<circle cx="${BADGE_CENTRE}" cy="${BADGE_CENTRE}" r="${BADGE_RADIUS}" fill="${badge}" mask="url(#glyph)"/>`
      : `<circle cx="${BADGE_CENTRE}" cy="${BADGE_CENTRE}" r="${BADGE_RADIUS}" fill="${badge}"/>${place(GLYPH[state]('#ffffff', badge))}`
  }
</svg>`;
}

function appSvg(size: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 32 32">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#2f8cff"/><stop offset="1" stop-color="#0b5cad"/>
    </linearGradient>
  </defs>
  <!-- macOS-style margins: the tile fills ~80% of the canvas, as Apple's template asks. -->
  <rect x="3.2" y="3.2" width="25.6" height="25.6" rx="5.8" fill="url(#bg)"/>
  <g transform="translate(6.2 5.6) scale(0.62)">${sheets('#ffffff', '#0b5cad')}</g>
</svg>`;
}

async function main(): Promise<void> {
  mkdirSync(path.join(assets, 'tray'), { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    const render = async (svg: string, size: number, file: string) => {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
      await page.locator('svg').screenshot({ path: file, omitBackground: true });
    };
    for (const size of [1024, 512]) await render(appSvg(size), size, path.join(assets, size === 1024 ? 'icon.png' : 'icon-512.png'));
    for (const state of TRAY_ICON_STATES) {
      for (const look of ['light', 'dark', 'Template'] as const) {
        const base = look === 'Template' ? `${state}Template` : `${state}-${look}`;
        await render(traySvg(state, look, 16), 16, path.join(assets, 'tray', `${base}.png`));
        await render(traySvg(state, look, 32), 32, path.join(assets, 'tray', `${base}@2x.png`));
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`icons written to ${assets}`);
}

await main();
