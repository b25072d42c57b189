import { existsSync } from "node:fs";
import type { Server } from "node:http";
import type { Duplex } from "node:stream";
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
import { coalesceFlushes, compressResponses, precompressedAssets } from "./compression.js";

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
  const lifecycle = new ServerLifecycle(collab);
  /** Serves the collaboration server's WebSockets (/collab/plan.<id>) on the app's own HTTP server. */
  const attach = (server: Server) => {
    server.on("upgrade", (req, socket, head) => {
      // Draining: a reconnecting client is sent on (a load balancer retries another server on 503).
      if (lifecycle.phase === "draining" && collab.handles(req)) return refuseUpgrade(socket);
      if (collab.handles(req)) void collab.handleUpgrade(req, socket, head);
      else if (!development) socket.destroy();
    });
  };
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustProxy ?? false);
  // Before anything else: every request counts until its response ends, so a drain waits for all of them.
  app.use(lifecycle.countRequests);
  // First, so every answer (even a refusal below) has its X-Request-Id and its log line.
  app.use(requestLogger(logger));
  app.use(securityHeaders({ siteUrl, contentSecurityPolicy: !development }));
  app.use(compressResponses());
  app.use(coalesceFlushes());

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

  // For a load balancer (issue 19): alive means the process answers (no I/O, so a busy database never gets a live
  // server restarted); ready means it should get traffic: started, not draining, its services reachable.
  app.get("/healthz/live", (_req, res) => {
    res.setHeader("cache-control", "no-store");
    res.json({ status: "alive" });
  });
  app.get("/healthz/ready", (_req, res, next) => {
    void (async () => {
      res.setHeader("cache-control", "no-store");
      if (lifecycle.phase !== "ready") {
        res.status(503).json({ status: lifecycle.phase });
        return;
      }
      const services = { ...(await stack.health()), collab: await collab.health() };
      const ready = Object.values(services).every((state) => state === "up") && lifecycle.phase === "ready";
      res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "unavailable", services });
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
    return {
      app,
      attach,
      lifecycle,
      close: async () => void (await Promise.all([vite.close(), collab.close()])),
    };
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
  return { app, attach, lifecycle, close: () => collab.close() };
}

/**
 * Where this server is in its life, for readiness and the drain on SIGTERM (issue 19): "starting" until the entry
 * has it listening, "ready", then "draining" (not ready, new collaboration sockets refused, open ones closed with
 * 1001, in-flight requests finished) until it exits.
 */
export class ServerLifecycle {
  phase: "starting" | "ready" | "draining" = "starting";
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly collab: Pick<CollabServer, "goAway">) {}

  readonly countRequests: express.RequestHandler = (_req, res, next) => {
    this.inFlight += 1;
    res.once("close", () => {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
    next();
  };

  ready(): void {
    if (this.phase === "starting") this.phase = "ready";
  }

  /** SIGTERM: readiness answers 503 and new collaboration sockets are refused; requests are still served. */
  startDraining(): void {
    this.phase = "draining";
  }

  /** Closes the open collaboration sockets with 1001 (going away) so their clients reconnect elsewhere. */
  closeSockets(): void {
    this.collab.goAway();
  }

  /** Resolves once no HTTP request is in progress (upgraded sockets are not requests). */
  requestsFinished(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}

function refuseUpgrade(socket: Duplex): void {
  socket.on("error", () => undefined);
  const reason = "server going away";
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`,
  );
}

/** Remix's handler passes its own failures to `next` (it catches them); Express 4 ignores the promise it returns. */
function expressHandler(handler: RemixRequestHandler): express.RequestHandler {
  return (req, res, next) => void handler(req, res, next);
}
