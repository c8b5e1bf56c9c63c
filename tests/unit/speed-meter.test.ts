// The speed meter: bytes/s from progress samples over a sliding window (table style).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeedMeter, type TransferSample } from '../../src/main/service/pairs/speedMeter.js';

type Step = [time: number, transfers: TransferSample[]];

const t = (id: string, bytes: number): TransferSample => ({ id, bytes });

const rows: [name: string, steps: Step[], at: number, expected: number][] = [
  ['idle from the start', [], 0, 0],
  ['nothing running', [[0, []]], 500, 0],
  ['one transfer, steady 1000 B/s over the window', [[0, [t('a', 0)]], [1000, [t('a', 1000)]], [2000, [t('a', 2000)]], [3000, [t('a', 3000)]]], 3000, 1000],
  ['the first sample after a start is no spike (min span 1 s)', [[0, [t('a', 0)]], [100, [t('a', 500)]]], 100, 500],
  ['ramp-up: rate over the time busy so far', [[0, [t('a', 0)]], [1000, [t('a', 2000)]], [2000, [t('a', 4000)]]], 2000, 2000],
  ['old bytes leave the window', [[0, [t('a', 0)]], [1000, [t('a', 9000)]], [5000, [t('a', 9300)]]], 5000, 100],
  ['a stalled transfer decays to 0', [[0, [t('a', 0)]], [1000, [t('a', 3000)]]], 4500, 0],
  ['two transfers add up', [[0, [t('a', 0), t('b', 0)]], [1000, [t('a', 1000), t('b', 500)]], [2000, [t('a', 2000), t('b', 1000)]], [3000, [t('a', 3000), t('b', 1500)]]], 3000, 1500],
  ['a restart counts its new bytes from zero, never negative', [[0, [t('a', 0)]], [1000, [t('a', 3000)]], [2000, [t('a', 600)]], [3000, [t('a', 1600)]]], 3000, (3000 + 600 + 1000) / 3],
  ['a finished transfer leaves; the other keeps its rate', [[0, [t('a', 0), t('b', 0)]], [1000, [t('a', 1000), t('b', 1000)]], [2000, [t('b', 2000)]], [3000, [t('b', 3000)]]], 3000, 1333],
  ['all finished: 0 at once', [[0, [t('a', 0)]], [1000, [t('a', 5000)]], [1100, []]], 1100, 0],
  ['busy again after idle: a fresh start', [[0, [t('a', 0)]], [1000, [t('a', 5000)]], [1100, []], [5000, [t('b', 0)]], [5500, [t('b', 400)]]], 5500, 400],
  ['a transfer first seen part-way counts from zero', [[0, [t('a', 700)]]], 1000, 700],
];

for (const [name, steps, at, expected] of rows) {
  test(`speed meter: ${name}`, () => {
    const meter = new SpeedMeter({ windowMs: 3000, minSpanMs: 1000 });
    for (const [time, transfers] of steps) meter.observe(time, transfers);
    assert.equal(meter.bytesPerSec(at), Math.round(expected));
  });
}
