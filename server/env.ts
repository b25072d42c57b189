import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

/** The five variables that switch the product from its embedded stack to a Supabase project. */
export const projectVariables = [
  "SUPABASE_URL",
  "SUPABASE_ANON_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
  "SUPABASE_JWT_SECRET",
  "DATABASE_URL",
] as const;

const flag = z
  .enum(["true", "false", "1", "0", "on", "off"])
  .transform((value) => value === "true" || value === "1" || value === "on");

const port = z.coerce.number().int().min(0).max(65535);

const proxyPresets = ["loopback", "linklocal", "uniquelocal"];
const isProxyAddress = (entry: string) => {
  if (proxyPresets.includes(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
};

/**
 * Which proxies' X-Forwarded-* headers to believe, as Express's `trust proxy` takes it: a hop count, or a comma-
 * separated list of addresses, CIDR ranges and `loopback`/`linklocal`/`uniquelocal`. Unset: trust nobody, so nobody
 * picks their own address for the per-address sign-in limit. `true` (trust everyone) is refused for that reason.
 */
export const trustProxySetting = z
  .string()
  .trim()
  .transform((value, context): number | string[] => {
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const bad = entries.filter((entry) => !isProxyAddress(entry));
    if (entries.length === 0 || bad.length > 0) {
      context.addIssue({
        code: "custom",
        message: `expected a hop count or addresses/CIDRs (or loopback, linklocal, uniquelocal); not ${bad.join(", ") || "empty"}`,
      });
      return z.NEVER;
    }
    return entries;
  });

/** pino's levels; `debug` also shows PostgreSQL's and PostgREST's own output (server/embedded/stack.ts). */
export const logLevel = z.enum(["silent", "fatal", "error", "warn", "info", "debug", "trace"]);
export type LogLevel = z.infer<typeof logLevel>;

const commonSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(3000),
  /** The origin people open in their browser; mail links point here. */
  SITE_URL: z.url().optional(),
  AUTH_EMAIL_CONFIRM: flag.default(true),
  AUTH_JWT_EXPIRY_SECONDS: z.coerce.number().int().min(30).max(604800).default(3600),
  AUTH_SIGN_IN_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(120),
  AUTH_FAILED_SIGN_INS_PER_EMAIL: z.coerce.number().int().min(1).default(10),
  AUTH_EMAIL_REQUESTS_PER_IP: z.coerce.number().int().min(1).default(30),
  LOG_LEVEL: logLevel.default("info"),
  TRUST_PROXY: trustProxySetting.optional(),
  /** Mail delivery; unset in embedded mode means the local outbox, shown at /dev/mail. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
    .optional(),
  MAIL_FROM: z.string().min(3).default("Accelerator Network <no-reply@accelerator-network.local>"),
  /** The hour (0-23, in each reader's own time zone) from which the daily digest of notifications is sent. */
  DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  /** Collaboration limits; unset means the defaults in server/collab/collab-server.ts. Tests lower them. */
  COLLAB_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).optional(),
  COLLAB_MESSAGES_PER_SECOND: z.coerce.number().positive().optional(),
  COLLAB_CONNECTIONS_PER_DOCUMENT: z.coerce.number().int().min(1).optional(),
  COLLAB_IDLE_UNLOAD_MS: z.coerce.number().int().min(1).optional(),
  /** SIGTERM: how long to keep serving while /healthz/ready answers 503, so a load balancer stops sending traffic. */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(300_000).default(0),
});

const embeddedSchema = commonSchema.extend({
  DATA_DIR: z.string().min(1).default("./.data"),
  PG_PORT: port.default(54322),
  /** Lets clients ask PostgREST for query plans (Accept: application/vnd.pgrst.plan); for benchmarks only. */
  REST_QUERY_PLANS: flag.default(false),
});

const projectSchema = commonSchema.extend({
  SUPABASE_URL: z.url(),
  SUPABASE_ANON_KEY: z.string().min(20),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20),
  SUPABASE_JWT_SECRET: z.string().min(32),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
  /** Set by `npm run serve` joining a local embedded stack: without SMTP_URL, mail goes to that stack's outbox table. */
  MAIL_OUTBOX: flag.default(false),
  /** Set by `npm run serve` joining a local embedded stack: the token its auth service believes forwarded addresses by. */
  EMBEDDED_FORWARDING_TOKEN: z.string().min(32).optional(),
});

export type EmbeddedEnv = z.infer<typeof embeddedSchema> & { mode: "embedded"; SITE_URL: string };
export type ProjectEnv = z.infer<typeof projectSchema> & { mode: "project"; SITE_URL: string };
export type ServerEnv = EmbeddedEnv | ProjectEnv;

export class EnvError extends Error {
  override name = "EnvError";
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`).join("; ");
}

/**
 * Parses the environment once at start. Any project variable switches to project mode, which then needs all five,
 * so a half-configured deployment fails loudly instead of silently starting an embedded database.
 */
export function parseServerEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const present = projectVariables.filter((name) => (source[name] ?? "") !== "");
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  if (present.length > 0) {
    const missing = projectVariables.filter((name) => !present.includes(name));
    if (missing.length > 0) {
      throw new EnvError(
        `Supabase project mode needs ${projectVariables.join(", ")}; missing: ${missing.join(", ")}. ` +
          "Unset them all to use the embedded stack.",
      );
    }
    const parsed = projectSchema.safeParse(cleaned);
    if (!parsed.success) throw new EnvError(`Invalid environment: ${describeIssues(parsed.error)}`);
    const siteUrl = parsed.data.SITE_URL ?? `http://localhost:${parsed.data.PORT}`;
    return { ...parsed.data, mode: "project", SITE_URL: siteUrl };
  }
  const parsed = embeddedSchema.safeParse(cleaned);
  if (!parsed.success) throw new EnvError(`Invalid environment: ${describeIssues(parsed.error)}`);
  const siteUrl = parsed.data.SITE_URL ?? `http://localhost:${parsed.data.PORT}`;
  return { ...parsed.data, DATA_DIR: path.resolve(parsed.data.DATA_DIR), mode: "embedded", SITE_URL: siteUrl };
}
