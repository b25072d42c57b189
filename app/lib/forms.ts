import type { z } from "zod";

/** Field errors are i18n keys (with interpolation values) so the page shows them in the reader's language. */
export interface FieldError {
  key: string;
  values?: Record<string, string | number>;
}

export type FieldErrors = Record<string, FieldError>;

export type FormResult<T> =
  { success: true; data: T } | { success: false; fieldErrors: FieldErrors; values: Record<string, string> };

/** Passwords are never sent back to the browser, everything else is, so a failed submit loses nothing typed. */
const secretFields = new Set(["password", "confirmPassword"]);

export function formValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of formData) {
    if (typeof value !== "string" || secretFields.has(name)) continue;
    // Repeated names (checkboxes) are kept joined, so the page can re-check every box that was ticked.
    values[name] = values[name] === undefined ? value : `${values[name]}\n${value}`;
  }
  return values;
}

/** Form fields as an object; a name given several times (checkboxes) becomes an array. */
export function formObject(formData: FormData): Record<string, string | string[]> {
  const raw: Record<string, string | string[]> = {};
  for (const [name, value] of formData) {
    if (typeof value !== "string") continue;
    const existing = raw[name];
    raw[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return raw;
}

export function parseForm<T>(schema: z.ZodType<T>, formData: FormData): FormResult<T> {
  const raw = formObject(formData);
  const result = schema.safeParse(raw);
  if (result.success) return { success: true, data: result.data };
  const fieldErrors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    if (fieldErrors[field]) continue;
    const max = issue.code === "too_big" ? Number(issue.maximum) : undefined;
    fieldErrors[field] = { key: issue.message, values: max !== undefined ? { max } : undefined };
  }
  return { success: false, fieldErrors, values: formValues(formData) };
}

/** Checkboxes (for a zod preprocess): absent means none ticked, one ticked arrives as a string. */
export function asList(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value];
}
