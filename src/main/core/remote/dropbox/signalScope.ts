// Lets SDK calls be cancelled. The Dropbox SDK has no AbortSignal parameter, so the fetch we hand
// it picks up the signal of the call currently running from an AsyncLocalStorage scope; the SDK's
// promise chain keeps that async context, so concurrent calls each see their own signal.
import { AsyncLocalStorage } from 'node:async_hooks';

const currentSignal = new AsyncLocalStorage<AbortSignal | undefined>();

/** Runs `fn` so that every request the SDK makes inside it is aborted when `signal` fires. */
export function runWithSignal<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  return currentSignal.run(signal, fn);
}

/** Wraps `base` so each request also listens to the scope's signal. */
export function signalAwareFetch(base: typeof fetch): typeof fetch {
  return (input, init) => {
    const scoped = currentSignal.getStore();
    if (!scoped) return base(input, init);
    const signal = init?.signal ? AbortSignal.any([init.signal, scoped]) : scoped;
    return base(input, { ...init, signal });
  };
}
