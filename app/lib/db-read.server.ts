/**
 * A read whose `error` is always looked at (issue 11). Ignoring it turned a database fault into "not found" or an
 * empty page; here it is thrown, so Remix answers 500 and `handleError` (app/entry.server.tsx) logs it with its
 * code and the request's id. Rows hidden by RLS are not an error: `data` is then null or empty and the caller
 * answers 404 or shows nothing, as before.
 */
type ReadResult = { data: unknown; error?: { message: string; code?: string; hint?: string | null } | null };

/** A failed read: `code` is the SQLSTATE or PostgREST code, so the log line can be searched by it. */
export class DatabaseReadError extends Error {
  override name = "DatabaseReadError";
  constructor(
    readonly what: string,
    readonly code: string | undefined,
    message: string,
    readonly hint?: string,
  ) {
    super(`${what}: ${code ?? ""} ${message}`.replace(/\s+/g, " "));
  }
}

/** The error to throw for a failed database call (a read, or an RPC whose failure is not the user's). */
export function databaseError(what: string, error: { message: string; code?: string; hint?: string | null }) {
  return new DatabaseReadError(what, error.code, error.message, error.hint ?? undefined);
}

export function checkRead<R extends ReadResult>(what: string, result: R): Extract<R, { error: null }>["data"] {
  if (result.error) throw databaseError(what, result.error);
  return result.data;
}
