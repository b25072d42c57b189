import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import { AuthError } from "./errors.js";

/**
 * The PKCE flow as Supabase Auth (GoTrue) runs it for email links: /otp, /recover and /signup accept a
 * `code_challenge`; the mail link then goes to `/auth/v1/verify?token=pkce_…`, which redirects to the app with
 * `?code=`; `/token?grant_type=pkce` exchanges that code and the verifier for a session (`@supabase/ssr`'s default).
 */
export const PKCE_PREFIX = "pkce_";
/** GoTrue's default FLOW_STATE_EXPIRY_DURATION. */
export const FLOW_STATE_MAX_AGE_SECONDS = 300;

export type FlowAuthenticationMethod = "magiclink" | "recovery" | "email/signup" | "invite";

export interface PkceParams {
  codeChallenge: string;
  codeChallengeMethod: "s256" | "plain";
}

const codeChallengePattern = /^[a-zA-Z._~0-9-]+$/;

export const pkceErrors = {
  invalidParams: () =>
    new AuthError(400, "validation_failed", "PKCE flow requires code_challenge_method and code_challenge"),
  flowStateNotFound: () => new AuthError(404, "flow_state_not_found", "invalid flow state, no valid flow state found"),
  flowStateExpired: () => new AuthError(422, "flow_state_expired", "invalid flow state, flow state has expired"),
  badCodeVerifier: (message: string) => new AuthError(400, "bad_code_verifier", message),
  emptyGrant: () =>
    new AuthError(400, "validation_failed", "invalid request: both auth code and code verifier should be non-empty"),
};

/** GoTrue's validatePKCEParams: both or neither; 43–128 characters of the RFC 7636 alphabet. */
export function parsePkceParams(body: unknown): PkceParams | undefined {
  const record = (body ?? {}) as Record<string, unknown>;
  const challenge = typeof record.code_challenge === "string" ? record.code_challenge : "";
  const method = typeof record.code_challenge_method === "string" ? record.code_challenge_method : "";
  if ((challenge === "") !== (method === "")) throw pkceErrors.invalidParams();
  if (challenge === "") return undefined;
  if (challenge.length < 43 || challenge.length > 128) {
    throw new AuthError(400, "validation_failed", "code challenge has to be between 43 and 128 characters");
  }
  if (!codeChallengePattern.test(challenge)) {
    throw new AuthError(
      400,
      "validation_failed",
      "code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes",
    );
  }
  const normalised = method.toLowerCase();
  if (normalised !== "s256" && normalised !== "plain") {
    throw new AuthError(400, "validation_failed", `unsupported code_challenge method "${method}"`);
  }
  return { codeChallenge: challenge, codeChallengeMethod: normalised };
}

/** GoTrue's VerifyPKCEChallenge, with its messages. */
export function verifyCodeChallenge(challenge: string, method: string, verifier: string): string | undefined {
  const expected =
    method === "s256"
      ? createHash("sha256").update(verifier).digest("base64url")
      : method === "plain"
        ? verifier
        : undefined;
  if (expected === undefined) return "code challenge method not supported";
  const a = Buffer.from(challenge);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b)
    ? undefined
    : "code challenge does not match previously saved code verifier";
}

type Queryable = pg.Pool | pg.PoolClient;

interface FlowStateRow {
  id: string;
  user_id: string | null;
  code_challenge: string;
  code_challenge_method: "s256" | "plain";
  authentication_method: string;
  expired: boolean;
}

/** `auth.flow_state` rows, shaped like GoTrue's so a Supabase project's table means the same. */
export class FlowStateStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(userId: string, method: FlowAuthenticationMethod, params: PkceParams, db: Queryable = this.pool) {
    await db.query(
      `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
         authentication_method, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $6, now(), now())`,
      [randomUUID(), userId, randomUUID(), params.codeChallengeMethod, params.codeChallenge, method],
    );
  }

  /** The newest flow state of this user and method gets its code issued now (GoTrue's issueAuthCode). */
  async issueAuthCode(userId: string, method: FlowAuthenticationMethod, db: Queryable = this.pool) {
    const { rows } = await db.query<{ auth_code: string }>(
      `update auth.flow_state set auth_code_issued_at = now(), updated_at = now()
       where id = (select id from auth.flow_state where user_id = $1 and authentication_method = $2
                   order by created_at desc limit 1)
       returning auth_code`,
      [userId, method],
    );
    return rows[0]?.auth_code;
  }

  /** Locks the row, so one code is exchanged once even when two requests race. */
  async lockByAuthCode(authCode: string, db: pg.PoolClient): Promise<FlowStateRow | undefined> {
    const { rows } = await db.query<FlowStateRow>(
      `select id, user_id, code_challenge, code_challenge_method, authentication_method,
         now() > case when auth_code_issued_at is not null and authentication_method = 'magiclink'
                      then auth_code_issued_at else created_at end + make_interval(secs => $2) as expired
       from auth.flow_state where auth_code = $1 for update`,
      [authCode, FLOW_STATE_MAX_AGE_SECONDS],
    );
    return rows[0];
  }

  async delete(id: string, db: Queryable = this.pool) {
    await db.query("delete from auth.flow_state where id = $1", [id]);
  }
}

/**
 * GoTrue's redirect after a verify link: the PKCE code in the query; an error in the fragment, and for a PKCE
 * link in the query too (prepErrorRedirectURL).
 */
export function verifyRedirect(target: string, result: { code: string } | { error: AuthError }, pkce = true): string {
  const url = new URL(target);
  if ("code" in result) {
    url.searchParams.set("code", result.code);
    return url.toString();
  }
  const oauthError: Record<number, string> = {
    400: "invalid_request",
    401: "unauthorized_client",
    403: "access_denied",
    500: "server_error",
    503: "temporarily_unavailable",
  };
  const fragment = new URLSearchParams();
  const name = oauthError[result.error.status];
  if (name) {
    if (pkce) url.searchParams.set("error", name);
    fragment.set("error", name);
  }
  if (pkce) {
    url.searchParams.set("error_code", result.error.code);
    url.searchParams.set("error_description", result.error.message);
  }
  fragment.set("error_code", result.error.code);
  fragment.set("error_description", result.error.message);
  fragment.set("sb", "");
  url.hash = fragment.toString();
  return url.toString();
}
