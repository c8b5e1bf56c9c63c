// Which pairs may run beside which (table), and the messages that say why not; plus the wording
// of failures of Twinfold's own files (state folder, index).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownStateProblem, overlapProblem, type ActiveRoot } from '../../src/main/core/activeRoots.js';
import { stateFailureMessage } from '../../src/main/core/errors.js';

const other: ActiveRoot = { root: '/a', stateDir: '/a/.twinfold', foldCase: false, pid: 4242 };
const by = 'by another Twinfold process (pid 4242)';

const overlapRows: [string, Omit<ActiveRoot, 'pid'>, string | undefined][] = [
  ['same folder', { root: '/a', stateDir: '/s', foldCase: false }, `/a is already synced ${by}; folder pairs must not overlap`],
  ['inside', { root: '/a/b', stateDir: '/a/b/.twinfold', foldCase: false }, `/a/b is inside the folder /a, synced ${by}; folder pairs must not overlap`],
  ['around', { root: '/', stateDir: '/.twinfold', foldCase: false }, `/ contains the folder /a, synced ${by}; folder pairs must not overlap`],
  ['sibling with a common prefix', { root: '/ab', stateDir: '/ab/.twinfold', foldCase: false }, undefined],
  ['case differs, case-sensitive', { root: '/A/b', stateDir: '/A/b/.twinfold', foldCase: false }, undefined],
  ['case differs, folding file system', { root: '/A/b', stateDir: '/A/b/.twinfold', foldCase: true }, `/A/b is inside the folder /a, synced ${by}; folder pairs must not overlap`],
  ['state inside the other folder', { root: '/x', stateDir: '/a/state', foldCase: false }, `the state folder /a/state is inside /a, synced ${by}; choose a state folder outside it`],
  ['same state folder', { root: '/x', stateDir: '/a/.twinfold', foldCase: false }, 'another Twinfold process (pid 4242) is already syncing with the state folder /a/.twinfold'],
];
for (const [name, mine, expected] of overlapRows) {
  test(`overlapProblem: ${name}`, () => assert.equal(overlapProblem(mine, other), expected));
}

test('overlapProblem: a folder holding the state of another pair', () => {
  const elsewhere: ActiveRoot = { root: '/x', stateDir: '/home/u/state/x', foldCase: false, pid: 7 };
  assert.equal(
    overlapProblem({ root: '/home/u', stateDir: '/home/u/.twinfold', foldCase: false }, elsewhere),
    '/home/u holds the state folder /home/u/state/x of a pair synced by another Twinfold process (pid 7); choose another folder',
  );
});

const ownRows: [string, Omit<ActiveRoot, 'pid'>, string | undefined][] = [
  ['the default .twinfold', { root: '/a', stateDir: '/a/.twinfold', foldCase: false }, undefined],
  ['inside .twinfold', { root: '/a', stateDir: '/a/.twinfold/x', foldCase: false }, undefined],
  ['elsewhere', { root: '/a', stateDir: '/s', foldCase: false }, undefined],
  ['inside the folder', { root: '/a', stateDir: '/a/state', foldCase: false }, 'the state folder /a/state is inside the synced folder /a, so it would be uploaded; choose a state folder outside it (or leave --state out)'],
  ['the folder inside its state', { root: '/s/a', stateDir: '/s', foldCase: false }, 'the folder /s/a lies inside its own state folder /s; choose a state folder elsewhere'],
];
for (const [name, mine, expected] of ownRows) {
  test(`ownStateProblem: ${name}`, () => assert.equal(ownStateProblem(mine), expected));
}

const failureRows: [string, unknown, string][] = [
  ['disk full', Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 'could not write /s/index.sqlite: the disk holding /s/index.sqlite is full; free some space and start again'],
  ['SQLite disk full, wrapped', new Error('cannot open', { cause: Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }) }), 'could not write /s/index.sqlite: the disk holding /s/index.sqlite is full; free some space and start again'],
  ['read-only', Object.assign(new Error('EROFS'), { code: 'EROFS' }), 'could not write /s/index.sqlite: the disk holding /s/index.sqlite is read-only'],
  ['permission', Object.assign(new Error('EACCES'), { code: 'EACCES' }), 'could not write /s/index.sqlite: permission denied; check who owns the folder and its permissions'],
  ['other', new Error('something else'), 'could not write /s/index.sqlite: something else'],
];
for (const [name, err, expected] of failureRows) {
  test(`stateFailureMessage: ${name}`, () => assert.equal(stateFailureMessage(err, '/s/index.sqlite', 'write'), expected));
}
