// A damaged settings file is kept as a dated copy and reported, never silently reset; a newer
// version's file is left alone; a good or absent file passes untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { checkSettingsFile, fileStamp } from '../../src/main/app/settingsRecovery.js';
import { tempDirPerFile } from '../helpers/tempDir.js';

const fresh = tempDirPerFile('settings-recovery');
const AT = new Date(2025, 2, 10, 15, 4, 5);

async function withFile(text: string | undefined): Promise<{ dir: string; file: string }> {
  const dir = fresh('case');
  await fs.mkdir(dir);
  const file = path.join(dir, 'settings.json');
  if (text !== undefined) await fs.writeFile(file, text);
  return { dir, file };
}

test('file stamp', () => {
  assert.equal(fileStamp(AT), '20250310-150405');
});

test('absent and valid files pass untouched', async () => {
  assert.deepEqual(await checkSettingsFile((await withFile(undefined)).file, AT), { kind: 'absent' });
  const good = JSON.stringify({ version: 1, notifications: true, pairs: [] });
  const { dir, file } = await withFile(good);
  assert.deepEqual(await checkSettingsFile(file, AT), { kind: 'ok' });
  assert.equal(await fs.readFile(file, 'utf8'), good);
  assert.deepEqual(await fs.readdir(dir), ['settings.json']);
});

test('damaged files are copied aside, removed and reported', async () => {
  const cases: Array<[string, RegExp]> = [
    ['{"version": 1, "pairs": [', /not valid JSON/],
    ['[1,2]', /not a JSON object/],
    [JSON.stringify({ version: 1, notifications: 'yes', pairs: [] }), /damaged.*notifications/],
  ];
  for (const [text, reason] of cases) {
    const { dir, file } = await withFile(text);
    const result = await checkSettingsFile(file, AT);
    assert.equal(result.kind, 'damaged', text);
    assert.ok(result.kind === 'damaged');
    assert.match(result.reason, reason);
    assert.equal(result.copy, path.join(dir, 'settings.damaged-20250310-150405.json'));
    assert.equal(await fs.readFile(result.copy, 'utf8'), text, 'the copy is the damaged file, byte for byte');
    await assert.rejects(fs.stat(file), { code: 'ENOENT' });
  }
});

test('two damaged files in the same second keep both copies', async () => {
  const { dir, file } = await withFile('first {');
  await checkSettingsFile(file, AT);
  await fs.writeFile(file, 'second {');
  const second = await checkSettingsFile(file, AT);
  assert.ok(second.kind === 'damaged');
  assert.equal(second.copy, path.join(dir, 'settings.damaged-20250310-150405-2.json'));
  assert.equal(await fs.readFile(path.join(dir, 'settings.damaged-20250310-150405.json'), 'utf8'), 'first {');
  assert.equal(await fs.readFile(second.copy, 'utf8'), 'second {');
});

test("a newer version's file is left alone", async () => {
  const text = JSON.stringify({ version: 9, whatever: true });
  const { dir, file } = await withFile(text);
  const result = await checkSettingsFile(file, AT);
  assert.equal(result.kind, 'newer');
  assert.ok(result.kind === 'newer' && /newer Twinfold/.test(result.message));
  assert.equal(await fs.readFile(file, 'utf8'), text);
  assert.deepEqual(await fs.readdir(dir), ['settings.json']);
});
