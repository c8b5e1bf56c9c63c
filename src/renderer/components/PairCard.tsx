// One folder pair: its two folders, how it is doing, and what can be done with it (pause, open,
// options, remove). Removing never deletes a file; the dialog says so.
import { useState } from 'preact/hooks';
import type { AppState, PairView } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { formatRelativeTime, percent } from '../logic/format.js';
import { overallLook } from '../logic/overall.js';
import { displayRemotePath, pairName } from '../logic/paths.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { Icon } from './Icon.js';
import { InlineError } from './InlineError.js';
import { MassDeleteBanner } from './MassDeleteBanner.js';
import { PairOptionsPanel } from './PairOptionsPanel.js';
import { ProgressBar } from './ProgressBar.js';

export function PairCard({ pair, state, now }: { pair: PairView; state: AppState; now: number }) {
  const api = useApi();
  const action = useAction();
  const [showOptions, setShowOptions] = useState(false);
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const look = overallLook(pair.overall);
  const name = pairName(pair.localPath);
  const headingId = `pair-${pair.id}`;
  const optionsId = `pair-${pair.id}-options`;

  return (
    <li class={`pair tone-${look.tone}`} aria-labelledby={headingId}>
      {pair.massDeleteHeld && <MassDeleteBanner pair={pair} />}
      <div class="pair-head">
        <span class="pair-icon" title={look.label}>
          <Icon name={look.icon} class={pair.overall === 'syncing' ? 'spin' : ''} />
        </span>
        <div class="pair-title">
          <h3 id={headingId}>{name}</h3>
          <p class="pair-paths">
            <span class="path" title={pair.localPath}>
              {pair.localPath}
            </span>
            <span class="pair-arrow" aria-label="synced with">
              ⇄
            </span>
            <span class="path" title={displayRemotePath(pair.remotePath)}>
              {displayRemotePath(pair.remotePath)}
            </span>
          </p>
        </div>
        <span class={`pill tone-${look.tone}`}>{look.label}</span>
      </div>

      <div class="pair-status">
        <p class="pair-line">
          {pair.line}
          {pair.lastSyncedAt !== undefined && pair.overall !== 'syncing' && <span class="muted"> · synced {formatRelativeTime(pair.lastSyncedAt, now)}</span>}
        </p>
        {pair.overall === 'syncing' && pair.total > 0 && (
          <div class="pair-progress">
            <ProgressBar value={percent(pair.done, pair.total)} label={`${name}: ${pair.done} of ${pair.total} done`} />
            <span class="num muted">
              {pair.done} of {pair.total}
            </span>
          </div>
        )}
      </div>

      <div class="pair-actions">
        {pair.paused ? (
          <button type="button" class="button button-small" disabled={action.busy} aria-describedby={headingId} onClick={() => void action.run(() => api.call('setPairPaused', { pairId: pair.id, paused: false }))}>
            Resume
          </button>
        ) : (
          <button type="button" class="button button-small" disabled={action.busy} aria-describedby={headingId} onClick={() => void action.run(() => api.call('setPairPaused', { pairId: pair.id, paused: true }))}>
            Pause
          </button>
        )}
        {state.host.canReveal && (
          <button type="button" class="button button-small button-quiet" aria-describedby={headingId} onClick={() => void action.run(() => api.call('openPairFolder', { pairId: pair.id }))}>
            Open folder
          </button>
        )}
        <button type="button" class="button button-small button-quiet" aria-expanded={showOptions} aria-controls={optionsId} aria-describedby={headingId} onClick={() => setShowOptions((v) => !v)}>
          Options
        </button>
        <span class="spacer" />
        <button type="button" class="button button-small button-quiet button-danger-text" aria-describedby={headingId} onClick={() => setConfirmingRemove(true)}>
          Remove
        </button>
      </div>
      <InlineError message={action.error} />

      {showOptions && <PairOptionsPanel pair={pair} id={optionsId} />}

      {confirmingRemove && (
        <ConfirmDialog title={`Stop syncing “${name}”?`} confirmLabel="Remove" danger onConfirm={() => api.call('removePair', { pairId: pair.id })} onClose={() => setConfirmingRemove(false)}>
          <p>Twinfold stops syncing this pair and forgets its sync state.</p>
          <p>
            <strong>No files are deleted</strong>: everything stays in <span class="path">{pair.localPath}</span> and in {displayRemotePath(pair.remotePath)}.
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}
