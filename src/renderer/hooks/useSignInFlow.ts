// The Dropbox sign-in flow shared by the Account section and the "Sign in again" banner: start it,
// follow the redirect in the web host, finish it with a pasted code, or cancel it. What is shown
// comes from AppState.signIn; the answer of signInStart bridges the moment before the next state.
import { createContext } from 'preact';
import { useContext, useMemo, useState } from 'preact/hooks';
import type { AppState, SignInView } from '../../common/contract.js';
import { useAction, type Action } from './useAction.js';
import { useApi } from './hostContext.js';

export interface SignInFlow {
  view: SignInView;
  start(): Promise<void>;
  finish(code: string): Promise<boolean>;
  cancel(): Promise<void>;
  starting: Action;
  finishing: Action;
  cancelling: Action;
}

export const SignInContext = createContext<SignInFlow | undefined>(undefined);

export function useSignIn(): SignInFlow {
  const flow = useContext(SignInContext);
  if (!flow) throw new Error('SignInContext is missing');
  return flow;
}

export function useSignInFlow(state: AppState): SignInFlow {
  const api = useApi();
  const starting = useAction();
  const finishing = useAction();
  const cancelling = useAction();
  // The signInStart answer, valid until a newer AppState arrives (which then says the truth).
  const [started, setStarted] = useState<{ view: SignInView; seenState: AppState } | undefined>(undefined);

  const view = started && started.seenState === state ? started.view : state.signIn;

  return useMemo<SignInFlow>(
    () => ({
      view,
      starting,
      finishing,
      cancelling,
      async start() {
        await starting.run(async () => {
          const result = await api.call('signInStart', {});
          setStarted({ view: result, seenState: state });
          // The web page goes to Dropbox itself; Electron's main side opens the system browser.
          if (result.mode === 'redirect' && result.authorizeUrl && state.host.kind === 'web') window.location.href = result.authorizeUrl;
        });
      },
      async finish(code: string) {
        const ok = await finishing.run(() => api.call('signInFinish', { code: code.trim() }));
        if (ok) setStarted(undefined);
        return ok;
      },
      async cancel() {
        const ok = await cancelling.run(() => api.call('signInCancel', {}));
        if (ok) setStarted(undefined);
      },
    }),
    [api, state, view, starting, finishing, cancelling],
  );
}
