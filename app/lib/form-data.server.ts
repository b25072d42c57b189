import type { z } from "zod";
import { parseForm, type FieldErrors } from "~/lib/forms";

/**
 * The one way an action reads its form (issue 11): a JSON, text/plain, broken multipart or untyped body answers
 * 415 or 400 instead of the 500 that `request.formData()` would throw, and nothing has been changed yet.
 */
const formTypes = ["application/x-www-form-urlencoded", "multipart/form-data"];

export function isFormContentType(request: Request): boolean {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  return formTypes.includes(type);
}

export async function readFormData(request: Request): Promise<FormData> {
  // A POST with no body at all (a bare button form posted by a script) is an empty form, not an error.
  if (!request.headers.get("content-type") && request.headers.get("content-length") === "0") return new FormData();
  if (!isFormContentType(request)) throw new Response("Unsupported media type: send a form", { status: 415 });
  try {
    return await request.formData();
  } catch {
    throw new Response("Bad request: the form could not be read", { status: 400 });
  }
}

/** Route params (ids in the URL) parsed with zod: anything malformed is a page that does not exist. */
export function parseParams<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Response("Not found", { status: 404 });
  return parsed.data;
}

/**
 * The one pattern for form actions (README, Decisions): `readFormData` → `parseIntentForm` (one zod discriminated
 * union on `intent`, parsed once) → `dispatchIntent` (one handler per intent, each given only its own fields).
 * An intent that no page of ours renders is a request our forms never send: 400, as before, and nothing changes.
 */
export function parseIntentForm<T extends { intent: string }>(
  schema: z.ZodType<T>,
  formData: FormData,
):
  | { success: true; data: T }
  | { success: false; intent: T["intent"]; fieldErrors: FieldErrors; values: Record<string, string> } {
  const parsed = parseForm(schema, formData);
  if (parsed.success) return parsed;
  if (parsed.fieldErrors.intent) throw new Response("Bad request: unknown intent", { status: 400 });
  return { ...parsed, intent: formData.get("intent") as T["intent"] };
}

export type IntentHandlers<T extends { intent: string }> = {
  [K in T["intent"]]: (form: Extract<T, { intent: K }>) => unknown;
};

/** Calls the handler of the form's intent; TypeScript checks that every intent has one. */
export function dispatchIntent<T extends { intent: string }, H extends IntentHandlers<T>>(
  form: T,
  handlers: H,
): ReturnType<H[T["intent"]]> {
  const handler = handlers[form.intent as T["intent"]] as unknown as (form: T) => ReturnType<H[T["intent"]]>;
  return handler(form);
}

/** A record that does not exist or that the reader may not see: the same 404 as a malformed id (issue 13). */
export function notFound(headers?: HeadersInit): Response {
  return new Response("Not found", { status: 404, headers });
}
