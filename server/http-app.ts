import { existsSync } from "node:fs";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { proxyTo, requireApiKey } from "./gateway.js";
import type { Stack } from "./stack.js";
import { StartupError } from "./embedded/startup-error.js";

const projectRoot = path.resolve(import.meta.dirname, "..");

export interface HttpAppOptions {
  stack: Stack;
  development: boolean;
}

/** Everything on one origin: health, the Supabase gateway (embedded mode) and the Remix app. */
export async function createHttpApp({ stack, development }: HttpAppOptions) {
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
    const services = await stack.health();
    const healthy = Object.values(services).every((state) => state === "up");
    res.status(healthy ? 200 : 503).json({ status: healthy ? "ok" : "degraded", mode: stack.mode, services });
  });

  if (stack.embedded) {
    const apiKeys = [stack.anonKey, stack.serviceRoleKey];
    app.get("/auth/v1/health", (_req, res) => res.json({ name: "embedded-auth" }));
    app.use("/auth/v1", requireApiKey(apiKeys), stack.embedded.authRouter);
    app.use("/rest/v1", requireApiKey(apiKeys), proxyTo(stack.embedded.restUrl));
  }

  const loadContext = (req: express.Request) => ({ mailOutbox: stack.embedded?.outbox ?? null, mailer: stack.mailer, clientIp: req.ip });

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
    return { app, close: () => vite.close() };
  }

  const serverBuild = path.join(projectRoot, "build", "server", "index.js");
  if (!existsSync(serverBuild)) throw new StartupError("No production build found; run `npm run build` (npm start does).");
  app.use("/assets", express.static(path.join(projectRoot, "build", "client", "assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(projectRoot, "build", "client"), { maxAge: "1h" }));
  const build = (await import(serverBuild)) as ServerBuild;
  app.all("*", createRequestHandler({ build, getLoadContext: loadContext }));
  return { app, close: async () => undefined };
}
