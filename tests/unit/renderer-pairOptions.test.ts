// The per-pair options form: quiet period parsing and what changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeletionPolicy, PairOptions } from '../../src/common/contract.js';
import { optionsChange, parseQuietSeconds, quietSecondsText, type Parsed } from '../../src/renderer/logic/pairOptionsForm.js';

test('parseQuietSeconds', () => {
  const rows: [string, Parsed<number>][] = [
    ['0', { ok: true, value: 0 }],
    [' 2 ', { ok: true, value: 2000 }],
    ['1.5', { ok: true, value: 1500 }],
    ['3600', { ok: true, value: 3_600_000 }],
    ['3601', { ok: false, error: 'The quiet period can be at most 3600 seconds (one hour).' }],
    ['', { ok: false, error: 'Enter a number of seconds from 0 to 3600.' }],
    ['-1', { ok: false, error: 'Enter a number of seconds from 0 to 3600.' }],
    ['1e3', { ok: false, error: 'Enter a number of seconds from 0 to 3600.' }],
    ['two', { ok: false, error: 'Enter a number of seconds from 0 to 3600.' }],
  ];
  for (const [input, expected] of rows) assert.deepEqual(parseQuietSeconds(input), expected, JSON.stringify(input));
});

test('quietSecondsText', () => {
  const rows: [number, string][] = [
    [0, '0'],
    [1000, '1'],
    [1500, '1.5'],
    [3_600_000, '3600'],
  ];
  for (const [input, expected] of rows) assert.equal(quietSecondsText(input), expected);
});

test('optionsChange sends only what changed', () => {
  const current: PairOptions = { quietMs: 1000, deletionPolicy: 'propagate', excluded: ['/Raw'] };
  const rows: [string, DeletionPolicy, Parsed<Partial<PairOptions> | undefined>][] = [
    ['1', 'propagate', { ok: true, value: undefined }],
    ['5', 'propagate', { ok: true, value: { quietMs: 5000 } }],
    ['1', 'keep', { ok: true, value: { deletionPolicy: 'keep' } }],
    ['0', 'keep', { ok: true, value: { quietMs: 0, deletionPolicy: 'keep' } }],
    ['x', 'keep', { ok: false, error: 'Enter a number of seconds from 0 to 3600.' }],
  ];
  for (const [quiet, policy, expected] of rows) assert.deepEqual(optionsChange(current, quiet, policy), expected, `${quiet} ${policy}`);
});
