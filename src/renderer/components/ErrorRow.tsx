// A path that could not be synced: the plain explanation (title + message) and what to do about
// it: retry now, or (desktop) show it in the file manager or open it.
import { useRef } from 'preact/hooks';
import type { PathErrorView } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { formatRelativeTime } from '../logic/format.js';
import { splitPath } from '../logic/paths.js';
import { Icon } from './Icon.js';
import { InlineError } from './InlineError.js';

let idSeq = 0;

export function ErrorRow({ error, now, canReveal, pairLabel }: { error: PathErrorView; now: number; canReveal: boolean; pairLabel?: string }) {
  const api = useApi();
  const action = useAction();
  const { name, folder } = splitPath(error.path);
  // The buttons keep their short names; the file they act on is their description.
  const nameId = useRef(`error-name-${++idSeq}`).current;
  return (
    <li class="row error-row tone-error">
      <span class="row-icon">
        <Icon name="alert" />
      </span>
      <span class="row-main">
        <span class="row-name" id={nameId} title={error.path}>
          {name}
        </span>
        <span class="error-title">{error.title}</span>
        <span class="error-message">{error.message}</span>
        <span class="row-sub">
          {folder || '/'}
          {pairLabel ? ` · ${pairLabel}` : ''} · <time dateTime={new Date(error.time).toISOString()}>{formatRelativeTime(error.time, now)}</time>
          {error.attempts > 1 ? ` · tried ${error.attempts} times` : ''}
        </span>
        <InlineError message={action.error} />
      </span>
      <span class="row-actions">
        <button type="button" class="button button-small" disabled={action.busy} aria-describedby={nameId} onClick={() => void action.run(() => api.call('retryErrors', { pairId: error.pairId, path: error.path }))}>
          Retry
        </button>
        {canReveal && (
          <>
            <button type="button" class="button button-small button-quiet" aria-describedby={nameId} onClick={() => void action.run(() => api.call('revealPath', { pairId: error.pairId, path: error.path, open: false }))}>
              Reveal
            </button>
            <button type="button" class="button button-small button-quiet" aria-describedby={nameId} onClick={() => void action.run(() => api.call('revealPath', { pairId: error.pairId, path: error.path, open: true }))}>
              Open
            </button>
          </>
        )}
      </span>
    </li>
  );
}
