// Sizes and speeds written for people, shared by the main side (status lines, tray tooltip) and
// the window UI so both say the same thing. Decimal units (1 kB = 1000 bytes), as Dropbox, macOS
// and disk makers use, so a size here matches the size Dropbox shows for the same file.

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** 0 → "0 B", 1234 → "1.2 kB", 123_456_789 → "123 MB". Below 100 one decimal, else none. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  let text = value < 100 ? value.toFixed(1) : String(Math.round(value));
  // 999.96 kB rounds to "1000 kB": move to the next unit instead.
  if (Number(text) >= 1000 && unit < SIZE_UNITS.length - 1) {
    unit += 1;
    text = (Number(text) / 1000).toFixed(1);
  }
  return `${text} ${SIZE_UNITS[unit]}`;
}

/** 2_100_000 → "2.1 MB/s"; nothing moving → "". */
export function formatSpeed(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec) || bytesPerSec <= 0) return '';
  return `${formatBytes(bytesPerSec)}/s`;
}
