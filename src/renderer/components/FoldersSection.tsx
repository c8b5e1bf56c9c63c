// "Folders": the folder pairs, and adding one. Without pairs, a call to action.
import { useState } from 'preact/hooks';
import type { AppState } from '../../common/contract.js';
import { AddPairDialog } from './AddPairDialog.js';
import { Icon } from './Icon.js';
import { PairCard } from './PairCard.js';

export function FoldersSection({ state, now }: { state: AppState; now: number }) {
  const [adding, setAdding] = useState(false);
  const signedIn = state.account !== undefined;

  return (
    <section class="card" aria-labelledby="folders-heading">
      <div class="card-head">
        <h2 id="folders-heading">Folders</h2>
        {signedIn && state.pairs.length > 0 && (
          <button type="button" class="button" onClick={() => setAdding(true)}>
            Add folder pair
          </button>
        )}
      </div>

      {state.pairs.length > 0 ? (
        <ul class="pairs">
          {state.pairs.map((pair) => (
            <PairCard key={pair.id} pair={pair} state={state} now={now} />
          ))}
        </ul>
      ) : signedIn ? (
        <div class="empty-state">
          <Icon name="folder" class="empty-icon" />
          <p class="empty-lead">No folders are synced yet</p>
          <p class="hint">Choose a folder on this computer and a Dropbox folder; Twinfold keeps them identical.</p>
          <button type="button" class="button button-primary" onClick={() => setAdding(true)}>
            Add folder pair
          </button>
        </div>
      ) : (
        <p class="empty">Sign in to Dropbox to add folders.</p>
      )}

      {adding && <AddPairDialog state={state} onClose={() => setAdding(false)} />}
    </section>
  );
}
