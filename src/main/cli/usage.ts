// Shared CLI plumbing: flag parsing with clear errors, and the error type that becomes exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: printed as one line, exit code 2, nothing changed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode, with its errors turned into UsageError naming the subcommand. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${command}: ${message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
}

/** Parses an integer flag value within [min, max] or throws a UsageError. */
export function intFlag(command: string, flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${command}: --${flag} must be a whole number, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${command}: --${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}
