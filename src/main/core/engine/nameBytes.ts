// Fitting generated names (conflicted copies, case-conflict renames) into one path component.
// The cap is in UTF-8 bytes: Linux and macOS file systems refuse names over 255 bytes
// (ENAMETOOLONG), and a name within 255 bytes is also within Dropbox's 255 characters and
// Windows' 255 UTF-16 units. Cuts fall between graphemes, so a surrogate pair or a letter and
// its combining accents are never split.

export const MAX_NAME_BYTES = 255;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` made of whole graphemes that fits in `maxBytes` of UTF-8. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  let used = 0;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    const bytes = utf8Bytes(segment);
    if (used + bytes > maxBytes) break;
    used += bytes;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/**
 * `stem + marker + ext` within MAX_NAME_BYTES. The marker (what the name is, and its number, which
 * keeps names unique) always stays whole; the stem is shortened first. An extension too long to
 * leave any room is more likely a dotted name than a type, so it is shortened as part of the stem.
 */
export function fitName(stem: string, marker: string, ext: string): string {
  const room = MAX_NAME_BYTES - utf8Bytes(marker);
  if (utf8Bytes(stem) + utf8Bytes(ext) <= room) return `${stem}${marker}${ext}`;
  if (utf8Bytes(ext) >= room) return `${truncateUtf8(stem + ext, room)}${marker}`;
  return `${truncateUtf8(stem, room - utf8Bytes(ext))}${marker}${ext}`;
}
