import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { EnvError, parseServerEnv } from "./env.js";
import { startEmbeddedStack } from "./embedded/stack.js";
import { writeStackDescriptor } from "./embedded/stack-descriptor.js";
import { StartupError } from "./embedded/startup-error.js";
import { createHttpApp } from "./http-app.js";
import { logger } from "./logger.js";
import { connectProjectStack } from "./project-stack.js";
import type { Stack } from "./stack.js";

const demoAccounts = [
  ["applicant", "applicant@demo.local"],
  ["BDT reviewer", "reviewer@demo.local"],
  ["BDT coordinator", "coordinator@demo.local"],
  ["board member", "board@demo.local"],
  ["board chair", "chair@demo.local"],
] as const;

function listen(app: import("express").Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new StartupError(`Port ${port} on ${host} is already in use; stop what uses it or set PORT.`)
          : error,
      ),
    );
  });
}

async function main() {
  const startedAt = performance.now();
  const env = parseServerEnv();
  logger.level = env.LOG_LEVEL;
  const development = env.NODE_ENV === "development";

  const stack: Stack =
    env.mode === "embedded" ? await startEmbeddedStack(env, logger) : connectProjectStack(env, logger);
  // The app reads its Supabase settings from the environment in both modes; embedded mode supplies them here.
  // Server-side calls go over loopback to this same process.
  const internalHost = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
  process.env.SUPABASE_URL = env.mode === "embedded" ? `http://${internalHost}:${env.PORT}` : stack.supabaseUrl;
  process.env.SUPABASE_ANON_KEY = stack.anonKey;
  process.env.SUPABASE_SERVICE_ROLE_KEY = stack.serviceRoleKey;
  process.env.SITE_URL = env.SITE_URL;
  process.env.APP_MODE = stack.mode;
  // The app's server-side auth calls carry the browser's address; this token makes the auth service believe it.
  const forwardingToken = env.mode === "embedded" ? randomBytes(32).toString("base64url") : undefined;
  process.env.AUTH_FORWARDING_TOKEN = forwardingToken ?? "";

  let server: Server;
  let closeApp: () => Promise<void>;
  try {
    const collabLimits = {
      maxMessageBytes: env.COLLAB_MAX_MESSAGE_BYTES,
      messagesPerSecond: env.COLLAB_MESSAGES_PER_SECOND,
      connectionsPerDocument: env.COLLAB_CONNECTIONS_PER_DOCUMENT,
      idleUnloadMs: env.COLLAB_IDLE_UNLOAD_MS,
    };
    const { app, attach, close } = await createHttpApp({
      stack,
      development,
      siteUrl: env.SITE_URL,
      logger,
      trustProxy: env.TRUST_PROXY,
      forwardingToken,
      // Unset variables keep the defaults (an explicit undefined would override them in the spread).
      collabLimits: Object.fromEntries(Object.entries(collabLimits).filter(([, value]) => value !== undefined)),
    });
    closeApp = close;
    server = await listen(app, env.HOST, env.PORT);
    attach(server);
  } catch (error) {
    await stack.stop();
    throw error;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const force = setTimeout(() => {
      logger.error("shutdown took longer than 30 s; exiting anyway");
      process.exit(1);
    }, 30_000);
    server.close();
    // The collaboration server stores and compacts every open document before the database stops.
    await closeApp().catch((error: unknown) => logger.error({ err: error }, "closing the app failed"));
    server.closeAllConnections();
    await stack.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  const lines = [
    `Accelerator Network is running at ${env.SITE_URL} (${stack.mode} mode, ${development ? "development" : "production"})`,
    `Ready in ${Math.round(performance.now() - startedAt)} ms. Health: ${env.SITE_URL}/healthz`,
  ];
  if (env.mode === "embedded") {
    const supabaseEnv = `SUPABASE_URL=${env.SITE_URL}\nSUPABASE_ANON_KEY=${stack.anonKey}\n`;
    await fs.writeFile(path.join(env.DATA_DIR, "supabase.env"), supabaseEnv, { mode: 0o600 });
    // What `npm run serve` reads to start another app server on this stack (issue 19).
    const address = server.address();
    const listeningPort = typeof address === "object" && address ? address.port : env.PORT;
    await writeStackDescriptor(env.DATA_DIR, {
      pid: process.pid,
      supabaseUrl: `http://${internalHost}:${listeningPort}`,
      pgPort: env.PG_PORT,
    });
    lines.push(
      supabaseEnv.trimEnd(),
      `(also written to ${path.join(env.DATA_DIR, "supabase.env")})`,
      `Mail viewer (embedded mode only): ${env.SITE_URL}/dev/mail`,
      "Another app server on this stack: PORT=3001 npm run serve",
      "Demo accounts, all with password demo-password:",
      ...demoAccounts.map(([role, email]) => `  ${role.padEnd(16)} ${email}`),
    );
  }
  logger.info({ url: env.SITE_URL, mode: stack.mode, readyMs: Math.round(performance.now() - startedAt) }, "ready");
  // The banner is for the person who ran `npm start`: plain lines, whatever LOG_LEVEL says.
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  // A known start-up problem is one plain line for the person starting the server; anything else is a fault.
  if (error instanceof StartupError || error instanceof EnvError) {
    process.stderr.write(`Cannot start: ${error.message}\n`);
  } else {
    logger.fatal({ err: error }, "start failed");
  }
  process.exit(1);
});
