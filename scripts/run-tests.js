#!/usr/bin/env node
// Runs every compiled test file (dist/tests/**/*.test.js) with Node's test runner.
// Node 20's runner takes no globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (name.endsWith('.test.js')) found.push(full);
  }
  return found;
}

const filter = process.argv.slice(2);
const files = findTests('dist/tests').filter((f) => filter.length === 0 || filter.some((p) => f.includes(p))).sort();
if (files.length === 0) {
  console.error('no test files found under dist/tests (did the build run?)');
  process.exit(1);
}
// Browser tests each drive a Chromium plus servers; two at once, or one beside the busy engine
// tests, starve a 2-core machine. They run after the rest, one at a time.
const isBrowserTest = (f) => f.includes(join('tests', 'e2e'));
const batches = [
  { files: files.filter((f) => !isBrowserTest(f)), concurrency: 2 },
  { files: files.filter(isBrowserTest), concurrency: 1 },
].filter((b) => b.files.length > 0);
let failed = false;
for (const batch of batches) {
  const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${batch.concurrency}`, '--test-timeout=120000', ...batch.files], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
