// Per-pair options: quiet period and what a deletion does, ignore rules, and selective sync.
import { useState } from 'preact/hooks';
import type { DeletionPolicy, PairView } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { optionsChange, quietSecondsText } from '../logic/pairOptionsForm.js';
import { IgnoreRulesEditor } from './IgnoreRulesEditor.js';
import { InlineError } from './InlineError.js';
import { SaveActions } from './SaveActions.js';
import { SelectiveSyncTree } from './SelectiveSyncTree.js';

export function PairOptionsPanel({ pair, id }: { pair: PairView; id: string }) {
  const api = useApi();
  const saving = useAction();
  const [quiet, setQuiet] = useState(quietSecondsText(pair.options.quietMs));
  const [policy, setPolicy] = useState<DeletionPolicy>(pair.options.deletionPolicy);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [justSaved, setJustSaved] = useState(false);
  const change = optionsChange(pair.options, quiet, policy);

  const save = async (event: Event) => {
    event.preventDefault();
    setJustSaved(false);
    if (!change.ok) return setProblem(change.error);
    setProblem(undefined);
    if (!change.value) return;
    const options = change.value;
    if (await saving.run(() => api.call('updatePairOptions', { pairId: pair.id, options }))) setJustSaved(true);
  };

  return (
    <div class="options" id={id}>
      {/* noValidate: our own message says what is allowed, the same in every browser. */}
      <form class="stack-small" noValidate onSubmit={(e) => void save(e)}>
        <label class="field-label" for={`${id}-quiet`}>
          Quiet period (seconds)
        </label>
        <input
          id={`${id}-quiet`}
          class="input input-short num"
          type="number"
          min={0}
          max={3600}
          step="any"
          inputMode="decimal"
          value={quiet}
          aria-describedby={`${id}-quiet-hint`}
          aria-invalid={problem ? true : undefined}
          onInput={(e) => {
            setQuiet(e.currentTarget.value);
            setJustSaved(false);
          }}
        />
        <p class="hint" id={`${id}-quiet-hint`}>
          Wait this long after the last change to a file before uploading it, so files being saved are not uploaded half-way.
        </p>
        <fieldset class="fieldset">
          <legend class="field-label">When a file is deleted on one side</legend>
          <label class="radio">
            <input type="radio" name={`${id}-policy`} checked={policy === 'propagate'} onChange={() => setPolicy('propagate')} />
            Delete it on the other side too (it goes to the trash or to Dropbox’s deleted files)
          </label>
          <label class="radio">
            <input type="radio" name={`${id}-policy`} checked={policy === 'keep'} onChange={() => setPolicy('keep')} />
            Keep it on the other side
          </label>
        </fieldset>
        <InlineError message={problem ?? saving.error} />
        <SaveActions label="Save options" disabled={saving.busy || (change.ok && !change.value)} saved={justSaved} />
      </form>
      <IgnoreRulesEditor pairId={pair.id} />
      <SelectiveSyncTree pair={pair} />
    </div>
  );
}
