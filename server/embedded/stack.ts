import { existsSync, promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { EmbeddedEnv } from "../env.js";
import type { Logger } from "../logger.js";
import type { Stack } from "../stack.js";
import { AuthStore } from "./auth/store.js";
import { createAuthRouter } from "./auth/router.js";
import { TokenSigner } from "./auth/tokens.js";
import { assertPortFree } from "./free-port.js";
import { MailOutbox } from "./mail-outbox.js";
import { createMailer } from "../mailer.js";
import { NotificationMailer } from "../notification-mailer.js";
import { ReminderJob } from "../reminders.js";
import { applyMigrations, seedIfEmpty } from "./migrations.js";
import { EmbeddedPostgres, loadPostgresBinaries } from "./postgres.js";
import { startPostgrestOnFreePorts, type Postgrest } from "./postgrest.js";
import { isProcessAlive, processName, waitForExit } from "./processes.js";
import { loadOrCreateSecrets } from "./secrets.js";
import { removeStackDescriptor } from "./stack-descriptor.js";
import { StartupError } from "./startup-error.js";

const projectRoot = path.resolve(import.meta.dirname, "..", "..");
export const migrationsDir = path.join(projectRoot, "supabase", "migrations");
export const seedFile = path.join(projectRoot, "supabase", "seed.sql");
const bootstrapFile = path.join(import.meta.dirname, "supabase-bootstrap.sql");

/** Shapes the database as a Supabase project is shaped, then applies our migrations; returns those applied. */
export async function prepareDatabase(client: pg.Client, authenticatorPassword: string): Promise<string[]> {
  await client.query("select set_config('embedded.authenticator_password', $1, false)", [authenticatorPassword]);
  await client.query(await fs.readFile(bootstrapFile, "utf8"));
  return applyMigrations(client, migrationsDir);
}

/** What the start-up needs of the logger (server/logger.ts); structural, so tests may pass their own. */
export type StartLog = Pick<Logger, "info" | "warn" | "debug" | "child">;

/**
 * One server per DATA_DIR. A live owner is reported; children orphaned by a crashed owner (SIGKILL leaves them
 * running) are stopped, so the next start never fights over the data directory.
 */
async function claimDataDir(dataDir: string, log: StartLog): Promise<void> {
  const ownerFile = path.join(dataDir, "server.pid");
  if (existsSync(ownerFile)) {
    const owner = Number(readFileSync(ownerFile, "utf8").trim());
    if (
      owner !== process.pid &&
      Number.isInteger(owner) &&
      isProcessAlive(owner) &&
      /node|tsx/.test(processName(owner) ?? "")
    ) {
      throw new StartupError(
        `Another Accelerator Network server (pid ${owner}) is using ${dataDir}; stop it first or set DATA_DIR.`,
      );
    }
    const postgrestPidFile = path.join(dataDir, "postgrest.pid");
    if (existsSync(postgrestPidFile)) {
      const pid = Number(readFileSync(postgrestPidFile, "utf8").trim());
      if (isProcessAlive(pid) && processName(pid) === "postgrest") {
        log.info({ pid }, "Stopping PostgREST left by a previous run");
        process.kill(pid, "SIGKILL");
        await waitForExit(pid, 5000);
      }
    }
    const lockFile = path.join(dataDir, "pg", "postmaster.pid");
    if (existsSync(lockFile)) {
      const pid = Number(readFileSync(lockFile, "utf8").split("\n")[0]);
      if (isProcessAlive(pid) && processName(pid) === "postgres") {
        log.info({ pid }, "Stopping PostgreSQL left by a previous run");
        process.kill(pid, "SIGINT");
        if (!(await waitForExit(pid, 20_000)))
          throw new StartupError(`PostgreSQL (pid ${pid}) from a previous run did not stop; stop it by hand.`);
      }
    }
  }
  await fs.writeFile(ownerFile, String(process.pid));
}

export async function startEmbeddedStack(env: EmbeddedEnv, log: StartLog): Promise<Stack> {
  await fs.mkdir(env.DATA_DIR, { recursive: true });
  // Claim first: stopping a crashed run's orphaned PostgreSQL is what frees PG_PORT.
  await claimDataDir(env.DATA_DIR, log);
  await assertPortFree(env.HOST, env.PORT, "PORT");
  await assertPortFree("127.0.0.1", env.PG_PORT, "PG_PORT");

  const secrets = await loadOrCreateSecrets(env.DATA_DIR);
  const postgresLog = log.child({ component: "postgres" });
  const postgres = new EmbeddedPostgres(await loadPostgresBinaries(), {
    dataDir: path.join(env.DATA_DIR, "pg"),
    port: env.PG_PORT,
    superuserPassword: secrets.postgresPassword,
    // PostgreSQL's and PostgREST's own output: shown under LOG_LEVEL=debug, as lines of their component.
    log: (line) => postgresLog.debug(line),
  });
  const created = await postgres.initialiseIfMissing();
  if (created) log.info({ dir: path.join(env.DATA_DIR, "pg") }, "Created a new database");
  await postgres.start();

  let postgrest: Postgrest | undefined;
  let pool: pg.Pool | undefined;
  let mailer: NotificationMailer | undefined;
  let reminders: ReminderJob | undefined;
  const stop = async () => {
    await mailer?.stop();
    await reminders?.stop();
    await postgrest?.stop();
    await pool?.end().catch(() => undefined);
    await postgres.stop();
    await removeStackDescriptor(env.DATA_DIR);
    await fs.rm(path.join(env.DATA_DIR, "postgrest.pid"), { force: true });
    await fs.rm(path.join(env.DATA_DIR, "server.pid"), { force: true });
  };

  try {
    const client = new pg.Client({ connectionString: postgres.connectionString });
    await client.connect();
    try {
      const applied = await prepareDatabase(client, secrets.authenticatorPassword);
      if (applied.length > 0) log.info({ migrations: applied }, `Applied ${applied.length} migration(s)`);
      if (await seedIfEmpty(client, seedFile)) log.info("Loaded demo data into the new database");
    } finally {
      await client.end();
    }

    const postgrestLog = log.child({ component: "postgrest" });
    postgrest = await startPostgrestOnFreePorts({
      dbUri: `postgres://authenticator:${encodeURIComponent(secrets.authenticatorPassword)}@127.0.0.1:${env.PG_PORT}/postgres`,
      jwtSecret: secrets.jwtSecret,
      queryPlans: env.REST_QUERY_PLANS,
      log: (line) => postgrestLog.debug(line),
    });
    await fs.writeFile(path.join(env.DATA_DIR, "postgrest.pid"), String(postgrest.pid));

    pool = new pg.Pool({ connectionString: postgres.connectionString, max: 10 });
    pool.on("error", (error) => log.debug({ component: "pool", err: error }, "idle database connection failed"));
    const outbox = new MailOutbox(pool);
    const delivery = createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, outbox })!;
    const mailLog = log.child({ component: "notification-mailer" });
    mailer = new NotificationMailer(pool, delivery, env.SITE_URL, (message) => mailLog.warn(message), {
      digestHour: env.DIGEST_HOUR,
    });
    mailer.start();
    reminders = new ReminderJob(pool, (message) => mailLog.warn(message));
    reminders.start();
    const supabaseUrl = env.SITE_URL;
    const authRouter = createAuthRouter({
      store: new AuthStore(pool),
      outbox: delivery,
      signer: new TokenSigner(secrets.jwtSecret, `${supabaseUrl}/auth/v1`, env.AUTH_JWT_EXPIRY_SECONDS),
      siteUrl: env.SITE_URL,
      serviceRoleKey: secrets.serviceRoleKey,
      anonKey: secrets.anonKey,
      emailConfirmRequired: env.AUTH_EMAIL_CONFIRM,
      signInAttemptsPerIp: env.AUTH_SIGN_IN_ATTEMPTS_PER_IP,
      failedSignInsPerEmail: env.AUTH_FAILED_SIGN_INS_PER_EMAIL,
      emailRequestsPerIp: env.AUTH_EMAIL_REQUESTS_PER_IP,
    });
    const databaseUp = async () => {
      try {
        await pool!.query("select 1");
        return true;
      } catch {
        return false;
      }
    };
    const restUrl = postgrest.url;
    const rest = postgrest;
    return {
      mode: "embedded",
      supabaseUrl,
      anonKey: secrets.anonKey,
      serviceRoleKey: secrets.serviceRoleKey,
      jwtSecret: secrets.jwtSecret,
      databaseUrl: postgres.connectionString,
      embedded: { authRouter, restUrl, outbox },
      mailer: delivery,
      async health() {
        const [database, restReady] = await Promise.all([databaseUp(), rest.isReady()]);
        // The auth service runs in this process; it is up exactly when it can reach its database.
        return { database: database ? "up" : "down", rest: restReady ? "up" : "down", auth: database ? "up" : "down" };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
