// Throwaway folders for tests on the real file system, always removed afterwards: one per test
// (withTempDir) or one per test file with a fresh path inside it per case (tempDirPerFile).
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { after, before, type TestContext } from 'node:test';

/**
 * A new empty folder `<tmp>/twinfold-<prefix>-…` removed when test `t` ends. Its real path: the CLI
 * resolves symlinks (macOS /tmp), so messages and registries name real folders.
 */
export async function tempDirFor(t: TestContext, prefix: string): Promise<string> {
  const dir = await realpath(await mkdtemp(nodePath.join(tmpdir(), `twinfold-${prefix}-`)));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `fn` with a new empty folder `<tmp>/twinfold-<prefix>-…`, removed afterwards whatever `fn` did. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(nodePath.join(tmpdir(), `twinfold-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Call at the top of a test file: creates one folder before its first test and removes it after its
 * last. Returns `fresh(name)`, a not yet existing path `<that folder>/<name>-<n>`, new on every call.
 */
export function tempDirPerFile(prefix: string): (name: string) => string {
  let base: string | undefined;
  let n = 0;
  before(async () => {
    base = await mkdtemp(nodePath.join(tmpdir(), `twinfold-${prefix}-`));
  });
  after(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });
  return (name) => {
    if (!base) throw new Error('tempDirPerFile: fresh() is for use inside tests, after the before hook ran');
    return nodePath.join(base, `${name}-${++n}`);
  };
}
