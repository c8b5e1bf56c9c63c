// The tray model: icon state, tooltip, status line and menu rows for each kind of app state, the
// recent-files rules, the "until tomorrow" arithmetic and what each menu action asks for.
process.env.TZ = 'Europe/Berlin'; // set before any Date use: the local-time rules are checked in a zone with DST
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivityItem, AppState, PairView } from '../../src/common/contract.js';
import { buildTrayModel, formatUntil, minutesUntilTomorrowMorning, recentFiles, sameTrayModel, type MenuItemModel } from '../../src/main/app/trayModel.js';
import { trayEffect } from '../../src/main/app/trayActions.js';
import { allTrayIconFiles, trayIconFile } from '../../src/main/app/trayIcons.js';

const NOW = new Date(2025, 2, 10, 15, 0).getTime(); // Mon 10 March 2025 15:00 local

function pair(over: Partial<PairView> = {}): PairView {
  return {
    id: 'pair0001', localPath: '/home/ann/Work', remotePath: '/Work', options: { quietMs: 1000, deletionPolicy: 'propagate', excluded: [] },
    paused: false, engineState: 'idle', overall: 'up_to_date', line: 'Up to date', massDeleteHeld: false, done: 0, total: 0,
    bytesPerSec: 0, transfers: [], errorCount: 0, ...over,
  };
}

function state(over: Partial<AppState> = {}): AppState {
  return {
    overall: 'up_to_date', line: 'Up to date', bytesPerSec: 0, account: { accountId: 'dbid:1', displayName: 'Ann', email: 'ann@example.com' },
    signInNeeded: false, signIn: { pending: false }, pairs: [pair()], settings: { notifications: true },
    host: { kind: 'electron', nativeFolderPicker: true, canReveal: true, canAutostart: true }, ...over,
  };
}

function activity(n: number, over: Partial<ActivityItem> = {}): ActivityItem {
  return { id: `pair0001:${n}`, pairId: 'pair0001', time: NOW - n * 1000, action: 'upload', path: `/f${n}.txt`, ...over };
}

/** Menu rows as short strings, so a whole menu is one readable deep-equal. */
function rows(items: MenuItemModel[]): string[] {
  return items.map((i) => {
    if (i.type === 'separator') return '---';
    if (i.type === 'submenu') return `${i.label} > [${rows(i.items).join(' | ')}]`;
    return `${i.enabled ? '' : '(disabled) '}${i.label}${i.action ? ` => ${JSON.stringify(i.action)}` : ''}`;
  });
}

test('icon state per app state', () => {
  const cases: Array<[string, AppState, string]> = [
    ['up to date', state(), 'up_to_date'],
    ['syncing', state({ overall: 'syncing' }), 'syncing'],
    ['paused', state({ overall: 'paused' }), 'paused'],
    ['offline', state({ overall: 'offline' }), 'offline'],
    ['error', state({ overall: 'error' }), 'error'],
    ['service says sign-in needed', state({ overall: 'signin_needed' }), 'signin_needed'],
    ['saved sign-in broken', state({ overall: 'syncing', signInNeeded: true }), 'signin_needed'],
    ['never signed in', state({ account: undefined, overall: 'no_pairs', pairs: [] }), 'signin_needed'],
    ['signed in, no folders', state({ overall: 'no_pairs', pairs: [], line: '' }), 'up_to_date'],
  ];
  for (const [name, s, expected] of cases) assert.equal(buildTrayModel({ state: s, recent: [], now: NOW }).iconState, expected, name);
});

test('the whole menu for one pair, syncing, with recent files', () => {
  const model = buildTrayModel({ state: state({ overall: 'syncing', line: 'Syncing 3 of 12' }), recent: [activity(1), activity(2, { action: 'download' })], now: NOW });
  assert.equal(model.tooltip, 'Twinfold: Syncing 3 of 12');
  assert.deepEqual(rows(model.menu), [
    '(disabled) Syncing 3 of 12',
    '---',
    '(disabled) Recently changed',
    'f1.txt => {"kind":"reveal","pairId":"pair0001","path":"/f1.txt"}',
    'f2.txt => {"kind":"reveal","pairId":"pair0001","path":"/f2.txt"}',
    '---',
    'Pause syncing => {"kind":"pause"}',
    'Pause for 1 hour => {"kind":"pauseFor","minutes":60}',
    'Pause until tomorrow => {"kind":"pauseUntilTomorrow"}',
    '---',
    'Open folder => {"kind":"openPairFolder","pairId":"pair0001"}',
    'Settings… => {"kind":"openSettings"}',
    '---',
    'Quit Twinfold => {"kind":"quit"}',
  ]);
});

test('all pairs paused until a time: resume only, and the line says until when', () => {
  const until = new Date(2025, 2, 11, 9, 0).getTime();
  const s = state({ overall: 'paused', line: 'Paused', pausedUntil: until, pairs: [pair({ paused: true, pausedUntil: until }), pair({ id: 'pair0002', localPath: '/home/ann/Photos', paused: true })] });
  assert.deepEqual(rows(buildTrayModel({ state: s, recent: [], now: NOW }).menu), [
    '(disabled) Paused until 09:00 tomorrow',
    '---',
    'Resume syncing => {"kind":"resume"}',
    '---',
    'Open folder > [Work => {"kind":"openPairFolder","pairId":"pair0001"} | Photos => {"kind":"openPairFolder","pairId":"pair0002"}]',
    'Settings… => {"kind":"openSettings"}',
    '---',
    'Quit Twinfold => {"kind":"quit"}',
  ]);
});

test('not signed in: a sign-in entry, no pause or folder items', () => {
  const model = buildTrayModel({ state: state({ account: undefined, overall: 'no_pairs', pairs: [], line: '' }), recent: [], now: NOW });
  assert.deepEqual(rows(model.menu), [
    '(disabled) Not signed in to Dropbox',
    'Sign in to Dropbox… => {"kind":"openSettings"}',
    '---',
    'Settings… => {"kind":"openSettings"}',
    '---',
    'Quit Twinfold => {"kind":"quit"}',
  ]);
  assert.equal(model.tooltip, 'Twinfold: Not signed in to Dropbox');
});

test('status line fallbacks, and a long line is cut for the tooltip', () => {
  const cases: Array<[Partial<AppState>, string]> = [
    [{ overall: 'no_pairs', pairs: [], line: '' }, 'No folders yet: add one in Settings'],
    [{ overall: 'offline', line: '  ' }, 'Offline: waiting for the network'],
    [{ signInNeeded: true }, 'Sign in to Dropbox again to keep syncing'],
    [{ pausedUntil: NOW - 1, line: 'Up to date' }, 'Up to date'], // an expired pause is not shown
    [{ account: undefined, pairs: [], line: 'Sign in to Dropbox to start syncing' }, 'Sign in to Dropbox to start syncing'], // the service's words first
  ];
  for (const [over, line] of cases) {
    const first = buildTrayModel({ state: state(over), recent: [], now: NOW }).menu[0];
    assert.deepEqual(first, { type: 'item', label: line, enabled: false }, JSON.stringify(over));
  }
  const long = buildTrayModel({ state: state({ line: 'x'.repeat(300) }), recent: [], now: NOW }).tooltip;
  assert.equal(long.length, 127);
  assert.ok(long.endsWith('…'));
});

test('same-named folders in the Open folder submenu show their full paths', () => {
  const s = state({ pairs: [pair({ localPath: '/a/Work' }), pair({ id: 'pair0002', localPath: '/b/Work' }), pair({ id: 'pair0003', localPath: '/c/Music' })] });
  const submenu = buildTrayModel({ state: s, recent: [], now: NOW }).menu.find((i) => i.type === 'submenu');
  assert.ok(submenu && submenu.type === 'submenu');
  assert.deepEqual(submenu.items.map((i) => (i.type === 'item' ? i.label : '')), ['/a/Work', '/b/Work', 'Music']);
});

test('recent files: newest five distinct files, revealable actions only', () => {
  const cases: Array<[string, ActivityItem[], string[]]> = [
    ['none', [], []],
    ['newest first whatever the input order', [activity(3), activity(1), activity(2)], ['/f1.txt', '/f2.txt', '/f3.txt']],
    ['at most five', [1, 2, 3, 4, 5, 6, 7].map((n) => activity(n)), ['/f1.txt', '/f2.txt', '/f3.txt', '/f4.txt', '/f5.txt']],
    ['one row per file', [activity(1, { path: '/a.txt' }), activity(2, { path: '/a.txt' }), activity(3)], ['/a.txt', '/f3.txt']],
    [
      'deletes, folders and errors are skipped',
      [activity(1, { action: 'delete_local' }), activity(2, { action: 'mkdir_remote' }), activity(3, { action: 'error' }), activity(4, { action: 'conflict' }), activity(5, { action: 'move_local' })],
      ['/f4.txt', '/f5.txt'],
    ],
    ['same path in two pairs is two files', [activity(1, { path: '/x' }), activity(2, { path: '/x', pairId: 'pair0002' })], ['/x', '/x']],
  ];
  for (const [name, input, expected] of cases) assert.deepEqual(recentFiles(input).map((i) => i.path), expected, name);
});

test('recent files with the same name show their paths', () => {
  const model = buildTrayModel({ state: state(), recent: [activity(1, { path: '/a/notes.md' }), activity(2, { path: '/b/notes.md' }), activity(3, { path: '/c/x.md' })], now: NOW });
  const labels = model.menu.flatMap((i) => (i.type === 'item' && i.action?.kind === 'reveal' ? [i.label] : []));
  assert.deepEqual(labels, ['a/notes.md', 'b/notes.md', 'x.md']);
});

test('minutes until tomorrow 09:00 local, across a DST change', () => {
  const cases: Array<[string, Date, number]> = [
    ['afternoon', new Date(2025, 2, 10, 15, 0), 18 * 60],
    ['just before midnight', new Date(2025, 2, 10, 23, 50), 9 * 60 + 10],
    ['early morning still means the next day', new Date(2025, 2, 11, 2, 0), 31 * 60],
    ['seconds round up', new Date(2025, 2, 10, 15, 0, 30), 18 * 60],
    // Berlin springs forward on 30 March 2025 at 02:00: that night is one hour shorter.
    ['night of the spring DST change', new Date(2025, 2, 29, 21, 0), 11 * 60],
    ['night of the autumn DST change', new Date(2025, 9, 25, 21, 0), 13 * 60],
  ];
  for (const [name, at, expected] of cases) assert.equal(minutesUntilTomorrowMorning(at.getTime()), expected, name);
});

test('formatting the end of a pause', () => {
  const cases: Array<[Date, string]> = [
    [new Date(2025, 2, 10, 16, 5), '16:05'],
    [new Date(2025, 2, 11, 9, 0), '09:00 tomorrow'],
    [new Date(2025, 2, 13, 9, 0), 'Thu 09:00'],
  ];
  for (const [until, expected] of cases) assert.equal(formatUntil(until.getTime(), NOW), expected);
});

test('each menu action maps to one service request or shell effect', () => {
  const cases: Array<[Parameters<typeof trayEffect>[0], ReturnType<typeof trayEffect>]> = [
    [{ kind: 'reveal', pairId: 'pair0001', path: '/a.txt' }, { kind: 'call', name: 'revealPath', args: { pairId: 'pair0001', path: '/a.txt', open: false } }],
    [{ kind: 'pause' }, { kind: 'call', name: 'setAllPaused', args: { paused: true } }],
    [{ kind: 'pauseFor', minutes: 60 }, { kind: 'call', name: 'setAllPaused', args: { paused: true, minutes: 60 } }],
    [{ kind: 'pauseUntilTomorrow' }, { kind: 'call', name: 'setAllPaused', args: { paused: true, minutes: 18 * 60 } }],
    [{ kind: 'resume' }, { kind: 'call', name: 'setAllPaused', args: { paused: false } }],
    [{ kind: 'openPairFolder', pairId: 'pair0002' }, { kind: 'call', name: 'openPairFolder', args: { pairId: 'pair0002' } }],
    [{ kind: 'openSettings' }, { kind: 'showSettings' }],
    [{ kind: 'quit' }, { kind: 'quit' }],
  ];
  for (const [action, expected] of cases) assert.deepEqual(trayEffect(action, NOW), expected, action.kind);
});

test('unchanged models are recognised so the menu is not rebuilt', () => {
  const a = buildTrayModel({ state: state(), recent: [activity(1)], now: NOW });
  const b = buildTrayModel({ state: state(), recent: [activity(1)], now: NOW + 5000 });
  const c = buildTrayModel({ state: state({ overall: 'syncing' }), recent: [activity(1)], now: NOW });
  assert.equal(sameTrayModel(undefined, a), false);
  assert.equal(sameTrayModel(a, b), true);
  assert.equal(sameTrayModel(a, c), false);
});

test('tray icon files per platform and theme', () => {
  const cases: Array<[NodeJS.Platform, boolean, string]> = [
    ['darwin', false, 'tray/syncingTemplate.png'],
    ['darwin', true, 'tray/syncingTemplate.png'],
    ['win32', false, 'tray/syncing-light.png'],
    ['win32', true, 'tray/syncing-dark.png'],
    ['linux', false, 'tray/syncing-dark.png'],
  ];
  for (const [platform, darkTheme, expected] of cases) assert.equal(trayIconFile('syncing', { platform, darkTheme }), expected, `${platform} dark=${darkTheme}`);
  assert.equal(allTrayIconFiles().length, 6 * 3 * 2);
});
