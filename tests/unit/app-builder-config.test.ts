// electron-builder.yml: valid against electron-builder's own schema, and the settings the app
// relies on (menu-bar app on macOS, native modules unpacked, tray icons as real files) are there.
// js-yaml and ajv come with electron-builder; the schema check is skipped if they ever do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { repoRoot } from '../emulator/support.js';

const root = repoRoot;
const require = createRequire(import.meta.url);

function tryRequire<T>(name: string): T | undefined {
  try {
    return require(name) as T;
  } catch {
    return undefined;
  }
}

const yaml = tryRequire<{ load(text: string): unknown }>('js-yaml');
type AjvCtor = new (opts: object) => { compile(schema: unknown): ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null } };
const Ajv = tryRequire<AjvCtor>('ajv');
const missing = !yaml ? 'js-yaml is not installed' : false;

interface BuilderConfig {
  appId: string;
  productName: string;
  npmRebuild: boolean;
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  mac: { extendInfo: { LSUIElement: boolean }; icon: string };
  linux: { target: string[]; category: string; icon: string };
  deb: { depends: string[] };
  win: { target: string; icon: string };
}

function config(): BuilderConfig {
  return yaml!.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

test('the settings the app relies on', { skip: missing }, () => {
  const c = config();
  assert.equal(c.productName, 'Twinfold');
  assert.equal(c.mac.extendInfo.LSUIElement, true);
  assert.equal(c.npmRebuild, true);
  assert.ok(c.asarUnpack.includes('**/*.node'));
  assert.deepEqual(c.linux.target, ['AppImage', 'deb']);
  assert.equal(c.linux.category, 'Utility');
  assert.ok(c.deb.depends.includes('libsecret-1-0'));
  assert.equal(c.win.target, 'nsis');
  for (const icon of [c.mac.icon, c.linux.icon, c.win.icon]) assert.ok(existsSync(path.join(root, icon)), icon);
  // main.ts loads tray icons from process.resourcesPath/tray when packaged.
  assert.ok(c.extraResources.some((r) => r.from === 'assets/tray' && r.to === 'tray'));
  for (const r of c.extraResources) assert.ok(existsSync(path.join(root, r.from)), r.from);
});

test('valid against electron-builder’s schema', { skip: missing || (!Ajv && 'ajv is not installed') }, () => {
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as unknown;
  const validate = new Ajv!({ allErrors: true, strict: false }).compile(schema);
  const ok = validate(config());
  assert.ok(ok, JSON.stringify(validate.errors?.map((e) => `${e.instancePath} ${e.message ?? ''}`)));
});
