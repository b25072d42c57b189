import type { AppLoadContext } from "@remix-run/node";
import { createServerClient, parseCookieHeader, serializeCookieHeader } from "@supabase/ssr";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import type { Database } from "./database.types";
import { getAppEnv } from "./env.server";
import { loggingFetch } from "./supabase-errors.server";

/** What a per-request client takes from the load context (server/http-app.ts). */
export type RequestClientContext = Pick<AppLoadContext, "clientIp" | "requestId" | "logger">;

/**
 * Every call made for a request carries its id (X-Request-Id), so the gateway's, PostgREST's and the auth service's
 * lines for it can be found from the app's; failed answers are logged through the request's logger.
 */
function requestGlobals(context: RequestClientContext, { withForwardingToken }: { withForwardingToken: boolean }) {
  const headers: Record<string, string> = { "X-Request-Id": context.requestId };
  // The auth service rate-limits sign-ins per client address; tell it whose request this is (the embedded one
  // believes it only with the token, see server/embedded/auth/request-guard.ts).
  if (context.clientIp) {
    headers["x-forwarded-for"] = context.clientIp;
    if (withForwardingToken) Object.assign(headers, forwardingHeader());
  }
  return { headers, fetch: loggingFetch(context.logger) };
}

/**
 * A new Supabase client per request, carrying the signed-in person's session from the cookies, so RLS decides
 * what they see. Cookies the client refreshes are collected in `headers` for the response.
 */
export function createSupabaseServerClient(request: Request, context: RequestClientContext) {
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
    global: requestGlobals(context, { withForwardingToken: true }),
  });
  return { supabase, headers };
}

/**
 * The embedded stack's token that the server entry puts in the environment: its own in embedded mode, the stack's in
 * a server joined to it (`npm run serve`); empty, so never sent, against a Supabase project.
 */
function forwardingHeader(): Record<string, string> {
  const token = process.env.AUTH_FORWARDING_TOKEN;
  return token ? { "x-embedded-forwarding-token": token } : {};
}

export type SupabaseServerClient = ReturnType<typeof createSupabaseServerClient>["supabase"];

/**
 * For the calls that mail a link (sign-up, magic link, recovery). @supabase/ssr always asks for PKCE, and a PKCE
 * link works only in the browser whose cookie holds the code verifier; our mails link to /auth/confirm with a token
 * hash instead (Supabase's SSR recommendation, as supabase/templates do), which works wherever it is opened. So
 * these calls go without PKCE. The client holds no session.
 */
export function createSupabaseLinkMailClient(context: RequestClientContext) {
  const env = getAppEnv();
  return createClient<Database>(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { flowType: "implicit", persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
    global: requestGlobals(context, { withForwardingToken: false }),
  });
}

export type SupabaseLinkMailClient = ReturnType<typeof createSupabaseLinkMailClient>;
