import pg from "pg";
import type { ProjectEnv } from "./env.js";
import type { ServiceState, Stack } from "./stack.js";

async function probe(check: () => Promise<boolean>): Promise<ServiceState> {
  try {
    return (await check()) ? "up" : "down";
  } catch {
    return "down";
  }
}

/** Supabase project mode: nothing is started; health asks the project's own services. */
export function connectProjectStack(env: ProjectEnv): Stack {
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
  pool.on("error", () => undefined);
  const headers = { apikey: env.SUPABASE_ANON_KEY };
  return {
    mode: "project",
    supabaseUrl: env.SUPABASE_URL.replace(/\/$/, ""),
    anonKey: env.SUPABASE_ANON_KEY,
    serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
    jwtSecret: env.SUPABASE_JWT_SECRET,
    databaseUrl: env.DATABASE_URL,
    async health() {
      const timeout = () => AbortSignal.timeout(3000);
      const [database, rest, auth] = await Promise.all([
        probe(async () => (await pool.query("select 1")).rowCount === 1),
        probe(async () => (await fetch(`${env.SUPABASE_URL}/rest/v1/`, { headers, signal: timeout() })).status < 500),
        probe(async () => (await fetch(`${env.SUPABASE_URL}/auth/v1/health`, { headers, signal: timeout() })).ok),
      ]);
      return { database, rest, auth };
    },
    async stop() {
      await pool.end();
    },
  };
}
