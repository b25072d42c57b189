import type { z } from "zod";

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
