// What the scanner found on disk that is not synced as it is: each problem is reported once, case
// conflicts go to the planner (which renames them so both items survive), and the ones the user
// must act on are listed.
import type { LocalTree } from './localTree.js';
import type { Exclusions } from './exclusions.js';
import type { CaseConflict } from './model.js';
import type { StateIndex } from '../index/index.js';
import type { LocalProblem } from '../local/problems.js';
import { pathLower } from '../paths.js';

export interface LocalProblemsDeps {
  local: LocalTree;
  index: StateIndex;
  exclusions: Exclusions;
  now(): number;
  log(line: string): void;
  activity(): void;
}

export class LocalProblems {
  private readonly reported = new Set<string>();

  constructor(private readonly deps: LocalProblemsDeps) {}

  /**
   * Reports each problem found on disk once, and returns the case conflicts for the planner: it
   * renames them through the executor, which checks the disk before it acts.
   */
  async handle(): Promise<CaseConflict[]> {
    for (const problem of this.relevant()) {
      if (problem.kind === 'case_conflict') continue;
      const id = `${problem.kind}:${problem.path}`;
      if (this.reported.has(id)) continue;
      this.reported.add(id);
      const message = problemMessage(problem);
      this.deps.log(message);
      this.deps.index.addActivity({ time: this.deps.now(), action: 'error', path: problem.path, detail: message });
      this.deps.activity();
    }
    const excluded = (path: string) => this.deps.exclusions.rootOf(pathLower(path)) !== undefined;
    return (await this.deps.local.caseConflicts()).filter((conflict) => !excluded(conflict.path));
  }

  /** Items the user must act on to get them synced; symlinks are left out by design, not by failure. */
  unsynced(): { path: string; reason: string }[] {
    return this.relevant()
      .filter((p) => p.kind === 'unreadable' || p.kind === 'invalid_name' || p.kind === 'special_file')
      .map((p) => ({ path: p.path, reason: problemMessage(p) }));
  }

  /** Whatever lies under an excluded folder is the user's own business on this device. */
  private relevant(): LocalProblem[] {
    return this.deps.local.problems().filter((p) => this.deps.exclusions.rootOf(pathLower(p.path)) === undefined);
  }
}

function problemMessage(problem: LocalProblem): string {
  switch (problem.kind) {
    case 'symlink':
      return `${problem.path} is a symbolic link; links are not followed or synced`;
    case 'special_file':
      return `${problem.path} is not a regular file (socket, pipe or device); it is not synced`;
    case 'unreadable':
      return `${problem.path} cannot be read (${problem.code}); it is skipped until it can`;
    case 'invalid_name':
      return `${problem.path} has a name Dropbox does not accept (${problem.reason.replace('_', ' ')}); rename it to sync it`;
    case 'unstable':
      return `${problem.path} is still being written; it will be synced when it settles`;
    case 'case_conflict':
      return `${problem.path} has the same name as ${problem.keptPath} apart from case or accents`;
  }
}
