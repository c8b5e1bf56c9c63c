// Errors the emulator answers with, in Dropbox's wire shapes: plain-text 400s for malformed calls,
// JSON route errors (409) with an `error_summary`, and the tagged-union values they carry.

/** A Stone union value as JSON: `.tag` plus either inlined struct fields or a nested member. */
export type Tagged = { '.tag': string } & Record<string, unknown>;

/** A union member with no value, or a struct member whose fields are inlined beside `.tag`. */
export function tag(name: string, fields: Record<string, unknown> = {}): Tagged {
  return { '.tag': name, ...fields };
}

/** A union member whose value is itself a union or primitive: nested under the member's name. */
export function nest(name: string, value: unknown): Tagged {
  return { '.tag': name, [name]: value };
}

/** A malformed call: answered 400 with `Error in call to API function "<route>": <detail>`. */
export class BadRequestError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'BadRequestError';
  }
}

/** A route error: answered 409 with `{error_summary, error}`. `error` is the route's error union. */
export class RouteError extends Error {
  constructor(readonly error: Tagged) {
    super(summaryChain(error));
    this.name = 'RouteError';
  }
}

/** A LookupError value from a path lookup; routes wrap it in their own error union. */
export class LookupFailure extends Error {
  constructor(readonly reason: Tagged) {
    super(summaryChain(reason));
    this.name = 'LookupFailure';
  }
}

/** A WriteError value from a write; routes wrap it in their own error union. */
export class WriteFailure extends Error {
  constructor(readonly reason: Tagged) {
    super(summaryChain(reason));
    this.name = 'WriteFailure';
  }
}

/**
 * The tags along the error, e.g. `path/conflict/file`. A nested member is followed by its name; an
 * inlined struct (like UploadWriteFailed) is followed through its first union-valued field, which is
 * how Dropbox arrives at `path/conflict/file/` for files/upload.
 */
export function summaryChain(error: Tagged): string {
  const tags: string[] = [];
  let current: unknown = error;
  while (isTagged(current)) {
    const name = current['.tag'];
    tags.push(name);
    const nested = current[name];
    current = isTagged(nested) ? nested : Object.values(current).find(isTagged);
  }
  return tags.join('/');
}

function isTagged(value: unknown): value is Tagged {
  return typeof value === 'object' && value !== null && typeof (value as Tagged)['.tag'] === 'string';
}

/**
 * Dropbox ends every summary with `/` and zero to three dots, varying between calls, so clients
 * must match on the prefix. The count rotates here so a client that compares whole strings fails.
 */
export class SummaryFormatter {
  private counter = 1;

  format(chain: string): string {
    const dots = '.'.repeat(this.counter++ % 4);
    return `${chain}/${dots}`;
  }
}

/** A refused token: answered 401 with `{error_summary, error}` carrying an AuthError value. */
export class UnauthorizedError extends Error {
  constructor(readonly error: Tagged) {
    super(summaryChain(error));
    this.name = 'UnauthorizedError';
  }
}
