// Parses the path arguments routes receive ("", "/a/b", "id:…", "rev:…", "ns:<id>/…") and checks
// each component against Dropbox's naming rules, giving the LookupError/WriteError reason to return.
import { nameProblem } from '../main/core/paths.js';
import { BadRequestError, tag, type Tagged } from './errors.js';

export type PathArg =
  /** Components as the client spelled them; [] is the root. */
  | { kind: 'path'; components: string[] }
  | { kind: 'id'; id: string; rest: string[] }
  | { kind: 'rev'; rev: string }
  /** A namespace other than the account's own: nothing there is visible. */
  | { kind: 'foreign' };

export const ROOT_AS_SLASH = 'Specify the root folder as an empty string rather than as "/".';

export function parsePathArg(raw: string, homeNamespaceId: string): PathArg {
  if (raw === '/') throw new BadRequestError(ROOT_AS_SLASH);
  if (raw === '') return { kind: 'path', components: [] };
  if (raw.startsWith('rev:')) return { kind: 'rev', rev: raw.slice(4) };
  if (raw.startsWith('id:')) {
    const slash = raw.indexOf('/');
    if (slash < 0) return { kind: 'id', id: raw, rest: [] };
    return { kind: 'id', id: raw.slice(0, slash), rest: splitComponents(raw.slice(slash)) };
  }
  if (raw.startsWith('ns:')) {
    const m = /^ns:(\d+)(\/.*)?$/s.exec(raw);
    if (!m || m[1] !== homeNamespaceId) return { kind: 'foreign' };
    const rest = m[2] ?? '';
    return { kind: 'path', components: rest === '' || rest === '/' ? [] : splitComponents(rest) };
  }
  return { kind: 'path', components: splitComponents(raw) };
}

function splitComponents(path: string): string[] {
  return path.slice(1).split('/');
}

/**
 * Why components cannot name anything on Dropbox, as a WriteError reason; null when they are fine.
 * `lenient` (a test knob) lets through the names Dropbox refuses by policy, not the malformed ones.
 */
export function writeProblem(components: string[], lenient = false): Tagged | null {
  let disallowed = false;
  for (const name of components) {
    const problem = nameProblem(name);
    if (lenient && (problem === 'disallowed' || problem === 'trailing_space')) continue;
    if (problem === 'disallowed') disallowed = true;
    else if (problem !== null) return tag('malformed_path');
  }
  return disallowed ? tag('disallowed_name') : null;
}

/** The same check for lookups: a disallowed name simply cannot exist, so it is not_found. */
export function lookupProblem(components: string[], lenient = false): Tagged | null {
  const problem = writeProblem(components, lenient);
  if (problem === null) return null;
  return problem['.tag'] === 'disallowed_name' ? tag('not_found') : problem;
}
