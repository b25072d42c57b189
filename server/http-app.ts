import { existsSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { proxyTo, requireApiKey } from "./gateway.js";
import type { Stack } from "./stack.js";
import { CollabServer, type CollabLimits } from "./collab/collab-server.js";
import { StartupError } from "./embedded/startup-error.js";

const projectRoot = path.resolve(import.meta.dirname, "..");

export interface HttpAppOptions {
  stack: Stack;
  development: boolean;
  siteUrl: string;
  log?: (message: string) => void;
  collabLimits?: Partial<CollabLimits>;
}

/** Everything on one origin: health, the Supabase gateway (embedded mode) and the Remix app. */
export async function createHttpApp({ stack, development, siteUrl, log, collabLimits }: HttpAppOptions) {
  const collab = new CollabServer({
    databaseUrl: stack.databaseUrl,
    jwtSecret: stack.jwtSecret,
    siteUrl,
    log: log ?? ((line) => console.log(line)),
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
  app.set("trust proxy", "loopback");
  app.use((_req, res, next) => {
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "same-origin");
    res.setHeader("x-frame-options", "DENY");
    next();
  });

  app.get("/healthz", async (_req, res) => {
    const services = { ...(await stack.health()), collab: await collab.health() };
    const healthy = Object.values(services).every((state) => state === "up");
    res
      .status(healthy ? 200 : 503)
      .json({ status: healthy ? "ok" : "degraded", mode: stack.mode, services, collab: collab.metrics() });
  });

  if (stack.embedded) {
    const apiKeys = [stack.anonKey, stack.serviceRoleKey];
    app.get("/auth/v1/health", (_req, res) => res.json({ name: "embedded-auth" }));
    // As Supabase's gateway does, the routes a browser opens from a mail or an OAuth button need no API key.
    const authRouter = stack.embedded.authRouter;
    const openAuthRoutes = new Set(["/verify", "/authorize", "/callback"]);
    app.use("/auth/v1", (req, res, next) => (req.method === "GET" && openAuthRoutes.has(req.path) ? authRouter(req, res, next) : next()));
    app.use("/auth/v1", requireApiKey(apiKeys), authRouter);
    app.use("/rest/v1", requireApiKey(apiKeys), proxyTo(stack.embedded.restUrl));
  }

  const loadContext = (req: express.Request) => ({
    mailOutbox: stack.embedded?.outbox ?? null,
    mailer: stack.mailer,
    clientIp: req.ip,
    collab,
  });

  if (development) {
    const vite = await import("vite").then((module) =>
      module.createServer({ server: { middlewareMode: true }, root: projectRoot }),
    );
    app.use(vite.middlewares);
    app.all(
      "*",
      createRequestHandler({
        build: () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
        getLoadContext: loadContext,
      }),
    );
    return { app, attach, close: async () => void (await Promise.all([vite.close(), collab.close()])) };
  }

  const serverBuild = path.join(projectRoot, "build", "server", "index.js");
  if (!existsSync(serverBuild)) throw new StartupError("No production build found; run `npm run build` (npm start does).");
  app.use("/assets", express.static(path.join(projectRoot, "build", "client", "assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(projectRoot, "build", "client"), { maxAge: "1h" }));
  const build = (await import(serverBuild)) as ServerBuild;
  app.all("*", createRequestHandler({ build, getLoadContext: loadContext }));
  return { app, attach, close: () => collab.close() };
}
