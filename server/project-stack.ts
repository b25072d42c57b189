import pg from "pg";
import type { ProjectEnv } from "./env.js";
import type { Logger } from "./logger.js";
import { MailOutbox } from "./embedded/mail-outbox.js";
import { createMailer } from "./mailer.js";
import { ReminderJob } from "./reminders.js";
import { NotificationMailer } from "./notification-mailer.js";
import type { ServiceState, Stack } from "./stack.js";

async function probe(check: () => Promise<boolean>): Promise<ServiceState> {
  try {
    return (await check()) ? "up" : "down";
  } catch {
    return "down";
  }
}

/** Supabase project mode: nothing is started; health asks the project's own services. */
export function connectProjectStack(env: ProjectEnv, log: Logger): Stack {
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
  pool.on("error", (error) => log.debug({ component: "pool", err: error }, "idle database connection failed"));
  const headers = { apikey: env.SUPABASE_ANON_KEY };
  // Supabase mails sign-in links itself; our notifications need SMTP_URL, or they stay in-app only. A server that
  // joined a local embedded stack (`npm run serve`, MAIL_OUTBOX) writes to that stack's outbox instead.
  const outbox = env.MAIL_OUTBOX ? new MailOutbox(pool) : undefined;
  const mailer = createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, outbox });
  const notifications = mailer
    ? new NotificationMailer(
        pool,
        mailer,
        env.SITE_URL,
        (message) => log.warn({ component: "notification-mailer" }, message),
        { digestHour: env.DIGEST_HOUR },
      )
    : undefined;
  notifications?.start();
  // Reminders are in-app notifications first, so they run with or without SMTP (issue 15).
  const reminders = new ReminderJob(pool, (message) => log.warn({ component: "reminders" }, message));
  reminders.start();
  return {
    mode: "project",
    supabaseUrl: env.SUPABASE_URL.replace(/\/$/, ""),
    anonKey: env.SUPABASE_ANON_KEY,
    serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
    jwtSecret: env.SUPABASE_JWT_SECRET,
    databaseUrl: env.DATABASE_URL,
    mailer,
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
      await notifications?.stop();
      await reminders.stop();
      await pool.end();
    },
  };
}
