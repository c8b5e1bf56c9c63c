// Gives each operation its own AbortSignal, linked to the engine's long-lived one. Node's fetch
// only drops its abort listener when the request is garbage-collected, so handing it the
// engine's signal directly would pile up one listener per request over a long session.
export async function withChildSignal<T>(parent: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const child = new AbortController();
  const forward = () => child.abort(parent.reason);
  if (parent.aborted) child.abort(parent.reason);
  else parent.addEventListener('abort', forward, { once: true });
  try {
    return await fn(child.signal);
  } finally {
    parent.removeEventListener('abort', forward);
  }
}
