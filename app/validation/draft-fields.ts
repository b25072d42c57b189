import { z } from "zod";

/** A free-text field of a draft (EoI, application): optional, trimmed, and stored as null when left empty. */
export const draftText = (max: number) =>
  z
    .string()
    .max(max, "errors.tooLong")
    .transform((value) => value.trim())
    .optional()
    .transform((value) => (value === "" || value === undefined ? null : value));
