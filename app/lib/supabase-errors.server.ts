import type { Logger } from "../../server/logger";
import en from "~/i18n/locales/en.json";
import type { FieldError } from "./forms";

/**
 * The auth service's error codes the app has a sentence for (app/models/auth.server.ts); anything else reads
 * "unexpected" and is logged with its code.
 */
export const authErrorKeys: Readonly<Record<string, FieldError>> = {
  invalid_credentials: { key: "errors.invalidCredentials" },
  email_not_confirmed: { key: "errors.emailNotConfirmed" },
  user_banned: { key: "errors.accountDeactivated" },
  over_request_rate_limit: { key: "errors.rateLimited", values: { minutes: 15 } },
  over_email_send_rate_limit: { key: "errors.mailRateLimited" },
  user_already_exists: { key: "errors.userExists" },
  email_exists: { key: "errors.userExists" },
  weak_password: { key: "errors.weakPassword" },
};

/** Auth answers that are outcomes the app handles (an expired session, a used link), not faults. */
const expectedAuthCodes = new Set([
  ...Object.keys(authErrorKeys),
  "bad_jwt",
  "session_not_found",
  "session_expired",
  "refresh_token_not_found",
  "refresh_token_already_used",
  "otp_expired",
  "otp_disabled",
]);

/** The database's stable codes (raised as HINT) the app translates: the `dbErrors` sentences. */
const translatedDbCodes = new Set(Object.keys(en.dbErrors));
/** PostgREST answers callers handle as outcomes: no row for `.single()`, a page past the end. */
const expectedRestCodes = new Set(["PGRST116", "PGRST103"]);

interface ErrorBody {
  code?: unknown;
  error_code?: unknown;
  error?: unknown;
  hint?: unknown;
  message?: unknown;
  msg?: unknown;
  error_description?: unknown;
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * A fetch for supabase-js that logs every failed answer of the database (PostgREST) and the auth service with its
 * code, through the request's logger, so the line carries the request id. A code the app has no sentence for (an
 * unknown SQLSTATE, a PostgREST fault) is a warning; a 5xx or a failed connection is an error; known refusals
 * (a workflow rule, wrong credentials) are debug lines. The caller still gets the answer unchanged.
 */
export function loggingFetch(logger: Logger, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const service = url.pathname.startsWith("/auth/")
      ? "auth"
      : url.pathname.startsWith("/rest/")
        ? "database"
        : "supabase";
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      logger.error({ err: error, service, method, path: url.pathname }, `${service} request failed`);
      throw error;
    }
    if (response.status >= 400) await logFailure(logger, response, { service, method, path: url.pathname });
    return response;
  };
}

async function logFailure(
  logger: Logger,
  response: Response,
  where: { service: string; method: string; path: string },
): Promise<void> {
  let body: ErrorBody = {};
  try {
    body = (await response.clone().json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const code = text(body.error_code) ?? text(body.code) ?? text(body.error);
  const hint = text(body.hint);
  const message = text(body.message) ?? text(body.msg) ?? text(body.error_description);
  const fields = { ...where, status: response.status, code, hint, message };
  const known =
    where.service === "auth"
      ? code !== undefined && expectedAuthCodes.has(code)
      : (hint !== undefined && translatedDbCodes.has(hint)) || (code !== undefined && expectedRestCodes.has(code));
  if (response.status >= 500) logger.error(fields, `${where.service} error ${code ?? response.status}`);
  else if (!known) logger.warn(fields, `${where.service} error ${code ?? response.status} has no translated message`);
  else logger.debug(fields, `${where.service} refused: ${hint ?? code}`);
}
