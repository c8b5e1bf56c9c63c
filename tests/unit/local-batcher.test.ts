// EventBatcher under mocked timers: quiet-period flushes, the max-delay cap, flush and dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBatcher } from '../../src/main/core/local/batcher.js';

type Step = ['push', string] | ['tick', number] | ['flush'] | ['dispose'];

// [description, steps, batches expected in order] with quietMs 100 and maxDelayMs 1000
const rows: [string, Step[], string[][]][] = [
  ['nothing pushed, nothing flushed', [['tick', 5000]], []],
  ['one item is held during the quiet period', [['push', 'a'], ['tick', 99]], []],
  ['one item flushes once the quiet period has passed', [['push', 'a'], ['tick', 100]], [['a']]],
  ['every item restarts the quiet period', [['push', 'a'], ['tick', 60], ['push', 'b'], ['tick', 60], ['push', 'c'], ['tick', 99]], []],
  ['a burst flushes once, in order', [['push', 'a'], ['tick', 60], ['push', 'b'], ['tick', 60], ['push', 'c'], ['tick', 100]], [['a', 'b', 'c']]],
  ['separate bursts give separate batches', [['push', 'a'], ['tick', 100], ['push', 'b'], ['tick', 100]], [['a'], ['b']]],
  [
    'a stream that never goes quiet is flushed after maxDelayMs',
    [...Array.from({ length: 12 }, (_, i): Step[] => [['push', `w${i}`], ['tick', 90]]).flat()],
    [Array.from({ length: 12 }, (_, i) => `w${i}`)],
  ],
  [
    'the cap counts from the first item of each batch',
    [...Array.from({ length: 13 }, (_, i): Step[] => [['push', `w${i}`], ['tick', 90]]).flat(), ['tick', 10]],
    [Array.from({ length: 12 }, (_, i) => `w${i}`), ['w12']],
  ],
  ['flush hands over at once and stops the timers', [['push', 'a'], ['flush'], ['tick', 5000]], [['a']]],
  ['flush with nothing pending does nothing', [['flush']], []],
  ['dispose drops what is pending', [['push', 'a'], ['dispose'], ['tick', 5000]], []],
];

for (const [description, steps, expected] of rows) {
  test(`batcher: ${description}`, (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const batches: string[][] = [];
    const batcher = new EventBatcher<string>({ quietMs: 100, maxDelayMs: 1000 }, (items) => batches.push(items));
    for (const step of steps) {
      if (step[0] === 'push') batcher.push(step[1]);
      else if (step[0] === 'tick') t.mock.timers.tick(step[1]);
      else if (step[0] === 'flush') batcher.flush();
      else batcher.dispose();
    }
    assert.deepEqual(batches, expected);
  });
}

test('batcher: refuses a max delay shorter than the quiet period', () => {
  assert.throws(() => new EventBatcher({ quietMs: 100, maxDelayMs: 50 }, () => {}), RangeError);
});
