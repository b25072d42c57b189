/**
 * A read whose `error` is always looked at (issue 11). Ignoring it turned a database fault into "not found" or an
 * empty page; here it is thrown, so Remix logs it and answers 500. Rows hidden by RLS are not an error: `data` is
 * then null or empty and the caller answers 404 or shows nothing, as before.
 */
type ReadResult = { data: unknown; error?: { message: string; code?: string } | null };

export function checkRead<R extends ReadResult>(what: string, result: R): Extract<R, { error: null }>["data"] {
  if (result.error) throw new Error(`${what}: ${result.error.code ?? ""} ${result.error.message}`.replace(/\s+/g, " "));
  return result.data;
}
