import { existsSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { createRequestHandler, type RequestHandler as RemixRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { proxyTo, requireApiKey } from "./gateway.js";
import type { Stack } from "./stack.js";
import { CollabServer, type CollabLimits, type CollabLogger } from "./collab/collab-server.js";
import { authRequestGuard } from "./embedded/auth/request-guard.js";
import { StartupError } from "./embedded/startup-error.js";
import { isLocalClient } from "./client-address.js";
import { logger as processLogger, requestLogger, type Logger } from "./logger.js";
import { requireSameOrigin } from "./same-origin.js";
import { securityHeaders } from "./security-headers.js";
import { compressResponses, precompressedAssets } from "./compression.js";

const projectRoot = path.resolve(import.meta.dirname, "..");

export interface HttpAppOptions {
  stack: Stack;
  development: boolean;
  siteUrl: string;
  /** The process's logger (server/logger.ts); each request gets a child of it carrying its id. */
  logger?: Logger;
  collabLimits?: Partial<CollabLimits>;
  /** The collaboration server's logger (pino-compatible); by default its lines go to `log`. */
  collabLogger?: CollabLogger;
  /** Express's `trust proxy` (TRUST_PROXY); undefined trusts no proxy, so X-Forwarded-For is ignored. */
  trustProxy?: number | string[];
  /** Proves to the embedded auth service that a loopback call (with the client's address) comes from our app. */
  forwardingToken?: string;
}

/** Everything on one origin: health, the Supabase gateway (embedded mode) and the Remix app. */
export async function createHttpApp({
  stack,
  development,
  siteUrl,
  logger = processLogger,
  collabLimits,
  collabLogger,
  trustProxy,
  forwardingToken,
}: HttpAppOptions) {
  const collabLog = logger.child({ component: "collab" });
  const collab = new CollabServer({
    databaseUrl: stack.databaseUrl,
    jwtSecret: stack.jwtSecret,
    siteUrl,
    // Its messages are failures it survives (a bad message, a lost listener): warnings, not errors.
    logger: collabLogger ?? collabLog,
    limits: collabLimits,
  });
  await collab.start();
  /** Serves the collaboration server's WebSockets (/collab/plan.<id>) on the app's own HTTP server. */
  const attach = (server: Server) => {
    server.on("upgrade", (req, socket, head) => {
      if (collab.handles(req)) void collab.handleUpgrade(req, socket, head);
      else if (!development) socket.destroy();
    });
  };
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustProxy ?? false);
  // First, so every answer (even a refusal below) has its X-Request-Id and its log line.
  app.use(requestLogger(logger));
  app.use(securityHeaders({ siteUrl, contentSecurityPolicy: !development }));
  app.use(compressResponses());

  app.get("/healthz", (_req, res, next) => {
    // Express 4 ignores a handler's promise: a failure goes to `next`, never unhandled.
    void (async () => {
      const services = { ...(await stack.health()), collab: await collab.health() };
      const healthy = Object.values(services).every((state) => state === "up");
      res
        .status(healthy ? 200 : 503)
        .json({ status: healthy ? "ok" : "degraded", mode: stack.mode, services, collab: collab.metrics() });
    })().catch(next);
  });

  if (stack.embedded) {
    const apiKeys = [stack.anonKey, stack.serviceRoleKey];
    app.get("/auth/v1/health", (_req, res) => res.json({ name: "embedded-auth" }));
    // Bodies are checked (size, encoding, depth) before anything else reads them.
    app.use("/auth/v1", authRequestGuard({ forwardingToken }));
    // As Supabase's gateway does, the routes a browser opens from a mail or an OAuth button need no API key.
    const authRouter = stack.embedded.authRouter;
    const openAuthRoutes = new Set(["/verify", "/authorize", "/callback"]);
    app.use("/auth/v1", (req, res, next) =>
      req.method === "GET" && openAuthRoutes.has(req.path) ? authRouter(req, res, next) : next(),
    );
    app.use("/auth/v1", requireApiKey(apiKeys), authRouter);
    app.use("/rest/v1", requireApiKey(apiKeys), proxyTo(stack.embedded.restUrl));
  }

  // Everything below is the Remix app (pages, actions, resource routes): cookie-authenticated, so CSRF-guarded.
  app.use(requireSameOrigin(siteUrl));

  const loadContext = (req: express.Request, res: express.Response) => ({
    mailOutbox: stack.embedded?.outbox ?? null,
    mailer: stack.mailer,
    clientIp: req.ip,
    clientIsLocal: isLocalClient(req.ip, req.headers),
    collab,
    cspNonce: res.locals.cspNonce as string | undefined,
    // Always a string: server/logger.ts generates it (genReqId).
    requestId: req.id as string,
    logger: req.log,
  });

  if (development) {
    const vite = await import("vite").then((module) =>
      module.createServer({ server: { middlewareMode: true }, root: projectRoot }),
    );
    app.use(vite.middlewares);
    app.all(
      "*",
      expressHandler(
        createRequestHandler({
          build: () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
          getLoadContext: loadContext,
        }),
      ),
    );
    return { app, attach, close: async () => void (await Promise.all([vite.close(), collab.close()])) };
  }

  const serverBuild = path.join(projectRoot, "build", "server", "index.js");
  if (!existsSync(serverBuild))
    throw new StartupError("No production build found; run `npm run build` (npm start does).");
  // Hashed assets, precompressed at build time (scripts/precompress.ts); the rest of the client build below.
  app.use("/assets", precompressedAssets(path.join(projectRoot, "build", "client", "assets")));
  app.use(
    "/assets",
    express.static(path.join(projectRoot, "build", "client", "assets"), { immutable: true, maxAge: "1y" }),
  );
  app.use(express.static(path.join(projectRoot, "build", "client"), { maxAge: "1h" }));
  const build = (await import(serverBuild)) as ServerBuild;
  app.all("*", expressHandler(createRequestHandler({ build, getLoadContext: loadContext })));
  return { app, attach, close: () => collab.close() };
}

/** Remix's handler passes its own failures to `next` (it catches them); Express 4 ignores the promise it returns. */
function expressHandler(handler: RemixRequestHandler): express.RequestHandler {
  return (req, res, next) => void handler(req, res, next);
}
