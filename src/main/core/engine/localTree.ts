// The engine's view of the local side: the whole tree from a startup scan, kept current by
// re-observing the paths that watcher hints and the engine's own operations touch.
import { lstat } from 'node:fs/promises';
import { assertNever, type CaseConflict, type LocalItem, type PathKey, type Tree } from './model.js';
import { isSameOrBelow, pathLower, resolveInsideRoot } from '../paths.js';
import { scanLocal, statLocalMany, type ScanOptions } from '../local/scanner.js';
import type { LocalProblem } from '../local/problems.js';

export class LocalTree {
  private items: Tree<LocalItem> = new Map();
  /** Problems by their path as spelled on disk (two spellings of one key can both have one). */
  private problemsByPath = new Map<string, LocalProblem>();

  constructor(
    private readonly root: string,
    private readonly scanOptions: () => ScanOptions,
  ) {}

  /** Walks the whole folder; `onProgress` hears the count of items found so far. Stops on the scan signal. */
  async scanAll(onProgress?: (items: number) => void): Promise<void> {
    const result = await scanLocal(this.root, { ...this.scanOptions(), onProgress });
    this.items = result.tree;
    this.problemsByPath = new Map(result.problems.map((p) => [p.path, p]));
  }

  /** Re-observes each relative path and its subtree; what is gone from disk leaves the tree. */
  async refresh(relPaths: readonly string[]): Promise<void> {
    if (relPaths.length === 0) return;
    const results = await statLocalMany(this.root, relPaths, this.scanOptions());
    for (const result of results) {
      this.dropSubtree(result.key);
      for (const [key, item] of result.tree) this.items.set(key, item);
      for (const problem of result.problems) this.problemsByPath.set(problem.path, problem);
    }
  }

  get(key: PathKey): LocalItem | undefined {
    return this.items.get(key);
  }

  tree(): Tree<LocalItem> {
    return this.items;
  }

  /** True for a path the scan leaves out on purpose (built-in and user ignore rules). */
  isIgnored(relPath: string, isDirectory: boolean): boolean {
    return this.scanOptions().ignore.isIgnored(relPath, isDirectory);
  }

  problems(): LocalProblem[] {
    return [...this.problemsByPath.values()];
  }

  /**
   * Items left out of the tree because another local name has their key (`A.txt` beside `a.txt`):
   * input for the planner, which renames them so both are kept. One that vanished is skipped.
   */
  async caseConflicts(): Promise<CaseConflict[]> {
    const found = await Promise.all(
      this.problems()
        .filter((p) => p.kind === 'case_conflict')
        .map(async ({ path }): Promise<CaseConflict | undefined> => {
          const stats = await lstat(resolveInsideRoot(this.root, path)).catch(() => undefined);
          if (stats?.isDirectory()) return { path, kind: 'folder' };
          return stats?.isFile() ? { path, kind: 'file' } : undefined;
        }),
    );
    return found.filter((c): c is CaseConflict => c !== undefined);
  }

  /**
   * Keys the engine must not touch: their state is unknown (unreadable, still being written) or
   * they are occupied by something that is not synced (a symlink, a socket, a name the scanner
   * refuses). Their absence from the tree is not a deletion, even with a merge base, and nothing
   * may be written through or over them. Only a case conflict is left out: its key belongs to
   * the item that was kept, which syncs normally.
   */
  unknownKeys(): PathKey[] {
    return this.problems()
      .filter((p) => isUnknownState(p))
      .map((p) => pathLower(p.path));
  }

  private dropSubtree(key: PathKey): void {
    if (key === '') {
      this.items.clear();
      this.problemsByPath.clear();
      return;
    }
    for (const path of this.problemsByPath.keys()) if (isSameOrBelow(pathLower(path), key)) this.problemsByPath.delete(path);
    const wasFile = this.items.get(key)?.kind === 'file';
    this.items.delete(key);
    // A file has no subtree: skip the walk over every item, which matters when thousands change.
    if (wasFile) return;
    for (const k of this.items.keys()) if (isSameOrBelow(k, key)) this.items.delete(k);
  }
}

/** Whether a problem hides what is really at its path (every refusal but a case conflict). */
function isUnknownState(problem: LocalProblem): boolean {
  switch (problem.kind) {
    case 'unreadable':
    case 'unstable':
    case 'symlink':
    case 'special_file':
    case 'invalid_name':
      return true;
    case 'case_conflict':
      return false;
    default:
      return assertNever(problem);
  }
}
