import type { IncomingMessage } from "node:http";
import { combineChunks, stringFromBase64URL } from "@supabase/ssr";
import { parse as parseCookies } from "cookie";
import { errors as joseErrors, jwtVerify } from "jose";
import type pg from "pg";
import { z } from "zod";
import { collabPath, planDocumentPrefix, type PlanAccessLevel } from "../../app/lib/collab-protocol.js";

export interface CollabPrincipal {
  userId: string;
  name: string;
  /** Seconds since the epoch at which the access token expires; the socket is closed then. */
  expiresAt: number;
}

export type UpgradeDecision =
  | { ok: true; planId: string; principal: CollabPrincipal; access: PlanAccessLevel }
  | { ok: false; status: 400 | 401 | 403 | 404; reason: string };

const documentPath = z
  .string()
  .regex(new RegExp(`^${collabPath}/${planDocumentPrefix.replace(".", "\\.")}[0-9a-f-]{36}$`))
  .transform((path) => path.slice(collabPath.length + 1 + planDocumentPrefix.length))
  .pipe(z.uuid());

const accessTokenClaims = z.object({ sub: z.uuid(), role: z.literal("authenticated"), exp: z.number() });
const storedSession = z.object({ access_token: z.string().min(1) });

/** The access token from `Authorization: Bearer` (Node clients) or the @supabase/ssr session cookie (browsers). */
export async function readAccessToken(req: IncomingMessage): Promise<string | null> {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice(7).trim() || null;
  const cookies = parseCookies(req.headers.cookie ?? "");
  const key = Object.keys(cookies)
    .map((name) => name.replace(/\.\d+$/, ""))
    .find((name) => /^sb-.+-auth-token$/.test(name));
  if (!key) return null;
  const raw = await combineChunks(key, (name) => cookies[name]);
  if (!raw) return null;
  try {
    const json = raw.startsWith("base64-") ? stringFromBase64URL(raw.slice("base64-".length)) : raw;
    const parsed = storedSession.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data.access_token : null;
  } catch {
    return null;
  }
}

/** Same-origin only: the site's configured origin or the origin of the host the request was sent to. */
export function isAllowedOrigin(req: IncomingMessage, siteOrigin: string): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (origin === siteOrigin) return true;
  const host = req.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

export interface AuthoriseOptions {
  pool: pg.Pool;
  jwtKey: Uint8Array;
  siteOrigin: string;
}

/** Everything is decided before the WebSocket opens: path, Origin, session, and the database's verdict. */
export async function authoriseUpgrade(req: IncomingMessage, options: AuthoriseOptions): Promise<UpgradeDecision> {
  const url = new URL(req.url ?? "/", "http://collab.invalid");
  const planId = documentPath.safeParse(url.pathname);
  if (!planId.success) return { ok: false, status: 400, reason: "bad document name" };
  if (!isAllowedOrigin(req, options.siteOrigin)) return { ok: false, status: 403, reason: "foreign origin" };
  const token = await readAccessToken(req);
  if (!token) return { ok: false, status: 401, reason: "no session" };
  let claims: z.infer<typeof accessTokenClaims>;
  try {
    const { payload } = await jwtVerify(token, options.jwtKey, { algorithms: ["HS256"] });
    claims = accessTokenClaims.parse(payload);
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    return { ok: false, status: 401, reason: expired ? "expired token" : "invalid token" };
  }
  const access = await checkPlanAccess(options.pool, [{ planId: planId.data, userId: claims.sub }]);
  const level = access[0];
  if (!level) return { ok: false, status: 403, reason: "no access to this plan" };
  const profile = await options.pool.query<{ name: string }>(
    "select coalesce(nullif(btrim(display_name), ''), split_part(email, '@', 1)) as name from public.profiles where id = $1",
    [claims.sub],
  );
  return {
    ok: true,
    planId: planId.data,
    access: level,
    principal: { userId: claims.sub, name: profile.rows[0]?.name ?? "", expiresAt: claims.exp },
  };
}

/** Asks the database (private.plan_access, as each person) what each person may do with each plan. */
export async function checkPlanAccess(
  pool: pg.Pool,
  pairs: { planId: string; userId: string }[],
): Promise<(PlanAccessLevel | null)[]> {
  if (pairs.length === 0) return [];
  const result = await pool.query<{ position: string; access: PlanAccessLevel | null }>(
    `select position, private.collab_plan_access(plan_id, user_id) as access
     from unnest($1::uuid[], $2::uuid[]) with ordinality as pairs (plan_id, user_id, position) order by position`,
    [pairs.map((pair) => pair.planId), pairs.map((pair) => pair.userId)],
  );
  return result.rows.map((row) => row.access);
}
