// The window's `window.twinfold` (a TwinfoldApi) built over a tiny transport, so it is tested in
// plain Node; preload.ts plugs in ipcRenderer. One invoke channel for calls, one event channel for
// pushes; replies of the shape { error: { code, message } } become rejected Errors again. It imports
// no runtime code beyond plain constants (not even zod): it is bundled into the sandboxed preload.
import type { EventName, RequestName, TwinfoldApi } from '../common/contract.js';
import { EVENT_NAMES } from '../common/ipcNames.js';

// Re-exported: the facade's unit test checks it against the contract's events.
export { EVENT_NAMES };

export interface FacadeTransport {
  invoke(name: string, args: unknown): Promise<unknown>;
  /** Subscribes to the event channel: (eventName, payload). Returns nothing; the facade multiplexes. */
  subscribe(listener: (name: unknown, payload: unknown) => void): void;
}

/** The Error a failed call rejects with; `code` is one of CallError's codes. */
export class TwinfoldCallError extends Error {
  override readonly name = 'TwinfoldCallError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function isErrorReply(reply: unknown): reply is { error: { code: string; message: string } } {
  const e = (reply as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
}

export function createFacade(transport: FacadeTransport): TwinfoldApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  transport.subscribe((name, payload) => {
    if (typeof name !== 'string') return;
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        // One broken UI listener must not starve the others of state updates.
        console.error(`twinfold: a '${name}' listener failed`, err);
      }
    }
  });

  const api = {
    async call(name: RequestName, args: unknown): Promise<unknown> {
      if (typeof name !== 'string') throw new TypeError('twinfold.call: the request name must be a string');
      const reply = await transport.invoke(name, args);
      if (isErrorReply(reply)) throw new TwinfoldCallError(reply.error.code, reply.error.message);
      return (reply as { result?: unknown } | null)?.result;
    },
    on(name: EventName, listener: (payload: unknown) => void): () => void {
      if (!EVENT_NAMES.includes(name)) throw new TypeError(`twinfold.on: unknown event '${String(name)}'`);
      if (typeof listener !== 'function') throw new TypeError('twinfold.on: the listener must be a function');
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  };
  return api as TwinfoldApi;
}
