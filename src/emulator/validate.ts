// Validates route arguments against Stone-style types the way Dropbox's servers do: unknown
// fields refused, defaults filled in, patterns and ranges checked, union shorthand accepted, and
// messages worded like Stone's validators (`path: 'x' did not match pattern '...'`).

export type Schema =
  | { kind: 'string'; pattern?: string; minLength?: number; maxLength?: number }
  | { kind: 'boolean' }
  | { kind: 'uint'; min: number; max: number }
  | { kind: 'timestamp' }
  | { kind: 'list'; of: Schema; minItems?: number; maxItems?: number }
  | { kind: 'struct'; fields: Record<string, Field> }
  | { kind: 'union'; members: Record<string, Schema | null> }
  /** Accepted as sent and not interpreted (e.g. property groups the emulator ignores). */
  | { kind: 'any' };

export interface Field {
  schema: Schema;
  /** Nullable in Stone (`Type?`): may be absent or null. */
  optional?: boolean;
  /** Filled in when the field is absent or null. */
  default?: unknown;
}

export class ValidationError extends Error {
  constructor(readonly detail: string, readonly parents: string[]) {
    super(parents.length > 0 ? `${parents.join('.')}: ${detail}` : detail);
    this.name = 'ValidationError';
  }
}

export const UINT64_MAX = Number.MAX_SAFE_INTEGER;

/** Stone's generic type names, as used in "expected X, got Y". */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (typeof value === 'object') return 'dict';
  return typeof value;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const compiled = new Map<string, RegExp>();

function fullMatch(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    // 's': Python's `.` (which Stone patterns assume) only refuses \n, and the patterns list [\r\n] anyway.
    re = new RegExp(`^(?:${pattern})$`, 's');
    compiled.set(pattern, re);
  }
  return re.test(value);
}

/** Returns the value with defaults applied and unions normalised to `{".tag": ...}` objects. */
export function validate(schema: Schema, value: unknown, parents: string[] = []): unknown {
  const fail = (detail: string): never => {
    throw new ValidationError(detail, parents);
  };
  switch (schema.kind) {
    case 'any':
      return value;
    case 'string': {
      if (typeof value !== 'string') return fail(`expected string, got ${typeName(value)}`);
      const length = [...value].length;
      if (schema.minLength !== undefined && length < schema.minLength) return fail(`'${value}' must be at least ${schema.minLength} characters, got ${length}`);
      if (schema.maxLength !== undefined && length > schema.maxLength) return fail(`'${value}' must be at most ${schema.maxLength} characters, got ${length}`);
      if (schema.pattern !== undefined && !fullMatch(schema.pattern, value)) return fail(`'${value}' did not match pattern '${schema.pattern}'`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return fail(`expected boolean, got ${typeName(value)}`);
      return value;
    case 'uint':
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`expected integer, got ${typeName(value)}`);
      if (value < schema.min || value > schema.max) return fail(`${value} is not within range [${schema.min}, ${schema.max}]`);
      return value;
    case 'timestamp': {
      if (typeof value !== 'string') return fail(`expected timestamp, got ${typeName(value)}`);
      const m = TIMESTAMP.exec(value);
      const valid = m !== null && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().slice(0, 19) === value.slice(0, 19);
      if (!valid) return fail(`'${value}' does not match format '%Y-%m-%dT%H:%M:%SZ'`);
      return value;
    }
    case 'list': {
      if (!Array.isArray(value)) return fail(`expected list, got ${typeName(value)}`);
      if (schema.minItems !== undefined && value.length < schema.minItems) return fail(`must have at least ${schema.minItems} items, got ${value.length}`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return fail(`must have at most ${schema.maxItems} items, got ${value.length}`);
      return value.map((item, i) => validate(schema.of, item, [...parents, String(i)]));
    }
    case 'struct':
      return validateStruct(schema.fields, value, parents);
    case 'union':
      return validateUnion(schema.members, value, parents);
  }
}

function validateStruct(fields: Record<string, Field>, value: unknown, parents: string[], skip = '.tag'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`expected object, got ${typeName(value)}`, parents);
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (key !== skip && !(key in fields)) throw new ValidationError(`unknown field '${key}'`, parents);
  }
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const given = input[name];
    if (given === undefined || given === null) {
      if (field.default !== undefined) out[name] = structuredClone(field.default);
      else if (!field.optional) throw new ValidationError(`missing required field '${name}'`, parents);
      continue;
    }
    out[name] = validate(field.schema, given, [...parents, name]);
  }
  return out;
}

function validateUnion(members: Record<string, Schema | null>, value: unknown, parents: string[]): Record<string, unknown> {
  // A member without a value may be sent as a bare string ("mode": "add").
  const tagName = typeof value === 'string' ? value : typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)['.tag'] : undefined;
  if (tagName === undefined) throw new ValidationError(`expected object or string, got ${typeName(value)}`, parents);
  if (typeof tagName !== 'string') throw new ValidationError(`'.tag' expected string, got ${typeName(tagName)}`, parents);
  if (!(tagName in members)) throw new ValidationError(`unknown tag '${tagName}'`, parents);
  const member = members[tagName] ?? null;
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (member === null) {
    const extra = Object.keys(obj).find((k) => k !== '.tag');
    if (extra !== undefined) throw new ValidationError(`unexpected field '${extra}' for void tag '${tagName}'`, parents);
    return { '.tag': tagName };
  }
  if (typeof value === 'string') throw new ValidationError(`tag '${tagName}' requires a value`, parents);
  // Struct members arrive with their fields inlined; anything else sits under the member's name.
  if (member.kind === 'struct') return { '.tag': tagName, ...validateStruct(member.fields, obj, [...parents, tagName]) };
  const extra = Object.keys(obj).find((k) => k !== '.tag' && k !== tagName);
  if (extra !== undefined) throw new ValidationError(`unknown field '${extra}'`, parents);
  if (obj[tagName] === undefined) throw new ValidationError(`missing required field '${tagName}'`, parents);
  return { '.tag': tagName, [tagName]: validate(member, obj[tagName], [...parents, tagName]) };
}

// Small constructors keep the route schemas readable.
export const str = (opts: { pattern?: string; minLength?: number; maxLength?: number } = {}): Schema => ({ kind: 'string', ...opts });
export const bool: Schema = { kind: 'boolean' };
export const uint = (min: number, max: number): Schema => ({ kind: 'uint', min, max });
export const timestamp: Schema = { kind: 'timestamp' };
export const list = (of: Schema, opts: { minItems?: number; maxItems?: number } = {}): Schema => ({ kind: 'list', of, ...opts });
export const struct = (fields: Record<string, Field>): Schema => ({ kind: 'struct', fields });
export const union = (members: Record<string, Schema | null>): Schema => ({ kind: 'union', members });
export const any: Schema = { kind: 'any' };
export const required = (schema: Schema): Field => ({ schema });
export const optional = (schema: Schema): Field => ({ schema, optional: true });
export const withDefault = (schema: Schema, value: unknown): Field => ({ schema, default: value });
