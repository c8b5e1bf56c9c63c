// Sizes, speeds, relative times and durations as people read them in the window UI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countFiles, formatBytes, formatClock, formatDate, formatDuration, formatRelativeTime, formatSpeed, percent } from '../../src/renderer/logic/format.js';

test('formatBytes uses decimal units, one decimal below 100', () => {
  const rows: [number, string][] = [
    [0, '0 B'],
    [1, '1 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1234, '1.2 kB'],
    [48_200, '48.2 kB'],
    [99_949, '99.9 kB'],
    [123_456, '123 kB'],
    [999_949, '1.0 MB'],
    [999_999, '1.0 MB'],
    [2_480_000, '2.5 MB'],
    [123_456_789, '123 MB'],
    [12_000_000_000, '12.0 GB'],
    [3.5e15, '3.5 PB'],
    [-1, '–'],
    [Number.NaN, '–'],
  ];
  for (const [input, expected] of rows) assert.equal(formatBytes(input), expected, `formatBytes(${input})`);
});

test('formatSpeed is empty when nothing moves', () => {
  const rows: [number, string][] = [
    [0, ''],
    [-5, ''],
    [Number.POSITIVE_INFINITY, ''],
    [512, '512 B/s'],
    [2_100_000, '2.1 MB/s'],
  ];
  for (const [input, expected] of rows) assert.equal(formatSpeed(input), expected, `formatSpeed(${input})`);
});

test('percent is a whole number in 0..100; no total counts as done', () => {
  const rows: [number, number, number][] = [
    [0, 100, 0],
    [50, 100, 50],
    [999, 1000, 99],
    [1000, 1000, 100],
    [2000, 1000, 100],
    [0, 0, 100],
    [-5, 10, 0],
  ];
  for (const [bytes, total, expected] of rows) assert.equal(percent(bytes, total), expected, `percent(${bytes}, ${total})`);
});

test('formatRelativeTime reads like speech, then falls back to a date', () => {
  const now = Date.UTC(2025, 3, 10, 12, 0, 0);
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const rows: [number, string][] = [
    [-30 * s, 'just now'],
    [0, 'just now'],
    [44 * s, 'just now'],
    [45 * s, '1 minute ago'],
    [89 * s, '1 minute ago'],
    [90 * s, '2 minutes ago'],
    [44 * m, '44 minutes ago'],
    [45 * m, '1 hour ago'],
    [89 * m, '1 hour ago'],
    [90 * m, '2 hours ago'],
    [21 * h, '21 hours ago'],
    [22 * h, 'yesterday'],
    [35 * h, 'yesterday'],
    [36 * h, '2 days ago'],
    [6 * d, '6 days ago'],
    [8 * d, 'on 2 Apr 2025'],
  ];
  for (const [ago, expected] of rows) assert.equal(formatRelativeTime(now - ago, now, { timeZone: 'UTC' }), expected, `${ago} ms ago`);
});

test('formatDate and formatClock are stable for a given zone', () => {
  const t = Date.UTC(2025, 2, 3, 14, 5);
  assert.equal(formatDate(t, { timeZone: 'UTC' }), '3 Mar 2025');
  assert.equal(formatClock(t, { timeZone: 'UTC' }), '14:05');
  assert.equal(formatClock(t, { timeZone: 'Asia/Tokyo' }), '23:05');
});

test('formatDuration rounds to what matters and never says "60 seconds"', () => {
  const rows: [number, string][] = [
    [0, '0 seconds'],
    [1000, '1 second'],
    [40_000, '40 seconds'],
    [59_400, '59 seconds'],
    [59_700, '1 minute'],
    [5 * 60_000, '5 minutes'],
    [59 * 60_000 + 40_000, '1 hour'],
    [80 * 60_000, '1 hour 20 minutes'],
    [2 * 3_600_000, '2 hours'],
    [23 * 3_600_000 + 59 * 60_000 + 50_000, '1 day'],
    [2 * 86_400_000, '2 days'],
    [-1, '–'],
  ];
  for (const [input, expected] of rows) assert.equal(formatDuration(input), expected, `formatDuration(${input})`);
});

test('countFiles', () => {
  const rows: [number, string][] = [
    [0, '0 files'],
    [1, '1 file'],
    [47, '47 files'],
  ];
  for (const [input, expected] of rows) assert.equal(countFiles(input), expected);
});
