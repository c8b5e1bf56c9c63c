// JSON in HTTP headers (Dropbox-API-Arg, Dropbox-API-Result): U+007F and everything above ASCII
// escaped as \uXXXX so the header is pure ASCII; incoming raw UTF-8 is accepted too.

export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Node hands header bytes over as latin-1; re-reading them as UTF-8 recovers raw UTF-8 JSON. */
export function parseHeaderJson(raw: string): unknown {
  return JSON.parse(Buffer.from(raw, 'latin1').toString('utf8'));
}
