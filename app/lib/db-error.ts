import type { FieldError } from "~/lib/forms";

/**
 * The translated sentence for a database refusal, with the numbers it names: `suggestions_open` says how many
 * suggestions are still open (the DETAIL the database counted from the stored plan; issue 18).
 */
export function dbErrorOf(error: { code: string; details?: string }): FieldError {
  const count = Number(error.details);
  if (error.code === "suggestions_open" && Number.isInteger(count))
    return { key: "dbErrors.suggestions_open", values: { count } };
  return { key: `dbErrors.${error.code}` };
}
