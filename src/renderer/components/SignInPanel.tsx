// Signing in to Dropbox: the start button, then either "finish in your browser" (redirect) or the
// authorize link plus a field for the code Dropbox shows (paste).
import { useState } from 'preact/hooks';
import type { AppState } from '../../common/contract.js';
import { useSignIn } from '../hooks/useSignInFlow.js';
import { InlineError } from './InlineError.js';

export function SignInPanel({ state }: { state: AppState }) {
  const flow = useSignIn();
  const [code, setCode] = useState('');
  const view = flow.view;

  if (view.pending && view.mode === 'paste' && view.authorizeUrl) {
    return (
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (code.trim() !== '') void flow.finish(code).then((ok) => ok && setCode(''));
        }}
      >
        <ol class="steps">
          <li>
            <a href={view.authorizeUrl} target="_blank" rel="noopener noreferrer">
              Open the Dropbox sign-in page
            </a>{' '}
            (opens in a new tab) and allow Twinfold.
          </li>
          <li>Dropbox then shows a code. Paste it here.</li>
        </ol>
        <label class="field-label" for="signin-code">
          Code from Dropbox
        </label>
        <div class="inline-field">
          <input id="signin-code" class="input" type="text" autoComplete="off" spellcheck={false} value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          <button type="submit" class="button button-primary" disabled={flow.finishing.busy || code.trim() === ''}>
            Finish sign-in
          </button>
          <button type="button" class="button button-quiet" disabled={flow.cancelling.busy} onClick={() => void flow.cancel()}>
            Cancel
          </button>
        </div>
        <InlineError message={flow.finishing.error ?? flow.cancelling.error ?? view.error} />
      </form>
    );
  }

  if (view.pending) {
    const inBrowser = state.host.kind === 'electron';
    return (
      <div class="stack">
        <p class="pending-line" role="status">
          <span class="dot-pulse" aria-hidden="true" />
          {inBrowser ? 'Finish signing in in your browser…' : 'Waiting for Dropbox…'}
        </p>
        {!inBrowser && view.authorizeUrl && (
          <p>
            <a href={view.authorizeUrl}>Continue to Dropbox</a>
          </p>
        )}
        <div>
          <button type="button" class="button" disabled={flow.cancelling.busy} onClick={() => void flow.cancel()}>
            Cancel
          </button>
        </div>
        <InlineError message={flow.cancelling.error ?? view.error} />
      </div>
    );
  }

  return (
    <div class="stack">
      <div>
        <button type="button" class="button button-primary" disabled={flow.starting.busy} onClick={() => void flow.start()}>
          Sign in with Dropbox
        </button>
      </div>
      <InlineError message={flow.starting.error ?? view.error} />
    </div>
  );
}
