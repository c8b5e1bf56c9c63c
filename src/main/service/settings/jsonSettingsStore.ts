// Settings as a JSON file for `twinfold serve` (the desktop app uses electron-store). Written to a
// temp file, flushed and renamed over the old one, so a crash leaves the old or the new version.
import { mkdirSync, readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { replaceFileSync } from '../../core/local/replaceFile.js';
import { migrateSettings, Settings, SettingsError, type Settings as SettingsDoc } from './settingsSchema.js';
import type { SettingsStore } from '../types.js';

export class JsonSettingsStore implements SettingsStore {
  private cached: SettingsDoc | undefined;

  constructor(readonly file: string) {}

  read(): SettingsDoc {
    this.cached ??= this.load();
    return structuredClone(this.cached);
  }

  write(settings: SettingsDoc): void {
    const valid = Settings.parse(settings);
    mkdirSync(nodePath.dirname(this.file), { recursive: true, mode: 0o700 });
    replaceFileSync(this.file, `${JSON.stringify(valid, null, 2)}\n`, 0o600);
    this.cached = structuredClone(valid);
  }

  private load(): SettingsDoc {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return migrateSettings(undefined);
      throw new SettingsError(`cannot read ${this.file}: ${(err as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new SettingsError(`${this.file} is not valid JSON; fix or remove it`);
    }
    try {
      return migrateSettings(raw);
    } catch (err) {
      throw new SettingsError(`${this.file}: ${(err as Error).message}`);
    }
  }
}

/** An in-memory store for tests. */
export class MemorySettingsStore implements SettingsStore {
  constructor(private settings: SettingsDoc = migrateSettings(undefined)) {}
  read(): SettingsDoc {
    return structuredClone(this.settings);
  }
  write(settings: SettingsDoc): void {
    this.settings = structuredClone(Settings.parse(settings));
  }
}
