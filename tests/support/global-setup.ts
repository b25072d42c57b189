import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { readSecrets, startServer, type RunningServer } from "./server-process";

export interface TestStack {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  databaseUrl: string;
  dataDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    stack: TestStack;
  }
}

let server: RunningServer | undefined;
let dataDir: string | undefined;

/** One real stack for the integration and end-to-end tests; each test builds its own users and data on it. */
export async function setup(project: TestProject) {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "an-test-"));
  server = await startServer({
    dataDir,
    env: { AUTH_SIGN_IN_ATTEMPTS_PER_IP: "100000", AUTH_EMAIL_REQUESTS_PER_IP: "100000", LOG_LEVEL: "error" },
  });
  const secrets = readSecrets(dataDir);
  project.provide("stack", {
    url: server.url,
    anonKey: secrets.anonKey,
    serviceRoleKey: secrets.serviceRoleKey,
    jwtSecret: secrets.jwtSecret,
    databaseUrl: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${server.pgPort}/postgres`,
    dataDir,
  });
}

export async function teardown() {
  const code = await server?.stop();
  // For debugging: TEST_SERVER_OUTPUT=1 prints what the shared server logged.
  if (process.env.TEST_SERVER_OUTPUT) console.log(server?.output());
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (code !== 0 && code !== undefined) throw new Error(`test server exited with ${code}:\n${server?.output()}`);
}
