// The web host of `twinfold serve`: requests are `POST /api/call/<name>`, events come over one
// server-sent event stream. EventSource reconnects by itself after a network drop; when the server
// answered with an error status it gives up, so then we ask why (401: the page lost its login) and
// open a new stream after a short, growing wait.
import type { EventName, EventPayload, RequestArgs, RequestName, RequestResult, TwinfoldApi } from '../common/contract.js';
import { EVENT_NAMES } from '../common/ipcNames.js';
import type { Connection, Host } from './host.js';
import { readCallResponse } from './logic/callResponse.js';

const MAX_RETRY_MS = 15_000;

/** One request as the server expects it (the custom header is its CSRF check); rejects only when unreachable. */
function post(name: RequestName, args: unknown): Promise<Response> {
  return fetch(`/api/call/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-twinfold-request': '1' },
    body: JSON.stringify(args),
    credentials: 'same-origin',
  });
}

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
      response = await post(name, args);
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
      const response = await post('getState', {});
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
