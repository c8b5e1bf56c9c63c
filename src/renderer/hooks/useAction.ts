// Runs one user action (a call to the main side) and keeps its busy flag and error, so the error
// can be shown right next to the button that caused it. Errors are never swallowed.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from './useAppState.js';

export interface Action {
  busy: boolean;
  error: string | undefined;
  /** Resolves true when the action succeeded. */
  run(work: () => Promise<unknown>): Promise<boolean>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (err) {
      if (mounted.current) setError(errorMessage(err));
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);

  return { busy, error, run };
}
