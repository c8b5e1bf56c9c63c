// The Dropbox app key field: needed once before anyone can sign in, changeable later in Settings.
import { useState } from 'preact/hooks';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { InlineError } from './InlineError.js';

const APP_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

export function AppKeyForm({ current, intro }: { current: string | undefined; intro?: string }) {
  const api = useApi();
  const saving = useAction();
  const [value, setValue] = useState(current ?? '');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const trimmed = value.trim();

  const save = async (event: Event) => {
    event.preventDefault();
    if (!APP_KEY_PATTERN.test(trimmed) || trimmed.length > 200) {
      setProblem('An app key is made of letters, digits, - and _. Copy it from your app’s page in the Dropbox App Console.');
      return;
    }
    setProblem(undefined);
    await saving.run(() => api.call('setSettings', { appKey: trimmed }));
  };

  return (
    <form class="stack-small" onSubmit={(e) => void save(e)}>
      {intro && <p class="hint">{intro}</p>}
      <label class="field-label" for="app-key">
        Dropbox app key
      </label>
      <div class="inline-field">
        <input
          id="app-key"
          class="input"
          type="text"
          autoComplete="off"
          spellcheck={false}
          value={value}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'app-key-problem' : undefined}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <button type="submit" class="button" disabled={saving.busy || trimmed === '' || trimmed === current}>
          Save app key
        </button>
      </div>
      <InlineError id="app-key-problem" message={problem ?? saving.error} />
    </form>
  );
}
