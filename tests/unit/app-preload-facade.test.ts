// The window facade over a fake transport: calls, error replies turned back into Errors, event
// multiplexing, unsubscribe, and refusal of unknown events. Also: its event list matches the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { events } from '../../src/common/contract.js';
import { createFacade, EVENT_NAMES, TwinfoldCallError } from '../../src/preload/facade.js';

function fakeTransport(reply: (name: string, args: unknown) => unknown) {
  const invoked: Array<[string, unknown]> = [];
  let emit: (name: unknown, payload: unknown) => void = () => undefined;
  let subscriptions = 0;
  return {
    invoked,
    emit: (name: unknown, payload: unknown) => emit(name, payload),
    subscriptions: () => subscriptions,
    transport: {
      invoke: async (name: string, args: unknown) => {
        invoked.push([name, args]);
        return reply(name, args);
      },
      subscribe: (l: (name: unknown, payload: unknown) => void) => {
        subscriptions++;
        emit = l;
      },
    },
  };
}

test("the preload's event list is the contract's", () => {
  assert.deepEqual([...EVENT_NAMES].sort(), Object.keys(events).sort());
});

test('call resolves with the result and rejects with a coded Error', async () => {
  const t = fakeTransport((name) => (name === 'getState' ? { result: { overall: 'up_to_date' } } : { error: { code: 'bad_request', message: 'not a folder pair id' } }));
  const api = createFacade(t.transport);
  assert.deepEqual(await api.call('getState', {}), { overall: 'up_to_date' });
  await assert.rejects(api.call('removePair', { pairId: 'X' }), (err: unknown) => {
    assert.ok(err instanceof TwinfoldCallError && err instanceof Error);
    assert.equal(err.code, 'bad_request');
    assert.equal(err.message, 'not a folder pair id');
    return true;
  });
  assert.deepEqual(t.invoked, [['getState', {}], ['removePair', { pairId: 'X' }]]);
  const voidCall = createFacade(fakeTransport(() => ({ result: undefined })).transport);
  assert.equal(await voidCall.call('signOut', {}), undefined);
});

test('events reach their listeners until they unsubscribe; one channel subscription in all', () => {
  const t = fakeTransport(() => ({ result: null }));
  const api = createFacade(t.transport);
  const got: string[] = [];
  const offA = api.on('activity', () => got.push('a1'));
  api.on('activity', () => got.push('a2'));
  api.on('state', (s) => got.push(`s:${s.overall}`));
  t.emit('activity', {});
  t.emit('state', { overall: 'syncing' });
  t.emit('bogus', {});
  t.emit(42, {});
  offA();
  offA();
  t.emit('activity', {});
  assert.deepEqual(got, ['a1', 'a2', 's:syncing', 'a2']);
  assert.equal(t.subscriptions(), 1);
});

test('a throwing listener does not stop the others', () => {
  const t = fakeTransport(() => ({ result: null }));
  const api = createFacade(t.transport);
  const got: string[] = [];
  const originalError = console.error;
  console.error = () => undefined;
  try {
    api.on('activity', () => {
      throw new Error('boom');
    });
    api.on('activity', () => got.push('second'));
    t.emit('activity', {});
  } finally {
    console.error = originalError;
  }
  assert.deepEqual(got, ['second']);
});

test('unknown events and non-function listeners are refused', () => {
  const api = createFacade(fakeTransport(() => ({ result: null })).transport);
  assert.throws(() => api.on('nope' as never, () => undefined), TypeError);
  assert.throws(() => api.on('state', 'x' as never), TypeError);
});
