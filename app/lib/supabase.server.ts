import { createServerClient, parseCookieHeader, serializeCookieHeader } from "@supabase/ssr";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import type { Database } from "./database.types";
import { getAppEnv } from "./env.server";

/**
 * A new Supabase client per request, carrying the signed-in person's session from the cookies, so RLS decides
 * what they see. Cookies the client refreshes are collected in `headers` for the response.
 */
export function createSupabaseServerClient(request: Request, clientIp?: string) {
  const env = getAppEnv();
  const headers = new Headers();
  const secure = env.SITE_URL.startsWith("https:");
  const supabase = createServerClient<Database>(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    cookies: {
      getAll: () =>
        parseCookieHeader(request.headers.get("cookie") ?? "").map(({ name, value }) => ({ name, value: value ?? "" })),
      setAll: (cookies) => {
        for (const { name, value, options } of cookies) {
          headers.append(
            "set-cookie",
            serializeCookieHeader(name, value, { ...options, sameSite: "lax", httpOnly: true, secure }),
          );
        }
      },
    },
    // Node 20 has no global WebSocket; supabase-js builds its realtime client eagerly.
    realtime: { transport: WebSocket as never },
    // The auth service rate-limits sign-ins per client address; tell it whose request this is (the embedded one
    // believes it only with the token, see server/embedded/auth/request-guard.ts).
    global: clientIp ? { headers: { "x-forwarded-for": clientIp, ...forwardingHeader() } } : undefined,
  });
  return { supabase, headers };
}

/** Embedded mode only: the per-process token the server entry puts in the environment; never sent to a project. */
function forwardingHeader(): Record<string, string> {
  const token = process.env.AUTH_FORWARDING_TOKEN;
  return token && getAppEnv().APP_MODE === "embedded" ? { "x-embedded-forwarding-token": token } : {};
}

export type SupabaseServerClient = ReturnType<typeof createSupabaseServerClient>["supabase"];

/**
 * For the calls that mail a link (sign-up, magic link, recovery). @supabase/ssr always asks for PKCE, and a PKCE
 * link works only in the browser whose cookie holds the code verifier; our mails link to /auth/confirm with a token
 * hash instead (Supabase's SSR recommendation, as supabase/templates do), which works wherever it is opened. So
 * these calls go without PKCE. The client holds no session.
 */
export function createSupabaseLinkMailClient(clientIp?: string) {
  const env = getAppEnv();
  return createClient<Database>(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { flowType: "implicit", persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
    global: clientIp ? { headers: { "x-forwarded-for": clientIp } } : undefined,
  });
}

export type SupabaseLinkMailClient = ReturnType<typeof createSupabaseLinkMailClient>;
