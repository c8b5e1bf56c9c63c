// The web host of `twinfold serve`: requests are `POST /api/call/<name>`, events come over one
// server-sent event stream. EventSource reconnects by itself after a network drop; when the server
// answered with an error status it gives up, so then we ask why (401: the page lost its login) and
// open a new stream after a short, growing wait.
import type { EventName, EventPayload, RequestArgs, RequestName, RequestResult, TwinfoldApi } from '../common/contract.js';
import type { Connection, Host } from './host.js';
import { readCallResponse } from './logic/callResponse.js';

const EVENT_NAMES: readonly EventName[] = ['state', 'activity'];
const MAX_RETRY_MS = 15_000;

export function createWebHost(): Host {
  let connection: Connection = 'connecting';
  const connectionListeners = new Set<(c: Connection) => void>();
  const eventListeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let retryMs = 1000;

  function setConnection(next: Connection): void {
    // 'connected' is always passed on: after a reconnect the UI refetches what it missed.
    if (next === connection && next !== 'connected') return;
    connection = next;
    for (const listener of [...connectionListeners]) listener(next);
  }

  async function call<N extends RequestName>(name: N, args: RequestArgs<N>): Promise<RequestResult<N>> {
    let response: Response;
    try {
      response = await fetch(`/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twinfold-request': '1' },
        body: JSON.stringify(args),
        credentials: 'same-origin',
      });
    } catch {
      throw new Error('Cannot reach Twinfold. Check that twinfold serve is still running, then try again.');
    }
    const outcome = readCallResponse(response.status, await response.text().catch(() => ''));
    if (outcome.ok) return outcome.result as RequestResult<N>;
    if (outcome.unauthorized) setConnection('unauthorized');
    throw new Error(outcome.message);
  }

  function openStream(): void {
    const source = new EventSource('/api/events', { withCredentials: true });
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event) => {
        let payload: unknown;
        try {
          payload = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return; // A damaged event is dropped; the next state event or a reconnect repairs the view.
        }
        for (const listener of [...(eventListeners.get(name) ?? [])]) listener(payload);
      });
    }
    source.onopen = () => {
      retryMs = 1000;
      setConnection('connected');
    };
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) {
        if (connection !== 'unauthorized') setConnection('reconnecting');
        return;
      }
      source.close();
      void whyClosed().then((unauthorized) => {
        if (unauthorized) {
          setConnection('unauthorized');
          return;
        }
        setConnection('reconnecting');
        setTimeout(openStream, retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      });
    };
  }

  /** The stream was refused: a cheap call tells a lost login (401) from a server problem. */
  async function whyClosed(): Promise<boolean> {
    try {
      const response = await fetch('/api/call/getState', { method: 'POST', headers: { 'content-type': 'application/json', 'x-twinfold-request': '1' }, body: '{}', credentials: 'same-origin' });
      return response.status === 401;
    } catch {
      return false;
    }
  }

  const api: TwinfoldApi = {
    call,
    on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void {
      const set = eventListeners.get(name) ?? new Set();
      eventListeners.set(name, set);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
  };

  openStream();
  return {
    api,
    connection: () => connection,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}
