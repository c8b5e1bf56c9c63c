// "Activity": files moving now (live progress), paths that need attention (with Retry), and what
// happened recently. Refetched on every `activity` event.
import type { AppState } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { useActivity } from '../hooks/useActivity.js';
import { pairName } from '../logic/paths.js';
import { ActivityRow } from './ActivityRow.js';
import { ErrorRow } from './ErrorRow.js';
import { InlineError } from './InlineError.js';
import { TransferRow } from './TransferRow.js';

const RECENT_LIMIT = 50;

export function ActivitySection({ state, now, generation }: { state: AppState; now: number; generation: number }) {
  const api = useApi();
  const retryAll = useAction();
  const { activity, errors, loaded, loadError } = useActivity(RECENT_LIMIT, generation);
  const transfers = state.pairs.flatMap((pair) => pair.transfers);
  const several = state.pairs.length > 1;
  const labelOf = (pairId: string) => {
    const pair = state.pairs.find((p) => p.id === pairId);
    return several && pair ? pairName(pair.localPath) : undefined;
  };
  const pairsWithErrors = [...new Set(errors.map((e) => e.pairId))];

  return (
    <section class="card" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Activity</h2>

      {transfers.length > 0 && (
        <>
          <h3 class="subheading">Syncing now</h3>
          <ul class="rows" aria-label="Files syncing now">
            {transfers.map((t) => (
              <TransferRow key={`${t.pairId}:${t.path}`} transfer={t} />
            ))}
          </ul>
        </>
      )}

      {errors.length > 0 && (
        <>
          <div class="subheading-row">
            <h3 class="subheading">Could not sync</h3>
            {errors.length > 1 && (
              <button
                type="button"
                class="button button-small"
                disabled={retryAll.busy}
                onClick={() => void retryAll.run(() => Promise.all(pairsWithErrors.map((pairId) => api.call('retryErrors', { pairId }))))}
              >
                Retry all
              </button>
            )}
          </div>
          <InlineError message={retryAll.error} />
          <ul class="rows" aria-label="Files that could not be synced">
            {errors.map((e) => (
              <ErrorRow key={`${e.pairId}:${e.path}`} error={e} now={now} canReveal={state.host.canReveal} pairLabel={labelOf(e.pairId)} />
            ))}
          </ul>
        </>
      )}

      <h3 class="subheading">Recent</h3>
      <InlineError message={loadError} />
      {activity.length > 0 ? (
        <ul class="rows" aria-label="Recent activity">
          {activity.map((item) => (
            <ActivityRow key={item.id} item={item} now={now} pairLabel={labelOf(item.pairId)} />
          ))}
        </ul>
      ) : (
        loaded && !loadError && <p class="empty">Nothing has happened yet. Changes to your files will be listed here.</p>
      )}
    </section>
  );
}
