// "Account": who is signed in and signing out, or signing in (with the app key first when none is
// configured). Shows where tokens are kept when that is a weaker fallback.
import { useState } from 'preact/hooks';
import type { AppState } from '../../common/contract.js';
import { useApi } from '../hooks/hostContext.js';
import { DROPBOX_APP_CONSOLE_URL, redirectUrisToRegister } from '../logic/appKeySetup.js';
import { AppKeyForm } from './AppKeyForm.js';
import { Banner } from './Banner.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { SignInPanel } from './SignInPanel.js';

export function AccountSection({ state }: { state: AppState }) {
  const api = useApi();
  const [confirmingSignOut, setConfirmingSignOut] = useState(false);
  const account = state.account;
  const warning = state.secretStorage?.warning;

  return (
    <section class="card" aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      {warning && (
        <Banner tone="warn" title="Your Dropbox sign-in is stored with less protection">
          <p>{warning}</p>
        </Banner>
      )}

      {account ? (
        <div class="account-row">
          <span class="avatar" aria-hidden="true">
            {(account.displayName.trim()[0] ?? '?').toUpperCase()}
          </span>
          <div class="account-who">
            <p class="account-name">{account.displayName}</p>
            <p class="account-email">{account.email}</p>
          </div>
          <button type="button" class="button" onClick={() => setConfirmingSignOut(true)}>
            Sign out
          </button>
        </div>
      ) : (
        <div class="stack">
          <p class="empty-lead">Sign in to Dropbox to start keeping your folders in sync.</p>
          {state.settings.appKey === undefined && (
            <div class="setup-step">
              <p class="hint">
                This copy of Twinfold has no built-in Dropbox app key, so it signs in with your own Dropbox app. Create one in the{' '}
                <a href={DROPBOX_APP_CONSOLE_URL} target="_blank" rel="noopener noreferrer">
                  Dropbox App Console
                </a>{' '}
                (scoped access), register these redirect URIs with it, and enter its app key here:
              </p>
              <ul class="hint">
                {redirectUrisToRegister(state.host.kind, window.location.port).map((uri) => (
                  <li key={uri}>
                    <code>{uri}</code>
                  </li>
                ))}
              </ul>
              <AppKeyForm current={undefined} />
            </div>
          )}
          <SignInPanel state={state} />
        </div>
      )}
      {account && state.signInNeeded && state.signIn.pending && <SignInPanel state={state} />}

      {confirmingSignOut && (
        <ConfirmDialog title="Sign out of Dropbox?" confirmLabel="Sign out" danger onConfirm={() => api.call('signOut', {})} onClose={() => setConfirmingSignOut(false)}>
          <p>Syncing stops until you sign in again. Your files stay where they are, on this computer and in Dropbox, and your folder pairs stay set up.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
