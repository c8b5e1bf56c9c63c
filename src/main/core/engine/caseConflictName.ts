// The name given to a local item whose name Dropbox would see as another's (differing only in
// case or Unicode form): `name (case conflict).ext`, numbered when that is taken too, and
// shortened to fit one path component.
import { remoteBasename, remoteParent, joinRemote } from '../paths.js';
import { splitExtension } from './conflictNames.js';
import { fitName } from './nameBytes.js';
import type { ItemKind } from './model.js';

export function caseConflictPath(path: string, kind: ItemKind, taken: (candidatePath: string) => boolean): string {
  const { stem, ext } = splitExtension(remoteBasename(path), kind);
  const parent = remoteParent(path);
  for (let n = 1; ; n += 1) {
    const candidate = joinRemote(parent, fitName(stem, ` (case conflict${n > 1 ? ` ${n}` : ''})`, ext));
    if (!taken(candidate)) return candidate;
  }
}
