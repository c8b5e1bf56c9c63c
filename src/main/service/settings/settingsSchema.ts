// The settings document: folder pairs, the Dropbox app key, the signed-in account id and UI
// choices. Never a token. Versioned; `migrateSettings` brings any older document to the current
// version and refuses documents it does not understand rather than guessing.
import { z } from 'zod';
import { PairId, PairOptions } from '../../../common/contract.js';

export const SETTINGS_VERSION = 1;

export const PairConfig = z.object({
  id: PairId,
  localPath: z.string().min(1),
  /** '' for the whole Dropbox, else '/A/b'. */
  remotePath: z.string(),
  options: PairOptions,
  paused: z.boolean(),
});
export type PairConfig = z.infer<typeof PairConfig>;

export const Settings = z.object({
  version: z.literal(SETTINGS_VERSION),
  appKey: z.string().optional(),
  /** The Dropbox account whose sign-in is in the secret store. */
  accountId: z.string().optional(),
  notifications: z.boolean(),
  pairs: z.array(PairConfig),
  /** Every pair paused until this time (epoch ms). */
  pausedUntil: z.number().optional(),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_PAIR_OPTIONS: PairOptions = { quietMs: 1000, deletionPolicy: 'propagate', excluded: [] };

export function defaultSettings(): Settings {
  return { version: SETTINGS_VERSION, notifications: true, pairs: [] };
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Older versions are upgraded step by step; newer or damaged documents are refused. */
export function migrateSettings(raw: unknown): Settings {
  if (raw === undefined || raw === null) return defaultSettings();
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new SettingsError('the settings are not a JSON object');
  const version = (raw as { version?: unknown }).version;
  if (typeof version === 'number' && version > SETTINGS_VERSION) {
    throw new SettingsError(`the settings were written by a newer Twinfold (version ${version}); update Twinfold`);
  }
  const parsed = Settings.safeParse(raw);
  if (!parsed.success) throw new SettingsError(`the settings are damaged: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? '?'}`);
  return parsed.data;
}
