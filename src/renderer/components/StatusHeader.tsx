// The top of the window: how everything is (icon, colour, words), the status line, when the last
// sync finished, and pause/resume for all folders, optionally for one hour.
import type { AppState } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { formatRelativeTime } from '../logic/format.js';
import { allPaused, headline, overallLook, resumesIn } from '../logic/overall.js';
import { Icon } from './Icon.js';
import { InlineError } from './InlineError.js';

export function StatusHeader({ state, now }: { state: AppState; now: number }) {
  const api = useApi();
  const pausing = useAction();
  const look = overallLook(state.overall);
  const paused = allPaused(state.pairs);
  const canPause = state.pairs.length > 0 && state.account !== undefined;
  const resumeNote = resumesIn(state.pausedUntil, now);
  const title = headline(state, now);

  return (
    <section class={`status tone-${look.tone}`} aria-labelledby="status-heading">
      <h2 id="status-heading" class="eyebrow">
        Status
      </h2>
      <div class="status-main">
        <span class="status-icon">
          <Icon name={look.icon} class={state.overall === 'syncing' ? 'spin' : ''} />
        </span>
        <div class="status-text">
          <p class="status-headline" data-testid="status-headline">
            {title}
          </p>
          {state.line && state.line !== title && <p class="status-line">{state.line}</p>}
          {(state.lastSyncedAt !== undefined || resumeNote) && (
            <p class="status-meta">
              {state.lastSyncedAt !== undefined && (
                <>
                  Last synced <time dateTime={new Date(state.lastSyncedAt).toISOString()}>{formatRelativeTime(state.lastSyncedAt, now)}</time>
                </>
              )}
              {state.lastSyncedAt !== undefined && resumeNote && ' · '}
              {resumeNote}
            </p>
          )}
        </div>
        {canPause && (
          <div class="status-actions">
            {paused ? (
              <button type="button" class="button" disabled={pausing.busy} onClick={() => void pausing.run(() => api.call('setAllPaused', { paused: false }))}>
                Resume all
              </button>
            ) : (
              <>
                <button type="button" class="button" disabled={pausing.busy} onClick={() => void pausing.run(() => api.call('setAllPaused', { paused: true }))}>
                  Pause all
                </button>
                <button type="button" class="button button-quiet" disabled={pausing.busy} onClick={() => void pausing.run(() => api.call('setAllPaused', { paused: true, minutes: 60 }))}>
                  Pause for 1 hour
                </button>
              </>
            )}
          </div>
        )}
      </div>
      <InlineError message={pausing.error} />
    </section>
  );
}
