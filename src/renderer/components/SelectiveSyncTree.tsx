// Selective sync: the pair's Dropbox folders as a tree of checkboxes. Unchecked folders are not
// synced; their paths are saved relative to the pair's Dropbox folder. Subfolders load on demand.
import { useEffect, useState } from 'preact/hooks';
import type { FolderEntry, PairView } from '../../common/contract.js';
import { useAction } from '../hooks/useAction.js';
import { useApi } from '../hooks/hostContext.js';
import { errorMessage } from '../hooks/useAppState.js';
import { isExcluded, isExcludedByParent, relativeToPair, sameExclusions, setIncluded } from '../logic/selectiveSync.js';
import { InlineError } from './InlineError.js';

interface Branch {
  folders?: FolderEntry[];
  error?: string;
  open: boolean;
}

export function SelectiveSyncTree({ pair }: { pair: PairView }) {
  const api = useApi();
  const saving = useAction();
  const [excluded, setExcluded] = useState<string[]>(pair.options.excluded);
  const [branches, setBranches] = useState<Record<string, Branch>>({});

  const load = (remotePath: string) => {
    setBranches((b) => ({ ...b, [remotePath]: { ...b[remotePath], open: true } }));
    api.call('browseRemote', { path: remotePath }).then(
      (listing) => setBranches((b) => ({ ...b, [remotePath]: { folders: listing.folders, open: true } })),
      (err: unknown) => setBranches((b) => ({ ...b, [remotePath]: { error: errorMessage(err), open: true } })),
    );
  };

  // The top level loads once per opened panel.
  useEffect(() => load(pair.remotePath), [pair.remotePath]);

  const toggleOpen = (path: string) => {
    const branch = branches[path];
    if (!branch?.folders && !branch?.error) return load(path);
    setBranches((b) => ({ ...b, [path]: { ...branch, open: !branch.open } }));
  };

  const renderLevel = (path: string, depth: number) => {
    const branch = branches[path];
    if (!branch || !branch.open) return null;
    if (branch.error) return <InlineError message={branch.error} />;
    if (!branch.folders) return <p class="hint tree-note">Loading…</p>;
    if (branch.folders.length === 0) return depth === 0 ? <p class="hint tree-note">This Dropbox folder has no subfolders.</p> : null;
    return (
      <ul class="tree" role={depth === 0 ? undefined : 'group'}>
        {branch.folders.map((folder) => {
          const rel = relativeToPair(pair.remotePath, folder.path) ?? folder.path;
          const lockedOut = isExcludedByParent(excluded, rel);
          const checked = !isExcluded(excluded, rel);
          const child = branches[folder.path];
          const id = `sel-${pair.id}-${rel}`;
          return (
            <li key={folder.path}>
              <div class="tree-row">
                <button type="button" class="tree-toggle" aria-expanded={child?.open ?? false} aria-label={`${child?.open ? 'Hide' : 'Show'} folders in ${folder.name}`} disabled={!checked} onClick={() => toggleOpen(folder.path)}>
                  <span aria-hidden="true">{child?.open ? '▾' : '▸'}</span>
                </button>
                <input id={id} type="checkbox" checked={checked} disabled={lockedOut} onChange={(e) => setExcluded(setIncluded(excluded, rel, e.currentTarget.checked))} />
                <label for={id}>{folder.name}</label>
              </div>
              {checked && renderLevel(folder.path, depth + 1)}
            </li>
          );
        })}
      </ul>
    );
  };

  const changed = !sameExclusions(excluded, pair.options.excluded);
  return (
    <form
      class="stack-small"
      onSubmit={(e) => {
        e.preventDefault();
        void saving.run(() => api.call('updatePairOptions', { pairId: pair.id, options: { excluded } }));
      }}
    >
      <fieldset class="fieldset">
        <legend class="field-label">Selective sync</legend>
        <p class="hint">Unchecked folders stay in Dropbox but are not synced to this computer.</p>
        {renderLevel(pair.remotePath, 0)}
      </fieldset>
      <InlineError message={saving.error} />
      <div class="form-actions">
        <button type="submit" class="button" disabled={saving.busy || !changed}>
          Save selection
        </button>
        {changed && <span class="hint">{excluded.length === 0 ? 'Every folder will be synced.' : `${excluded.length} folder${excluded.length === 1 ? '' : 's'} left out.`}</span>}
      </div>
    </form>
  );
}
