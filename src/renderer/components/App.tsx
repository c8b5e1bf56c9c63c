// The whole window: status on top, then folders, activity, account and settings. Before any
// sign-in, the account comes first. Renders nothing but a clear page when the web UI lost its login.
import type { AppState } from '../../common/contract.js';
import { useAppState } from '../hooks/useAppState.js';
import { useConnection } from '../hooks/useConnection.js';
import { useNow } from '../hooks/useNow.js';
import { SignInContext, useSignInFlow } from '../hooks/useSignInFlow.js';
import { overallLook } from '../logic/overall.js';
import { AccountSection } from './AccountSection.js';
import { ActivitySection } from './ActivitySection.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { FoldersSection } from './FoldersSection.js';
import { InlineError } from './InlineError.js';
import { SettingsSection } from './SettingsSection.js';
import { SignInAgainBanner } from './SignInAgainBanner.js';
import { StatusHeader } from './StatusHeader.js';
import { UnauthorizedPage } from './UnauthorizedPage.js';

export function App() {
  const { connection, generation } = useConnection();
  const { state, error } = useAppState(generation);

  if (connection === 'unauthorized') return <UnauthorizedPage />;
  if (!state) {
    return (
      <main class="page-message" aria-busy={!error}>
        {error ? (
          <>
            <h1>Twinfold is not answering</h1>
            <InlineError message={error} />
          </>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </main>
    );
  }
  return <Window state={state} reconnecting={connection === 'reconnecting'} generation={generation} />;
}

function Window({ state, reconnecting, generation }: { state: AppState; reconnecting: boolean; generation: number }) {
  const now = useNow();
  const signIn = useSignInFlow(state);
  const signedIn = state.account !== undefined;

  return (
    <SignInContext.Provider value={signIn}>
      <div class="app">
        {reconnecting && <ConnectionBanner />}
        <header class="topbar">
          <h1 class="brand">Twinfold</h1>
        </header>
        {/* Announces state changes, not every progress tick: only the label lives here. */}
        <div class="sr-only" aria-live="polite" aria-atomic="true">
          {overallLook(state.overall).label}
        </div>
        {state.signInNeeded && <SignInAgainBanner />}
        <main class="sections">
          <StatusHeader state={state} now={now} />
          {!signedIn && <AccountSection state={state} />}
          <FoldersSection state={state} now={now} />
          {(signedIn || state.pairs.length > 0) && <ActivitySection state={state} now={now} generation={generation} />}
          {signedIn && <AccountSection state={state} />}
          <SettingsSection state={state} />
        </main>
      </div>
    </SignInContext.Provider>
  );
}
