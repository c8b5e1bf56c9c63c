// Every tray icon the app can ask for exists, at 16 px and its @2x sibling at 32 px, as RGBA PNG
// (transparent background); the app icon is 1024 px with a 512 px companion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { allTrayIconFiles } from '../../src/main/app/trayIcons.js';
import { repoRoot } from '../emulator/support.js';

const assets = path.join(repoRoot, 'assets');

function pngInfo(file: string): { width: number; height: number; colorType: number } {
  const buf = readFileSync(path.join(assets, file));
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), colorType: buf[25] ?? -1 };
}

test('tray icons: all states and looks, 1x and 2x, with alpha', () => {
  for (const file of allTrayIconFiles()) {
    const size = file.includes('@2x') ? 32 : 16;
    assert.deepEqual(pngInfo(file), { width: size, height: size, colorType: 6 }, file);
  }
});

test('app icons', () => {
  assert.deepEqual(pngInfo('icon.png'), { width: 1024, height: 1024, colorType: 6 });
  assert.deepEqual(pngInfo('icon-512.png'), { width: 512, height: 512, colorType: 6 });
});
