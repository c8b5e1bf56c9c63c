// What an activity entry says: one sentence per action, written for people, with where deleted
// files went and both names of a conflict. Pure: no DOM, tested in Node.
import type { ActivityAction, ActivityItem } from '../../common/contract.js';
import type { Tone } from './overall.js';
import { splitPath } from './paths.js';

export interface ActivityText {
  /** Short verb for the list's first column: "Uploaded". */
  verb: string;
  /** The whole sentence, for screen readers and the detail line. */
  sentence: string;
  /** A second line with what else matters (the copy's name, where a deleted file went). */
  note?: string;
  tone: Tone;
}

const VERBS: Record<ActivityAction, string> = {
  upload: 'Uploaded',
  download: 'Downloaded',
  delete_local: 'Deleted here',
  delete_remote: 'Deleted in Dropbox',
  move_local: 'Moved here',
  move_remote: 'Moved in Dropbox',
  conflict: 'Conflict',
  mkdir_local: 'New folder here',
  mkdir_remote: 'New folder in Dropbox',
  error: 'Failed',
  notice: 'Note',
};

export function describeActivity(item: Pick<ActivityItem, 'action' | 'path' | 'detail'>): ActivityText {
  const { name } = splitPath(item.path);
  const verb = VERBS[item.action];
  const detail = item.detail?.trim() || undefined;
  switch (item.action) {
    case 'upload':
      return { verb, sentence: `Uploaded ${name} to Dropbox`, tone: 'ok' };
    case 'download':
      return { verb, sentence: `Downloaded ${name} from Dropbox`, tone: 'ok' };
    case 'delete_local':
      // Deleted on this computer because it was deleted in Dropbox: say where it can be found.
      return { verb, sentence: `Deleted ${name} on this computer`, note: detail ? asNote(detail) : 'Moved to the trash', tone: 'neutral' };
    case 'delete_remote':
      return { verb, sentence: `Deleted ${name} in Dropbox`, note: detail ? asNote(detail) : 'Dropbox keeps deleted files for a while; restore it from dropbox.com', tone: 'neutral' };
    case 'move_local':
      return { verb, sentence: `Moved ${name} on this computer`, note: detail ? asNote(detail) : undefined, tone: 'ok' };
    case 'move_remote':
      return { verb, sentence: `Moved ${name} in Dropbox`, note: detail ? asNote(detail) : undefined, tone: 'ok' };
    case 'conflict':
      return {
        verb,
        sentence: `${name} was changed in two places; both versions were kept`,
        note: detail ? `Kept both: ${name} and ${splitPath(detail).name}` : `Kept both versions of ${name}`,
        tone: 'warn',
      };
    case 'mkdir_local':
      return { verb, sentence: `Created folder ${name} on this computer`, tone: 'ok' };
    case 'mkdir_remote':
      return { verb, sentence: `Created folder ${name} in Dropbox`, tone: 'ok' };
    case 'error':
      return { verb, sentence: `Could not sync ${name}`, note: detail, tone: 'error' };
    case 'notice':
      return { verb, sentence: detail ? `${name}: ${detail}` : name, note: detail ? asNote(detail) : undefined, tone: 'neutral' };
  }
}

/** The engine writes details as sentence fragments ("moved to the trash: …", "from /a"). */
function asNote(detail: string): string {
  return detail.charAt(0).toUpperCase() + detail.slice(1);
}

/** Arrow and words for a transfer's direction; the arrow is decoration, the words are read out. */
export function directionLabel(direction: 'up' | 'down'): { arrow: string; text: string } {
  return direction === 'up' ? { arrow: '↑', text: 'Uploading' } : { arrow: '↓', text: 'Downloading' };
}
