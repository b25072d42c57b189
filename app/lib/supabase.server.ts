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
  // The embedded gateway is this same process over loopback: compressing its JSON there and inflating it here cost
  // CPU on every read and saved nothing (issue 14), so ask for it as it is. A Supabase project's answers travel.
  if (getAppEnv().APP_MODE === "embedded") headers["Accept-Encoding"] = "identity";
  // The auth service rate-limits sign-ins per client address; tell it whose request this is (the embedded one
  // believes it only with the token, see server/embedded/auth/request-guard.ts).
  if (context.clientIp) {
    headers["x-forwarded-for"] = context.clientIp;
    if (withForwardingToken) Object.assign(headers, forwardingHeader());
  }
  return { headers, fetch: loggingFetch(context.logger, directRestFetch(context.logger)) };
}

/**
 * In embedded mode the gateway at `/rest/v1` is this same process, passing requests on to PostgREST on loopback. The
 * app's own reads go to PostgREST directly (issue 14): through the gateway every read crossed this process's HTTP
 * stack twice more (its server, logger, compressor and proxy), most of the server's work on a page such as the
 * queue, which makes seven reads. PostgREST still verifies the person's token and RLS still decides; the
 * forwarding token, meant for the auth service alone, is never passed on (as the gateway drops it). Each call is
 * logged as the gateway logged it: one line under the request's id, with its path and status.
 */
function directRestFetch(logger: RequestClientContext["logger"]): typeof fetch {
  const restUrl = process.env.EMBEDDED_REST_URL;
  if (!restUrl) return fetch;
  const prefix = `${getAppEnv().SUPABASE_URL.replace(/\/$/, "")}/rest/v1/`;
  return async (input, init) => {
    if (typeof input !== "string" || !input.startsWith(prefix)) return fetch(input, init);
    const headers = new Headers(init?.headers);
    headers.delete("x-embedded-forwarding-token");
    const started = performance.now();
    const response = await fetch(`${restUrl}/${input.slice(prefix.length)}`, { ...init, headers });
    if (logger.isLevelEnabled("info")) {
      const path = new URL(input).pathname;
      const responseTime = Math.round(performance.now() - started);
      logger.info(
        // `headersSent`: pino's `res` serializer keeps the status only for an answer already sent.
        {
          req: { method: init?.method ?? "GET", path },
          res: { statusCode: response.status, headersSent: true },
          responseTime,
        },
        "database request",
      );
    }
    return response;
  };
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
