// "Settings": start at login (where the host can), notifications, and the Dropbox app key once set.
import type { AppState } from '../../common/contract.js';
import { AppKeyForm } from './AppKeyForm.js';
import { SettingCheckbox } from './SettingCheckbox.js';

export function SettingsSection({ state }: { state: AppState }) {
  const { settings, host } = state;
  return (
    <section class="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <div class="stack">
        {host.canAutostart && (
          <SettingCheckbox name="startAtLogin" value={settings.startAtLogin === true}>
            Start Twinfold when I log in
          </SettingCheckbox>
        )}
        <SettingCheckbox name="notifications" value={settings.notifications}>
          Show notifications (conflicts, errors, sign-in problems)
        </SettingCheckbox>
        {settings.appKey !== undefined && <AppKeyForm key={settings.appKey} current={settings.appKey} />}
      </div>
    </section>
  );
}
