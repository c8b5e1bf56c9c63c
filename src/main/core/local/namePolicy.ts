// Whether a name that exists on Dropbox can exist on this computer's side of the sync. One source
// of truth with the scanner: a name the scanner would refuse cannot be held locally either, plus
// what the local OS forbids. A remote item that fails here is never downloaded: it is reported.
import { assertNever } from '../engine/model.js';
import { nameProblem, type NameProblem } from '../paths.js';

/** Why the local side cannot hold a name: the scanner's own refusals, or the OS's. */
export type LocalNameProblem = NameProblem | 'reserved_on_windows' | 'bad_character_on_windows' | 'too_long_for_disk';

/** Most local file systems (ext4, APFS, NTFS) cap one name at 255 bytes of UTF-8 (or UTF-16 units). */
const MAX_NAME_BYTES = 255;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what Windows refuses
const WINDOWS_BAD_CHARACTERS = /[<>:"|?*\u0000-\u001f]/;

/** Why `name` (one component) cannot exist on the local side of `platform`, or null when it can. */
export function localNameProblem(name: string, platform: NodeJS.Platform = process.platform): LocalNameProblem | null {
  const scannerRefusal = nameProblem(name);
  if (scannerRefusal) return scannerRefusal;
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return 'too_long_for_disk';
  if (platform === 'win32') {
    if (WINDOWS_BAD_CHARACTERS.test(name) || name.endsWith('.')) return 'bad_character_on_windows';
    if (WINDOWS_RESERVED.test(name)) return 'reserved_on_windows';
  }
  return null;
}

/** The first component of a relative path ('/a/b') the local side cannot hold, with its problem. */
export function localPathProblem(relPath: string, platform: NodeJS.Platform = process.platform): { name: string; problem: LocalNameProblem } | null {
  for (const name of relPath.split('/').slice(1)) {
    const problem = localNameProblem(name, platform);
    if (problem) return { name, problem };
  }
  return null;
}

/** A plain reason for a person, e.g. "its name ends with a space". */
export function describeNameProblem(problem: LocalNameProblem): string {
  switch (problem) {
    case 'empty':
      return 'its name is empty';
    case 'dot':
      return 'its name is "." or ".."';
    case 'too_long':
      return 'its name is longer than 255 characters';
    case 'too_long_for_disk':
      return 'its name is longer than this computer allows (255 bytes)';
    case 'bad_character':
      return 'its name contains a character files cannot have here (\\, NUL or DEL)';
    case 'bad_character_on_windows':
      return 'its name contains a character Windows does not allow (<>:"|?* or a control character) or ends with a dot';
    case 'trailing_space':
      return 'its name ends with a space';
    case 'disallowed':
      return 'its name is reserved by Dropbox and its apps';
    case 'reserved_on_windows':
      return 'its name is reserved by Windows (CON, PRN, AUX, NUL, COM1, LPT1…)';
    default:
      return assertNever(problem);
  }
}
