import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { confirmationField } from "~/lib/confirmation";

interface ConfirmSubmitProps {
  /** The button that asks: its label, look and accessible name. */
  label: ReactNode;
  className?: string;
  ariaLabel?: string;
  disabled?: boolean;
  /** The question, e.g. "Deactivate Amina Diallo?"; names the dialog. */
  title: string;
  /** What will happen; describes the dialog. */
  children?: ReactNode;
  /** Details read from the form when the dialog opens (the chosen outcome, say). */
  summary?: (form: FormData) => ReactNode;
  confirmLabel: string;
  danger?: boolean;
}

/**
 * A submit button that asks first, in a modal <dialog> (issue 11: deactivating a person, recording a Board
 * decision and restoring a plan version). Place it inside the form it submits. Focus moves to Cancel (the safe
 * choice), Escape cancels, and focus returns to the button; the dialog is an alertdialog named by its title and
 * described by its text. The confirm button submits the form with `confirm=yes`, which the server requires: without
 * JavaScript the button posts without it and the server answers with a message instead of acting.
 */
export function ConfirmSubmit({
  label,
  className,
  ariaLabel,
  disabled,
  title,
  children,
  summary,
  confirmLabel,
  danger,
}: ConfirmSubmitProps) {
  const { t } = useTranslation();
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [details, setDetails] = useState<ReactNode>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    // Escape closes a modal dialog natively; either way focus goes back to the button that opened it.
    const handleClose = () => trigger.current?.focus();
    element.addEventListener("close", handleClose);
    return () => element.removeEventListener("close", handleClose);
  }, []);

  const handleOpen = (event: React.MouseEvent<HTMLButtonElement>) => {
    const element = dialog.current;
    if (!element || typeof element.showModal !== "function") return; // no <dialog> support: the server asks instead
    event.preventDefault();
    const form = event.currentTarget.form;
    setDetails(summary && form ? summary(new FormData(form)) : null);
    element.showModal();
    cancel.current?.focus();
  };

  const handleConfirm = () => {
    // Close once the click has submitted the form (the button must still be in the form when it is clicked).
    setTimeout(() => dialog.current?.close(), 0);
  };

  return (
    <>
      <button
        ref={trigger}
        type="submit"
        className={className}
        aria-label={ariaLabel}
        aria-haspopup="dialog"
        disabled={disabled}
        onClick={handleOpen}
      >
        {label}
      </button>
      <dialog
        ref={dialog}
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        className="confirm-dialog"
      >
        <h2 id={`${id}-title`} className="confirm-dialog__title">
          {title}
        </h2>
        <div id={`${id}-body`} className="confirm-dialog__body">
          {children}
          {details}
        </div>
        <div className="actions">
          <button
            ref={cancel}
            type="button"
            className="button button--secondary"
            onClick={() => dialog.current?.close()}
          >
            {t("confirmDialog.cancel")}
          </button>
          <button
            type="submit"
            name={confirmationField}
            value="yes"
            className={danger ? "button button--danger" : "button"}
            onClick={handleConfirm}
          >
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
