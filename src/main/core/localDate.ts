// The local calendar date as YYYY-MM-DD: used in conflicted-copy names and trash folder names,
// where people read it, so it is the user's date rather than UTC.
export function localDate(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
