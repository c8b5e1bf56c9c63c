// Names Dropbox picks when `autorename` resolves a conflict: a number for add/overwrite and for
// folders ("doc (1).txt"), "conflicted copy" for a stale update ("doc (conflicted copy).txt").

/** Splits a file name at its extension; dot-files and folders keep their whole name. */
function splitExtension(name: string, isFolder: boolean): [string, string] {
  const dot = name.lastIndexOf('.');
  if (isFolder || dot <= 0) return [name, ''];
  return [name.slice(0, dot), name.slice(dot)];
}

/** The n-th (from 1) candidate name for an autorenamed write. */
export function autorenameCandidate(name: string, n: number, style: 'number' | 'conflicted_copy', isFolder: boolean): string {
  const [stem, ext] = splitExtension(name, isFolder);
  if (style === 'number') return `${stem} (${n})${ext}`;
  return n === 1 ? `${stem} (conflicted copy)${ext}` : `${stem} (conflicted copy ${n})${ext}`;
}
