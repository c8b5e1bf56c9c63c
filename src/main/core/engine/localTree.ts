// The engine's view of the local side: the whole tree from a startup scan, kept current by
// re-observing the paths that watcher hints and the engine's own operations touch.
import type { LocalItem, PathKey, Tree } from './model.js';
import { isSameOrBelow, pathLower } from '../paths.js';
import { scanLocal, statLocalMany, type ScanOptions } from '../local/scanner.js';
import type { LocalProblem } from '../local/problems.js';

export class LocalTree {
  private items: Tree<LocalItem> = new Map();
  /** Problems by the key of their path; replaced subtree by subtree like the items. */
  private problemsByKey = new Map<PathKey, LocalProblem>();

  constructor(
    private readonly root: string,
    private readonly scanOptions: () => ScanOptions,
  ) {}

  async scanAll(): Promise<void> {
    const result = await scanLocal(this.root, this.scanOptions());
    this.items = result.tree;
    this.problemsByKey = new Map(result.problems.map((p) => [pathLower(p.path), p]));
  }

  /** Re-observes each relative path and its subtree; what is gone from disk leaves the tree. */
  async refresh(relPaths: readonly string[]): Promise<void> {
    if (relPaths.length === 0) return;
    const results = await statLocalMany(this.root, relPaths, this.scanOptions());
    for (const result of results) {
      this.dropSubtree(result.key);
      for (const [key, item] of result.tree) this.items.set(key, item);
      for (const problem of result.problems) this.problemsByKey.set(pathLower(problem.path), problem);
    }
  }

  get(key: PathKey): LocalItem | undefined {
    return this.items.get(key);
  }

  tree(): Tree<LocalItem> {
    return this.items;
  }

  problems(): LocalProblem[] {
    return [...this.problemsByKey.values()];
  }

  /**
   * Keys whose local state is unknown right now (unreadable, still being written): the planner
   * must not read their absence as a local deletion.
   */
  unknownKeys(): PathKey[] {
    return [...this.problemsByKey.entries()].filter(([, p]) => p.kind === 'unreadable' || p.kind === 'unstable').map(([k]) => k);
  }

  private dropSubtree(key: PathKey): void {
    if (key === '') {
      this.items.clear();
      this.problemsByKey.clear();
      return;
    }
    const wasFile = this.items.get(key)?.kind === 'file';
    this.items.delete(key);
    this.problemsByKey.delete(key);
    // A file has no subtree: skip the full walk, which matters when thousands of files change.
    if (wasFile) return;
    for (const map of [this.items, this.problemsByKey] as Map<PathKey, unknown>[]) {
      for (const k of map.keys()) if (isSameOrBelow(k, key)) map.delete(k);
    }
  }
}
