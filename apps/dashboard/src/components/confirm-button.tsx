// A button that asks first: opens a modal <dialog> naming the consequence, and runs the action on "yes".
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface ConfirmButtonProps {
  /** The button's text, e.g. "Cancel job". */
  label: string;
  /** The dialog's question, e.g. "Cancel this job?". */
  title: string;
  message: ReactNode;
  /** The dialog's yes button, e.g. "Yes, cancel job". */
  confirmLabel: string;
  /** Runs the action; the dialog closes when it settles (errors are the caller's to show). */
  onConfirm: () => Promise<unknown>;
  disabled?: boolean;
  danger?: boolean;
  small?: boolean;
  testId?: string;
}

export function ConfirmButton({ label, title, message, confirmLabel, onConfirm, disabled, danger, small, testId }: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const messageId = useId();

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };

  const size = small ? ' button--small' : '';
  return (
    <>
      <button type="button" className={`button${danger ? ' button--danger-outline' : ''}${size}`} disabled={disabled || busy} onClick={() => setOpen(true)} data-testid={testId}>
        {label}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={titleId} aria-describedby={messageId} onClose={() => setOpen(false)} data-testid="confirm-dialog">
        {open && (
          <>
            <h2 id={titleId} className="dialog__title">
              {title}
            </h2>
            <div id={messageId} className="dialog__message">
              {message}
            </div>
            <div className="dialog__actions">
              <button type="button" className="button" onClick={() => setOpen(false)} autoFocus data-testid="confirm-no">
                No, go back
              </button>
              <button type="button" className={`button ${danger ? 'button--danger' : 'button--primary'}`} onClick={() => void confirm()} disabled={busy} data-testid="confirm-yes">
                {busy ? 'Working…' : confirmLabel}
              </button>
            </div>
          </>
        )}
      </dialog>
    </>
  );
}
