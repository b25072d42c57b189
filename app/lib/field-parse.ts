import type { z } from "zod";
import { formObject, type FieldError, type FieldErrors } from "~/lib/forms";

export interface FieldsResult<T> {
  /** The fields that passed, ready to store. */
  data: Partial<T>;
  /** The fields that did not; a text over its limit says by how much (issue 11: a 25,000-character paste). */
  fieldErrors: FieldErrors;
}

/**
 * Parses each field of an object schema on its own, so one bad field (an over-long paste) never stops the others
 * from being saved. `only` limits the fields read (a partial save: absent fields are left as stored).
 */
export function parseEachField<S extends z.ZodRawShape>(
  schema: z.ZodObject<S>,
  formData: FormData,
  only?: readonly string[],
): FieldsResult<z.output<z.ZodObject<S>>> {
  const raw = formObject(formData);
  const data: Record<string, unknown> = {};
  const fieldErrors: FieldErrors = {};
  for (const [name, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    if (only && !only.includes(name)) continue;
    const result = field.safeParse(raw[name]);
    if (result.success) {
      data[name] = result.data;
      continue;
    }
    const issue = result.error.issues[0]!;
    const error: FieldError = { key: issue.message };
    if (issue.code === "too_big") {
      const max = Number(issue.maximum);
      const input = raw[name];
      error.values = typeof input === "string" ? { max, over: input.length - max } : { max };
      if (typeof input === "string") error.key = "errors.tooLongBy";
    }
    fieldErrors[name] = error;
  }
  return { data: data as Partial<z.output<z.ZodObject<S>>>, fieldErrors };
}
