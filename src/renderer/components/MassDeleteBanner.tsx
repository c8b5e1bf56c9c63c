// The engine held back a pass that deletes many files at once. Nothing is deleted until the user
// says so here; this says what "Delete them" will do, and where the files go.
import type { PairView } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { Banner } from './Banner.js';
import { InlineError } from './InlineError.js';

export function MassDeleteBanner({ pair }: { pair: PairView }) {
  const api = useApi();
  const action = useAction();
  const trash = pair.options.deletionPolicy === 'propagate';
  return (
    <Banner
      tone="warn"
      urgent
      title="Many files were deleted: Twinfold is waiting for you"
      actions={
        <button type="button" class="button button-danger" disabled={action.busy} onClick={() => void action.run(() => api.call('confirmMassDelete', { pairId: pair.id }))}>
          Delete them
        </button>
      }
    >
      <p>
        A lot of files disappeared from one side of this pair at once. To be safe, Twinfold has not deleted them on the other side yet.{' '}
        {trash
          ? 'If you meant to delete them, choose “Delete them”: files on this computer go to the trash, and files in Dropbox go to its deleted files, where they can be restored.'
          : 'If you meant to delete them, choose “Delete them”: this pair keeps files on the other side, so the change is recorded and nothing else is removed.'}{' '}
        Until then, syncing of this pair waits. If you did not mean it, restore the files first.
      </p>
      <InlineError message={action.error} />
    </Banner>
  );
}
