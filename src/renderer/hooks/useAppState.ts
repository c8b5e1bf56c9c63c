// The whole AppState: fetched once, replaced by every `state` event, fetched again after a
// reconnect (events sent while the stream was down are lost).
import { useEffect, useState } from 'preact/hooks';
import type { AppState } from '../../common/contract.js';
import { useHost } from './hostContext.js';

export interface AppStateResult {
  state: AppState | undefined;
  /** Why the last fetch failed; cleared by the next state. */
  error: string | undefined;
}

export function useAppState(generation: number): AppStateResult {
  const { api } = useHost();
  const [result, setResult] = useState<AppStateResult>({ state: undefined, error: undefined });

  useEffect(() => api.on('state', (state) => setResult({ state, error: undefined })), [api]);

  useEffect(() => {
    let current = true;
    api.call('getState', {}).then(
      (state) => current && setResult({ state, error: undefined }),
      (err: unknown) => current && setResult((prev) => ({ state: prev.state, error: errorMessage(err) })),
    );
    return () => {
      current = false;
    };
  }, [api, generation]);

  return result;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return typeof err === 'string' && err ? err : 'Something went wrong. Try again.';
}
