// Paths for display, breadcrumbs and new Dropbox folder names in the window UI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayRemotePath, folderNameProblem, joinRemote, localCrumbs, pairName, remoteCrumbs, splitPath, type Crumb, type SplitPath } from '../../src/renderer/logic/paths.js';

test('splitPath gives the name and the folder holding it', () => {
  const rows: [string, SplitPath][] = [
    ['/Work/2025/report.pdf', { name: 'report.pdf', folder: '/Work/2025' }],
    ['/report.pdf', { name: 'report.pdf', folder: '/' }],
    ['report.pdf', { name: 'report.pdf', folder: '' }],
    ['/home/ann/Work/', { name: 'Work', folder: '/home/ann' }],
    ['C:\\Users\\Ann\\Sync', { name: 'Sync', folder: 'C:\\Users\\Ann' }],
    ['/', { name: '/', folder: '' }],
  ];
  for (const [input, expected] of rows) assert.deepEqual(splitPath(input), expected, input);
});

test('pairName and displayRemotePath', () => {
  assert.equal(pairName('/home/ann/Pictures/Phone'), 'Phone');
  assert.equal(pairName('/'), '/');
  assert.equal(displayRemotePath(''), 'Dropbox (everything)');
  assert.equal(displayRemotePath('/Work/Acme'), 'Dropbox/Work/Acme');
});

test('remoteCrumbs', () => {
  const rows: [string, Crumb[]][] = [
    ['', [{ name: 'Dropbox', path: '' }]],
    ['/Work/Acme', [{ name: 'Dropbox', path: '' }, { name: 'Work', path: '/Work' }, { name: 'Acme', path: '/Work/Acme' }]],
  ];
  for (const [input, expected] of rows) assert.deepEqual(remoteCrumbs(input), expected, input);
});

test('localCrumbs for POSIX and Windows paths', () => {
  const rows: [string, Crumb[]][] = [
    ['/', [{ name: '/', path: '/' }]],
    ['/home/ann', [{ name: '/', path: '/' }, { name: 'home', path: '/home' }, { name: 'ann', path: '/home/ann' }]],
    ['C:\\Users\\Ann', [{ name: 'C:\\', path: 'C:\\' }, { name: 'Users', path: 'C:\\Users' }, { name: 'Ann', path: 'C:\\Users\\Ann' }]],
  ];
  for (const [input, expected] of rows) assert.deepEqual(localCrumbs(input), expected, input);
});

test('folderNameProblem refuses names that are not one folder', () => {
  const rows: [string, boolean][] = [
    ['', false],
    ['Projects 2025', false],
    ['Übersicht', false],
    [' lead', true],
    ['trail ', true],
    ['.', true],
    ['..', true],
    ['a/b', true],
    ['a\\b', true],
    ['tab\there', true],
    ['x'.repeat(256), true],
  ];
  for (const [input, problem] of rows) assert.equal(folderNameProblem(input) !== undefined, problem, JSON.stringify(input));
});

test('joinRemote puts the new folder under the chosen one', () => {
  const rows: [string, string, string][] = [
    ['', '', ''],
    ['', 'New', '/New'],
    ['/Work', '', '/Work'],
    ['/Work', '  Acme ', '/Work/Acme'],
  ];
  for (const [parent, name, expected] of rows) assert.equal(joinRemote(parent, name), expected);
});
