import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { isProcessAlive, waitForExit } from "../../server/embedded/processes";
import { readPid, readSecrets, startServer, type RunningServer } from "../support/server-process";

const started: RunningServer[] = [];
const dataDirs: string[] = [];

function newDataDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "an-process-"));
  dataDirs.push(dir);
  return dir;
}

async function start(options: Parameters<typeof startServer>[0]) {
  const server = await startServer(options);
  started.push(server);
  return server;
}

function childPids(dataDir: string) {
  return {
    postgres: readPid(path.join(dataDir, "pg", "postmaster.pid")),
    postgrest: readPid(path.join(dataDir, "postgrest.pid")),
  };
}

function client(server: RunningServer) {
  return createClient(server.url, readSecrets(server.dataDir).anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
}

/** Live children of a process, read from /proc (no procps needed). */
function childProcessesOf(parent: number): string[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(fields[1]) === parent ? [stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))] : [];
      } catch {
        return [];
      }
    });
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop("SIGTERM")));
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// Each test starts one or two real servers (PostgreSQL, PostgREST, the app): on a busy 2-core machine that takes far
// longer than the 30 s default, so these tests wait for the servers' own deadlines instead (issue 11).
describe("the server process", { timeout: 600_000 }, () => {
  it("stops every child on SIGTERM and keeps the data for the next start", async () => {
    const dataDir = newDataDir();
    const first = await start({ dataDir });
    expect(first.output()).toContain("Loaded demo data");
    expect(first.output()).toContain("SUPABASE_ANON_KEY=");
    const { postgres, postgrest } = childPids(dataDir);
    expect(postgres && isProcessAlive(postgres)).toBe(true);
    expect(postgrest && isProcessAlive(postgrest)).toBe(true);
    const signUp = await client(first).auth.signUp({ email: "kept@test.local", password: "kept-password" });
    expect(signUp.error).toBeNull();

    expect(await first.stop("SIGTERM")).toBe(0);
    expect(isProcessAlive(postgres!)).toBe(false);
    expect(isProcessAlive(postgrest!)).toBe(false);

    const second = await start({ dataDir });
    expect(second.output()).not.toContain("Loaded demo data");
    expect(second.output()).not.toContain("Applied");
    const demo = await client(second).auth.signInWithPassword({ email: "chair@demo.local", password: "demo-password" });
    expect(demo.error).toBeNull();
    const kept = await client(second).auth.signInWithPassword({ email: "kept@test.local", password: "kept-password" });
    expect(kept.error?.code).toBe("email_not_confirmed");
    expect(await second.stop("SIGTERM")).toBe(0);
  });

  it("leaves no child behind when killed with SIGKILL, and starts again on the same data", async () => {
    const dataDir = newDataDir();
    const first = await start({ dataDir });
    const children = childPids(dataDir);
    await first.stop("SIGKILL");
    expect(await waitForExit(children.postgrest!, 10_000)).toBe(true);
    expect(await waitForExit(children.postgres!, 20_000)).toBe(true);
    const second = await start({ dataDir, pgPort: first.pgPort });
    const health = (await (await fetch(`${second.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: "ok",
      mode: "embedded",
      services: { database: "up", rest: "up", auth: "up", collab: "up" },
    });
    expect(health.collab).toEqual({
      documents: 0,
      connections: 0,
      pendingWrites: 0,
      persistenceLagMs: 0,
      droppedUpdates: 0,
    });
    expect(await second.stop("SIGTERM")).toBe(0);
  });

  it("refuses a second server on the same data directory with one clear line", async () => {
    const dataDir = newDataDir();
    const first = await start({ dataDir });
    const second = await start({ dataDir, waitForHealthy: false });
    expect(await second.exited).toBe(1);
    expect(second.output().trim()).toMatch(
      /^Cannot start: Another Accelerator Network server \(pid \d+\) is using .+$/,
    );
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  });

  it("reports a port already in use in one line, without a stack trace", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const server = await start({ dataDir: newDataDir(), port, waitForHealthy: false });
      expect(await server.exited).toBe(1);
      expect(server.output().trim()).toBe(
        `Cannot start: Port ${port} on 127.0.0.1 is already in use; stop what uses it or set PORT.`,
      );
    } finally {
      blocker.close();
    }
  });

  it("names the missing variable when Supabase project mode is half configured", async () => {
    const server = await start({
      dataDir: newDataDir(),
      env: { SUPABASE_URL: "https://example.supabase.co", SUPABASE_ANON_KEY: "x".repeat(40) },
      waitForHealthy: false,
    });
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toMatch(
      /^Cannot start: Supabase project mode needs .*; missing: SUPABASE_SERVICE_ROLE_KEY, SUPABASE_JWT_SECRET, DATABASE_URL\./,
    );
  });

  it("runs in Supabase project mode against an existing stack, starting nothing of its own", async () => {
    const embedded = await start({ dataDir: newDataDir() });
    const secrets = readSecrets(embedded.dataDir);
    const project = await start({
      dataDir: newDataDir(),
      env: {
        SUPABASE_URL: embedded.url,
        SUPABASE_ANON_KEY: secrets.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: secrets.serviceRoleKey,
        SUPABASE_JWT_SECRET: secrets.jwtSecret,
        DATABASE_URL: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${embedded.pgPort}/postgres`,
      },
    });
    expect(await (await fetch(`${project.url}/healthz`)).json()).toMatchObject({
      status: "ok",
      mode: "project",
      services: { database: "up", rest: "up", auth: "up", collab: "up" },
    });
    // Nothing embedded: no child processes, no data written, no Supabase endpoints of its own.
    expect(childProcessesOf(project.child.pid!)).toEqual([]);
    // The same check sees the embedded server's children (PostgreSQL's and PostgREST's watchdog shells).
    expect(childProcessesOf(embedded.child.pid!)).toEqual(["sh", "sh"]);
    expect(existsSync(path.join(project.dataDir, "pg"))).toBe(false);
    expect((await fetch(`${project.url}/rest/v1/countries`)).status).toBe(404);
    // A person signs in through the project-mode app, against the project's auth.
    const signIn = await fetch(`${project.url}/sign-in`, {
      method: "POST",
      body: new URLSearchParams({ email: "reviewer@demo.local", password: "demo-password", redirectTo: "/home" }),
      headers: { origin: project.url },
      redirect: "manual",
    });
    expect(signIn.status).toBe(302);
    const cookie = signIn.headers
      .getSetCookie()
      .map((line) => line.split(";")[0])
      .join("; ");
    const home = await (await fetch(`${project.url}/home`, { headers: { cookie } })).text();
    expect(home).toContain("Welcome, Rafael Moreno");
    expect(await project.stop("SIGTERM")).toBe(0);
    expect(await embedded.stop("SIGTERM")).toBe(0);
  });
});
