// Browsing folders one level at a time, for the local side (server-side browser of the web host)
// and the Dropbox side: breadcrumbs, "Up one level", the folders here, and "Choose this folder".
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FolderListing } from '../../common/contract.js';
import type { Crumb } from '../logic/paths.js';
import { errorMessage } from '../hooks/useAppState.js';
import { Icon } from './Icon.js';
import { InlineError } from './InlineError.js';

export interface FolderBrowserProps {
  /** What is being chosen, e.g. "Folder on this computer". */
  label: string;
  /** Where to start; undefined lets the host decide (the home folder). */
  start: string | undefined;
  list(path: string | undefined): Promise<FolderListing>;
  crumbs(path: string): Crumb[];
  onChoose(path: string): void;
  onBack(): void;
}

export function FolderBrowser({ label, start, list, crumbs, onChoose, onBack }: FolderBrowserProps) {
  const [listing, setListing] = useState<FolderListing | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const ticket = useRef(0);
  const listRef = useRef<HTMLUListElement>(null);

  const go = (path: string | undefined) => {
    const mine = ++ticket.current;
    setLoading(true);
    setError(undefined);
    list(path).then(
      (result) => {
        if (mine !== ticket.current) return;
        setListing(result);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== ticket.current) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
  };

  // Load the start folder once; later moves go through go().
  useEffect(() => go(start), []);

  const here = listing?.path;
  return (
    <div class="browser" aria-busy={loading}>
      <p class="field-label">{label}</p>
      {listing && (
        <nav aria-label="Folder path">
          <ol class="crumbs">
            {crumbs(listing.path).map((c, i, all) => (
              <li key={c.path}>
                {i === all.length - 1 ? (
                  <span aria-current="location">{c.name}</span>
                ) : (
                  <button type="button" class="link-button" onClick={() => go(c.path)}>
                    {c.name}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </nav>
      )}
      <ul class="browser-list" ref={listRef} aria-label={`Folders in ${listing ? crumbs(listing.path).at(-1)?.name ?? listing.path : '…'}`}>
        {listing?.parent !== undefined && (
          <li>
            <button type="button" class="browser-item" onClick={() => go(listing.parent)}>
              <span aria-hidden="true">↰</span> Up one level
            </button>
          </li>
        )}
        {listing?.folders.map((f) => (
          <li key={f.path}>
            <button type="button" class="browser-item" onClick={() => go(f.path)}>
              <Icon name="folder" /> {f.name}
            </button>
          </li>
        ))}
        {listing && listing.folders.length === 0 && <li class="browser-empty">No folders inside</li>}
        {!listing && loading && <li class="browser-empty">Loading…</li>}
      </ul>
      <InlineError message={error} />
      <div class="browser-actions">
        <button type="button" class="button" onClick={onBack}>
          Back
        </button>
        <button type="button" class="button button-primary" disabled={here === undefined || loading} onClick={() => here !== undefined && onChoose(here)}>
          Choose this folder
        </button>
      </div>
    </div>
  );
}
