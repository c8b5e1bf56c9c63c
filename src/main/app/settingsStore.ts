// Settings for the desktop app: electron-store's `settings.json` in userData, validated with the
// shared zod schema on every read and write. Never a secret. settingsRecovery.ts runs first, so
// the file electron-store opens is valid or absent (a damaged one was copied aside and reported).
import Store from 'electron-store';
import { migrateSettings, Settings, type Settings as SettingsDoc } from '../service/settings/settingsSchema.js';
import type { SettingsStore } from '../service/types.js';

export const SETTINGS_STORE_NAME = 'settings';

export class ElectronSettingsStore implements SettingsStore {
  readonly #store: Store<Record<string, unknown>>;
  #cached: SettingsDoc | undefined;

  /** `dir` is app.getPath('userData'); passed in so nothing depends on when this is constructed. */
  constructor(dir: string) {
    // clearInvalidConfig false: electron-store must never wipe a file on its own; recovery decides.
    this.#store = new Store<Record<string, unknown>>({ name: SETTINGS_STORE_NAME, cwd: dir, clearInvalidConfig: false, watch: false });
  }

  get path(): string {
    return this.#store.path;
  }

  read(): SettingsDoc {
    if (this.#cached === undefined) {
      const raw = this.#store.store;
      // electron-store presents a missing file as {}: that is "no settings yet".
      this.#cached = migrateSettings(Object.keys(raw).length === 0 ? undefined : raw);
    }
    return structuredClone(this.#cached);
  }

  write(settings: SettingsDoc): void {
    const valid = Settings.parse(settings);
    // electron-store writes atomically (temp file + rename); if it throws, the cache is unchanged too.
    this.#store.store = valid;
    this.#cached = structuredClone(valid);
  }
}
