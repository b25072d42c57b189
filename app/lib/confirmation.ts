/** The field a confirmed action carries (`confirm=yes`), sent by the confirm button of ConfirmSubmit. */
export const confirmationField = "confirm";

/**
 * Whether a consequential post was confirmed (issue 11). A post without it (no JavaScript, a script, a forged
 * form) changes nothing and is answered with `errors.confirmationRequired`.
 */
export function isConfirmed(formData: FormData): boolean {
  return formData.get(confirmationField) === "yes";
}
