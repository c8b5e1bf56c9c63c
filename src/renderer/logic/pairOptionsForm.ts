// The per-pair options form: turning what people type into PairOptions, with a clear message
// for anything out of range. Pure: tested in Node.
import type { DeletionPolicy, PairOptions } from '../../common/contract.js';

/** The contract's limit: one hour. */
export const MAX_QUIET_SECONDS = 3600;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** "2" → 2000 ms; "", "-1", "1.5x", "4000" → an error saying what is allowed. */
export function parseQuietSeconds(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return { ok: false, error: `Enter a number of seconds from 0 to ${MAX_QUIET_SECONDS}.` };
  const seconds = Number(trimmed);
  if (seconds > MAX_QUIET_SECONDS) return { ok: false, error: `The quiet period can be at most ${MAX_QUIET_SECONDS} seconds (one hour).` };
  return { ok: true, value: Math.round(seconds * 1000) };
}

/** 1500 ms → "1.5": how the form shows the saved value. */
export function quietSecondsText(quietMs: number): string {
  return String(Math.round(quietMs / 100) / 10);
}

/** What changed, or an error; `undefined` value when nothing changed. */
export function optionsChange(current: PairOptions, quietText: string, deletionPolicy: DeletionPolicy): Parsed<Partial<PairOptions> | undefined> {
  const quiet = parseQuietSeconds(quietText);
  if (!quiet.ok) return quiet;
  const change: Partial<PairOptions> = {};
  if (quiet.value !== current.quietMs) change.quietMs = quiet.value;
  if (deletionPolicy !== current.deletionPolicy) change.deletionPolicy = deletionPolicy;
  return { ok: true, value: Object.keys(change).length > 0 ? change : undefined };
}
