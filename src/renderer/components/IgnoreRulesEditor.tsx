// The pair's `.twinfoldignore` (gitignore syntax): loaded when opened, saved on request.
import { useEffect, useState } from 'preact/hooks';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { InlineError } from './InlineError.js';
import { SaveActions } from './SaveActions.js';

export function IgnoreRulesEditor({ pairId }: { pairId: string }) {
  const api = useApi();
  const loading = useAction();
  const saving = useAction();
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [text, setText] = useState('');
  const [justSaved, setJustSaved] = useState(false);

  useEffect(() => {
    void loading.run(async () => {
      const result = await api.call('getIgnoreRules', { pairId });
      setSaved(result.text);
      setText(result.text);
    });
    // One load per opened panel (the loader itself is stable enough to leave out).
  }, [api, pairId]);

  const id = `ignore-${pairId}`;
  const save = async (event: Event) => {
    event.preventDefault();
    setJustSaved(false);
    if (await saving.run(() => api.call('setIgnoreRules', { pairId, text }))) {
      setSaved(text);
      setJustSaved(true);
    }
  };

  return (
    <form class="stack-small" onSubmit={(e) => void save(e)}>
      <label class="field-label" for={id}>
        Ignore rules
      </label>
      <p class="hint" id={`${id}-hint`}>
        One pattern per line, like .gitignore: <code>*.tmp</code>, <code>node_modules/</code>, <code>!keep.tmp</code>. Ignored files stay where they are and are not synced.
      </p>
      <textarea
        id={id}
        class="input textarea"
        rows={6}
        spellcheck={false}
        value={text}
        disabled={saved === undefined}
        aria-describedby={`${id}-hint`}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setJustSaved(false);
        }}
      />
      <InlineError message={loading.error ?? saving.error} />
      <SaveActions label="Save rules" disabled={saving.busy || saved === undefined || text === saved} saved={justSaved} />
    </form>
  );
}
