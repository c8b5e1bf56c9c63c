// Checks the settings file before electron-store opens it. A damaged file is never silently reset:
// it is copied to `settings.damaged-<time>.json` next to it, then removed so the app starts fresh,
// and the caller shows the user what happened. A file from a newer Twinfold is left untouched and
// reported, since starting fresh would hide the user's setup from that newer version. Plain Node.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { migrateSettings, SETTINGS_VERSION } from '../service/settings/settingsSchema.js';

export type SettingsCheck =
  | { kind: 'ok' }
  | { kind: 'absent' }
  | { kind: 'damaged'; reason: string; copy: string }
  | { kind: 'newer'; version: number; message: string };

/** `20250310-150405`, local time: part of a file name people will look at. */
export function fileStamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

function diagnose(text: string): { reason: string } | { newer: number } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { reason: 'the file is not valid JSON' };
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > SETTINGS_VERSION) return { newer: version };
  try {
    migrateSettings(raw);
    return undefined;
  } catch (err) {
    return { reason: (err as Error).message };
  }
}

export async function checkSettingsFile(file: string, now: Date = new Date()): Promise<SettingsCheck> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw err;
  }
  const problem = diagnose(text);
  if (problem === undefined) return { kind: 'ok' };
  if ('newer' in problem) {
    return { kind: 'newer', version: problem.newer, message: `Your settings were written by a newer Twinfold (settings version ${problem.newer}). Install that version again to use them.` };
  }
  const dir = path.dirname(file);
  const stem = path.basename(file, path.extname(file));
  let copy = path.join(dir, `${stem}.damaged-${fileStamp(now)}.json`);
  for (let i = 2; ; i++) {
    try {
      // EXCL: an earlier copy made in the same second is never overwritten.
      await fs.copyFile(file, copy, constants.COPYFILE_EXCL);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i > 100) throw err;
      copy = path.join(dir, `${stem}.damaged-${fileStamp(now)}-${i}.json`);
    }
  }
  await fs.rm(file);
  return { kind: 'damaged', reason: problem.reason, copy };
}
