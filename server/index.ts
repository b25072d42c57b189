import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { EnvError, parseServerEnv } from "./env.js";
import { startEmbeddedStack } from "./embedded/stack.js";
import { writeStackDescriptor } from "./embedded/stack-descriptor.js";
import { StartupError } from "./embedded/startup-error.js";
import type { ServerLifecycle } from "./http-app.js";
import { logger } from "./logger.js";
import { connectProjectStack } from "./project-stack.js";
import type { Stack } from "./stack.js";

const serverBuildPath = path.resolve(import.meta.dirname, "..", "build", "server", "index.js");

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
  // Loading the app's modules (Express, Remix, supabase-js, the server build) is seconds of CPU on a small machine:
  // start it now, so that it overlaps PostgreSQL and PostgREST starting in their own processes (issue 14: a current
  // checkout must be healthy in 5 s). http-app imports the same build later, from the module cache.
  const httpAppModule = import("./http-app.js");
  httpAppModule.catch(() => undefined); // awaited below, after the stack; a failure there is reported there
  if (!development) import(serverBuildPath).catch(() => undefined); // a missing build is reported by http-app

  const stack: Stack =
    env.mode === "embedded" ? await startEmbeddedStack(env, logger) : connectProjectStack(env, logger);
  // The app reads its Supabase settings from the environment in both modes; embedded mode supplies them here.
  // Server-side calls go over loopback to this same process.
  const internalHost = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
  process.env.SUPABASE_URL = env.mode === "embedded" ? `http://${internalHost}:${env.PORT}` : stack.supabaseUrl;
  // The app's server-side reads go straight to the embedded PostgREST (app/lib/supabase.server.ts).
  process.env.EMBEDDED_REST_URL = stack.embedded?.restUrl ?? "";
  process.env.SUPABASE_ANON_KEY = stack.anonKey;
  process.env.SUPABASE_SERVICE_ROLE_KEY = stack.serviceRoleKey;
  process.env.SITE_URL = env.SITE_URL;
  process.env.APP_MODE = stack.mode;
  // The app's server-side auth calls carry the browser's address; this token makes the auth service believe it.
  // A server joined to a local embedded stack (`npm run serve`) uses that stack's token; a Supabase project has none.
  const forwardingToken =
    env.mode === "embedded" ? randomBytes(32).toString("base64url") : env.EMBEDDED_FORWARDING_TOKEN;
  process.env.AUTH_FORWARDING_TOKEN = forwardingToken ?? "";

  let server: Server;
  let closeApp: () => Promise<void>;
  let lifecycle: ServerLifecycle;
  try {
    const collabLimits = {
      maxMessageBytes: env.COLLAB_MAX_MESSAGE_BYTES,
      messagesPerSecond: env.COLLAB_MESSAGES_PER_SECOND,
      connectionsPerDocument: env.COLLAB_CONNECTIONS_PER_DOCUMENT,
      idleUnloadMs: env.COLLAB_IDLE_UNLOAD_MS,
    };
    const { createHttpApp } = await httpAppModule;
    const created = await createHttpApp({
      stack,
      development,
      siteUrl: env.SITE_URL,
      logger,
      trustProxy: env.TRUST_PROXY,
      forwardingToken,
      // Unset variables keep the defaults (an explicit undefined would override them in the spread).
      collabLimits: Object.fromEntries(Object.entries(collabLimits).filter(([, value]) => value !== undefined)),
    });
    closeApp = created.close;
    lifecycle = created.lifecycle;
    server = await listen(created.app, env.HOST, env.PORT);
    created.attach(server);
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
      logger.error("shutdown took longer than 30 s after draining; exiting anyway");
      process.exit(1);
    }, 30_000 + env.SHUTDOWN_DRAIN_MS);
    // Draining (issue 19): /healthz/ready answers 503 and new collaboration sockets are refused at once; requests are
    // still served for SHUTDOWN_DRAIN_MS, the time a load balancer takes to notice and send traffic elsewhere.
    lifecycle.startDraining();
    if (env.SHUTDOWN_DRAIN_MS > 0) await new Promise((resolve) => setTimeout(resolve, env.SHUTDOWN_DRAIN_MS));
    // Then stop accepting, send open collaboration sockets on (1001: their clients reconnect to another server) and
    // let the requests in progress finish.
    server.close();
    lifecycle.closeSockets();
    await lifecycle.requestsFinished();
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
    `Ready in ${Math.round(performance.now() - startedAt)} ms. Health: ${env.SITE_URL}/healthz (load balancers: /healthz/ready, /healthz/live)`,
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
      forwardingToken: forwardingToken!,
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
  lifecycle.ready();
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
