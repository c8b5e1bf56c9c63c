// Shown above everything when Dropbox stopped accepting the saved sign-in: syncing is stopped
// until the user signs in again.
import { useSignIn } from '../hooks/useSignInFlow.js';
import { Banner } from './Banner.js';
import { InlineError } from './InlineError.js';

export function SignInAgainBanner() {
  const flow = useSignIn();
  return (
    <Banner
      tone="error"
      urgent
      title="Sign in again to keep syncing"
      actions={
        !flow.view.pending && (
          <button type="button" class="button button-primary" disabled={flow.starting.busy} onClick={() => void flow.start()}>
            Sign in again
          </button>
        )
      }
    >
      <p>Dropbox no longer accepts the saved sign-in, so syncing has stopped. Your files are safe; nothing changes until you sign in.</p>
      <InlineError message={flow.starting.error} />
    </Banner>
  );
}
