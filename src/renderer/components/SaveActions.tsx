// The submit row of a small settings form: its Save button and the "Saved" note announced after a
// successful save, the same for every form that has one.
export function SaveActions({ label, disabled, saved }: { label: string; disabled: boolean; saved: boolean }) {
  return (
    <div class="form-actions">
      <button type="submit" class="button" disabled={disabled}>
        {label}
      </button>
      {saved && (
        <span class="saved-note" role="status">
          Saved
        </span>
      )}
    </div>
  );
}
