// "Add folder pair": pick a folder on this computer (native dialog on the desktop, the server-side
// browser on the web) and a Dropbox folder (browsed, optionally a new folder inside it), then
// start syncing. addPair creates the new Dropbox folder.
import { useState } from 'preact/hooks';
import type { AppState } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { displayRemotePath, folderNameProblem, joinRemote, localCrumbs, remoteCrumbs } from '../logic/paths.js';
import { Dialog } from './Dialog.js';
import { FolderBrowser } from './FolderBrowser.js';
import { InlineError } from './InlineError.js';

type Step = 'form' | 'browse-local' | 'browse-remote';

export function AddPairDialog({ state, onClose }: { state: AppState; onClose(): void }) {
  const api = useApi();
  const [step, setStep] = useState<Step>('form');
  const [localPath, setLocalPath] = useState<string | undefined>(undefined);
  const [remoteParent, setRemoteParent] = useState<string | undefined>(undefined);
  const [newName, setNewName] = useState('');
  const [missing, setMissing] = useState<string | undefined>(undefined);
  const picking = useAction();
  const adding = useAction();
  const nameProblem = folderNameProblem(newName.trim() === '' ? '' : newName);

  const pickLocal = async () => {
    if (!state.host.nativeFolderPicker) {
      setStep('browse-local');
      return;
    }
    await picking.run(async () => {
      const { path } = await api.call('pickLocalFolder', {});
      if (path) setLocalPath(path);
    });
  };

  const submit = async () => {
    if (adding.busy) return;
    if (!localPath) return setMissing('Choose a folder on this computer.');
    if (remoteParent === undefined) return setMissing('Choose a Dropbox folder.');
    if (nameProblem) return;
    setMissing(undefined);
    if (await adding.run(() => api.call('addPair', { localPath, remotePath: joinRemote(remoteParent, newName) }))) onClose();
  };

  if (step !== 'form') {
    // The two folder browsers differ only in these; either one returns to the form.
    const browse =
      step === 'browse-local'
        ? { title: 'Choose a folder on this computer', label: 'Folder on this computer', start: localPath, list: (path?: string) => api.call('browseLocal', path === undefined ? {} : { path }), crumbs: localCrumbs, choose: setLocalPath }
        : { title: 'Choose a Dropbox folder', label: 'Dropbox folder', start: remoteParent ?? '', list: (path?: string) => api.call('browseRemote', { path: path ?? '' }), crumbs: remoteCrumbs, choose: setRemoteParent };
    return (
      <Dialog title={browse.title} onClose={onClose} actions={null} wide focusKey={step}>
        <FolderBrowser
          label={browse.label}
          start={browse.start}
          list={browse.list}
          crumbs={browse.crumbs}
          onChoose={(path) => {
            browse.choose(path);
            setStep('form');
          }}
          onBack={() => setStep('form')}
        />
      </Dialog>
    );
  }

  const finalRemote = remoteParent === undefined ? undefined : joinRemote(remoteParent, nameProblem ? '' : newName);
  return (
    <Dialog
      title="Add a folder pair"
      onClose={onClose}
      onSubmit={() => void submit()}
      wide
      focusKey={step}
      actions={
        <>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={adding.busy}>
            Start syncing
          </button>
        </>
      }
    >
      <p class="hint">Twinfold keeps the two folders identical. Nothing is deleted when you add a pair: files on both sides are merged, and if a file differs, both versions are kept.</p>

      <div class="choice">
        <div class="choice-text">
          <p class="field-label" id="local-choice-label">
            Folder on this computer
          </p>
          <p class={localPath ? 'choice-value' : 'choice-value choice-empty'} aria-labelledby="local-choice-label">
            {localPath ?? 'None chosen yet'}
          </p>
        </div>
        <button type="button" class="button" disabled={picking.busy} onClick={() => void pickLocal()} aria-describedby="local-choice-label">
          {localPath ? 'Change…' : 'Choose…'}
        </button>
      </div>
      <InlineError message={picking.error} />

      <div class="choice">
        <div class="choice-text">
          <p class="field-label" id="remote-choice-label">
            Dropbox folder
          </p>
          <p class={remoteParent !== undefined ? 'choice-value' : 'choice-value choice-empty'}>{remoteParent !== undefined ? displayRemotePath(remoteParent) : 'None chosen yet'}</p>
        </div>
        <button type="button" class="button" onClick={() => setStep('browse-remote')} aria-describedby="remote-choice-label">
          {remoteParent !== undefined ? 'Change…' : 'Browse…'}
        </button>
      </div>

      <label class="field-label" for="new-folder-name">
        New folder inside it (optional)
      </label>
      <input
        id="new-folder-name"
        class="input"
        type="text"
        autoComplete="off"
        placeholder="Leave empty to sync the chosen folder itself"
        value={newName}
        aria-invalid={nameProblem ? true : undefined}
        aria-describedby="new-folder-hint"
        onInput={(e) => setNewName(e.currentTarget.value)}
      />
      <p class="hint" id="new-folder-hint">
        {nameProblem ?? (finalRemote !== undefined ? `Syncs with ${displayRemotePath(finalRemote)}` : 'Twinfold creates the new folder in Dropbox.')}
      </p>

      <InlineError message={missing ?? adding.error} />
    </Dialog>
  );
}
