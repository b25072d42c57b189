import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { z } from "zod";
import type { Database } from "./database.types";

/**
 * The only place the service-role key is read. It bypasses RLS, so it is used only where a person's own rights
 * cannot apply (creating another person's account); the caller's right to ask is checked before, by RLS. Its calls
 * carry the request's id (X-Request-Id) like every per-request client, so the auth service's log lines match.
 */
export function createSupabaseAdminClient(requestId: string) {
  if (typeof document !== "undefined") throw new Error("the service-role client must never reach the browser");
  const env = z.object({ SUPABASE_URL: z.url(), SUPABASE_SERVICE_ROLE_KEY: z.string().min(20) }).parse(process.env);
  return createClient<Database>(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { headers: { "X-Request-Id": requestId } },
    realtime: { transport: WebSocket as never },
  });
}
