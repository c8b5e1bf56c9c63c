// A modal dialog on the native <dialog>: focus moves in and is trapped by the browser, Escape
// closes it, and focus goes back to what the user was on. The body is a form, so Enter submits.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface DialogProps {
  title: string;
  onClose(): void;
  /** Enter (or the submit button); absent for dialogs without a form action. */
  onSubmit?(): void;
  children: ComponentChildren;
  /** The buttons row. */
  actions: ComponentChildren;
  wide?: boolean;
  /** When this changes, the content was swapped: focus moves to its first control. */
  focusKey?: string;
}

let nextId = 0;

export function Dialog({ title, onClose, onSubmit, children, actions, wide, focusKey }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-title-${++nextId}`).current;
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    dialog.showModal();
    const onCancel = (event: Event) => {
      // Escape: we close through React state so the parent stays the single source of truth.
      event.preventDefault();
      closeRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (returnTo?.isConnected) returnTo.focus();
    };
  }, []);

  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false; // showModal() already focused the first control
      return;
    }
    ref.current?.querySelector<HTMLElement>('input, select, textarea, button:not([disabled])')?.focus();
  }, [focusKey]);

  return (
    <dialog ref={ref} class={wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId}>
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit?.();
        }}
      >
        <h2 id={titleId} class="dialog-title">
          {title}
        </h2>
        <div class="dialog-body">{children}</div>
        <div class="dialog-actions">{actions}</div>
      </form>
    </dialog>
  );
}
