// A checkbox bound to one setting: it flips at once, is saved with setSettings, shows what was
// actually saved, and goes back (with the reason shown) when saving failed.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SettingsView } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { InlineError } from './InlineError.js';

type Key = 'notifications' | 'startAtLogin';

export function SettingCheckbox({ name, value, children }: { name: Key; value: boolean; children: ComponentChildren }) {
  const api = useApi();
  const action = useAction();
  const [shown, setShown] = useState(value);
  useEffect(() => setShown(value), [value]);

  const change = async (want: boolean) => {
    setShown(want);
    let saved: SettingsView | undefined;
    const ok = await action.run(async () => {
      saved = await api.call('setSettings', { [name]: want });
    });
    setShown(ok && saved ? saved[name] === true : value);
  };

  return (
    <div>
      <label class="check">
        <input type="checkbox" checked={shown} disabled={action.busy} onChange={(e) => void change(e.currentTarget.checked)} />
        {children}
      </label>
      <InlineError message={action.error} />
    </div>
  );
}
