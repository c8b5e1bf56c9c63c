// Looking at the window UI without a backend: serves dist/renderer, injects a fake
// `window.twinfold` answering from fixtures, and screenshots each scenario in light and dark to
// /tmp/ui-preview/*.png. Run `node scripts/build-ui.mjs && npx tsx tests/e2e/ui-preview.ts [name…]`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fixtures } from './ui-preview-fixtures.js';
import { fakeApiScript, launchChromium, missingForUi, serveRenderer } from './ui-preview-support.js';

const OUT = '/tmp/ui-preview';

interface Scenario {
  name: string;
  fixture: string;
  width?: number;
  act?(page: Page): Promise<void>;
}

const scenarios: Scenario[] = [
  { name: 'signed-out', fixture: 'signed-out' },
  { name: 'signing-in-paste', fixture: 'signing-in-paste' },
  { name: 'no-pairs', fixture: 'no-pairs' },
  { name: 'syncing', fixture: 'syncing' },
  { name: 'syncing-narrow', fixture: 'syncing', width: 420 },
  { name: 'attention', fixture: 'attention' },
  { name: 'paused', fixture: 'paused' },
  { name: 'signin-needed', fixture: 'signin-needed' },
  {
    name: 'options',
    fixture: 'syncing',
    async act(page) {
      await page.getByRole('listitem', { name: 'Phone' }).getByRole('button', { name: 'Options' }).click();
      await page.getByLabel('Ignore rules').and(page.locator(':not([disabled])')).waitFor();
      await page.getByRole('checkbox', { name: 'Raw' }).waitFor();
    },
  },
  {
    name: 'add-pair',
    fixture: 'attention',
    async act(page) {
      await page.getByRole('button', { name: 'Add folder pair' }).click();
      await page.getByRole('dialog').waitFor();
    },
  },
  {
    name: 'add-pair-browse-remote',
    fixture: 'attention',
    async act(page) {
      await page.getByRole('button', { name: 'Add folder pair' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Browse…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Work' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Clients' }).waitFor();
    },
  },
  {
    name: 'add-pair-browse-local',
    fixture: 'attention',
    async act(page) {
      await page.getByRole('button', { name: 'Add folder pair' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Choose…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Documents' }).waitFor();
    },
  },
  {
    name: 'remove-confirm',
    fixture: 'paused',
    async act(page) {
      await page.getByRole('listitem', { name: 'Work' }).getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('dialog').waitFor();
    },
  },
];

const only = process.argv.slice(2);
const missing = missingForUi();
if (missing) {
  console.error(`cannot preview: ${missing}`);
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
const server = await serveRenderer();
const base = server.url;
const browser = await launchChromium();
try {
  const all = fixtures(Date.now());
  for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
    const fixture = all[scenario.fixture];
    if (!fixture) throw new Error(`no fixture ${scenario.fixture}`);
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ colorScheme, viewport: { width: scenario.width ?? 800, height: 900 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
      await page.addInitScript({ content: fakeApiScript(fixture) });
      await page.goto(base);
      try {
        await page.getByRole('heading', { name: 'Status' }).waitFor({ timeout: 10_000 });
        await scenario.act?.(page);
      } catch (err) {
        throw new Error(`${scenario.name} (${colorScheme}): ${(err as Error).message}\n  ${problems.join('\n  ')}`);
      }
      const file = join(OUT, `${scenario.name}-${colorScheme}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      console.log(`${file}${problems.length ? `\n  ${problems.join('\n  ')}` : ''}`);
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
