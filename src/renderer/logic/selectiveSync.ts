// Selective sync: which Dropbox subfolders of a pair are left out. Exclusions are paths relative to
// the pair's Dropbox folder ('/Photos/2019'); Dropbox compares paths without regard to case, so
// this does too. A folder inside an excluded one is excluded with it. Pure: tested in Node.

function lower(path: string): string {
  return path.toLowerCase();
}

/** '/Work' + '/work/Photos/2019' → '/Photos/2019'; undefined when `path` is not inside `root`. */
export function relativeToPair(root: string, path: string): string | undefined {
  if (root === '') return path.startsWith('/') ? path : undefined;
  const r = lower(root);
  const p = lower(path);
  if (p === r) return '';
  if (!p.startsWith(`${r}/`)) return undefined;
  return path.slice(root.length);
}

/** True when `rel` itself or one of its parent folders is excluded. */
export function isExcluded(excluded: readonly string[], rel: string): boolean {
  const p = lower(rel);
  return excluded.some((e) => {
    const x = lower(e);
    return p === x || p.startsWith(`${x}/`);
  });
}

/** True when a parent (not `rel` itself) is excluded: the box is then unchecked and locked. */
export function isExcludedByParent(excluded: readonly string[], rel: string): boolean {
  const p = lower(rel);
  return excluded.some((e) => p.startsWith(`${lower(e)}/`));
}

/**
 * Checking a box syncs the folder again (drops its own exclusion); unchecking leaves it out and
 * drops exclusions inside it, which it now covers. The result is sorted for stable saving.
 */
export function setIncluded(excluded: readonly string[], rel: string, include: boolean): string[] {
  const p = lower(rel);
  const kept = include
    ? excluded.filter((e) => lower(e) !== p)
    : excluded.filter((e) => {
        const x = lower(e);
        return x !== p && !x.startsWith(`${p}/`);
      });
  if (!include) kept.push(rel);
  return [...kept].sort((a, b) => lower(a).localeCompare(lower(b)));
}

/** Same set of exclusions, ignoring order and case: whether there is anything to save. */
export function sameExclusions(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a.map(lower));
  const right = new Set(b.map(lower));
  return left.size === right.size && [...left].every((x) => right.has(x));
}
