#!/usr/bin/env node
// Entry point of the `twinfold` command; the CLI itself is compiled to dist/.
import('../dist/src/main/cli/index.js').then((cli) => cli.main(process.argv.slice(2))).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`twinfold: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
