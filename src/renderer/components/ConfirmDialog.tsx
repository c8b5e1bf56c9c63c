// "Are you sure?" for actions that stop syncing or delete: says what will happen, starts on Cancel
// (the safe choice), and shows a failure inside the dialog instead of closing it.
import type { ComponentChildren } from 'preact';
import { useAction } from '../hooks/useAction.js';
import { Dialog } from './Dialog.js';
import { InlineError } from './InlineError.js';

export interface ConfirmDialogProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): Promise<unknown>;
  onClose(): void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger, onConfirm, onClose }: ConfirmDialogProps) {
  const action = useAction();
  const confirm = async () => {
    if (action.busy) return;
    if (await action.run(onConfirm)) onClose();
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      onSubmit={confirm}
      actions={
        <>
          <button type="button" class="button" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button type="submit" class={danger ? 'button button-danger' : 'button button-primary'} disabled={action.busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      <InlineError message={action.error} />
    </Dialog>
  );
}
