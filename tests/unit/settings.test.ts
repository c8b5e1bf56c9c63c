import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { defaultSettings, migrateSettings, SettingsError } from '../../src/main/service/settings/settingsSchema.js';
import { JsonSettingsStore } from '../../src/main/service/settings/jsonSettingsStore.js';
import { withTempDir } from '../helpers/tempDir.js';

const pair = { id: 'abcdef123456', localPath: '/home/u/Docs', remotePath: '/Docs', options: { quietMs: 1000, deletionPolicy: 'propagate', excluded: [] }, paused: false };

const refused: [string, unknown, RegExp][] = [
  ['an array', [], /not a JSON object/],
  ['a newer version', { version: 99 }, /newer Twinfold/],
  ['a bad pair id', { ...defaultSettings(), pairs: [{ ...pair, id: 'Bad Id!' }] }, /damaged.*pairs\.0\.id/],
  ['a bad policy', { ...defaultSettings(), pairs: [{ ...pair, options: { ...pair.options, deletionPolicy: 'nuke' } }] }, /damaged/],
];
for (const [name, raw, message] of refused) {
  test(`settings: ${name} is refused`, () => assert.throws(() => migrateSettings(raw), (err: Error) => err instanceof SettingsError && message.test(err.message)));
}

test('settings: nothing saved yet gives the defaults', () => assert.deepEqual(migrateSettings(undefined), defaultSettings()));

test('settings file: written atomically, private, read back; damaged files are refused, not reset', () => withTempDir('settings', async (dir) => {
  const file = nodePath.join(dir, 'sub', 'settings.json');
  const store = new JsonSettingsStore(file);
  assert.deepEqual(store.read(), defaultSettings());
  store.write({ ...defaultSettings(), appKey: 'key1', pairs: [pair as never] });
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal(new JsonSettingsStore(file).read().pairs[0]?.id, 'abcdef123456');
  assert.throws(() => store.write({ ...defaultSettings(), notifications: 'yes' as never }));
  assert.equal(JSON.parse(await readFile(file, 'utf8')).appKey, 'key1', 'a refused write changes nothing');

  await writeFile(file, '{ broken');
  assert.throws(() => new JsonSettingsStore(file).read(), /not valid JSON/);
  assert.equal(await readFile(file, 'utf8'), '{ broken', 'a damaged file is left for the user to inspect');
}));
