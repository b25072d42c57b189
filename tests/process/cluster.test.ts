import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/cluster";
import { projectRoot, startServer } from "../support/server-process";

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** Signs in through one server's own sign-in form; returns the session cookie it set. */
async function signIn(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/sign-in`, {
    method: "POST",
    body: new URLSearchParams({ email, password: "demo-password", redirectTo: "/home" }),
    headers: { origin: url },
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

async function health(url: string) {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: (await response.json()) as { mode: string; status: string } };
}

// Three processes on a busy 2-core machine: the servers' own start deadlines (180 s each) bound these tests.
describe("several app servers on one stack (issue 19)", { timeout: 900_000 }, () => {
  it("`npm run serve` joins a running stack; a session made on one server works on the others", async () => {
    cluster = await startCluster({ servers: 2 });
    for (const i of [0, 1]) {
      expect(await health(cluster.url(i))).toMatchObject({ status: 200, body: { status: "ok", mode: "project" } });
      expect(cluster.servers[i]!.output()).toContain("Joining the stack in");
    }
    // The cookie carries the whole session (no server keeps it in memory): server B reads what server A set.
    const cookie = await signIn(cluster.url(0), "reviewer@demo.local");
    for (const url of [cluster.url(1), cluster.stack.url]) {
      const home = await fetch(`${url}/home`, { headers: { cookie }, redirect: "manual" });
      expect(home.status).toBe(200);
      expect(await home.text()).toContain("Welcome, Rafael Moreno");
    }
    // Without the cookie the same page sends people to sign in: the check above is the session, not an open page.
    expect((await fetch(`${cluster.url(1)}/home`, { redirect: "manual" })).status).toBe(302);
  });

  it("kills, restarts and stops servers one by one while the others keep serving", async () => {
    cluster = await startCluster({ servers: 3 });
    expect(await cluster.kill(1, "SIGKILL")).toBeNull();
    await expect(fetch(`${cluster.url(1)}/healthz`)).rejects.toThrow();
    expect((await health(cluster.url(0))).status).toBe(200);
    expect((await health(cluster.url(2))).status).toBe(200);
    await cluster.restart(1);
    expect((await health(cluster.url(1))).status).toBe(200);
    expect(await cluster.kill(2, "SIGTERM")).toBe(0);
    expect((await health(cluster.url(0))).status).toBe(200);
    const codes = await cluster.stop();
    cluster = undefined;
    expect(codes).toEqual({ servers: [0, 0, 0], stack: 0 });
  });

  it("`npm run serve` says plainly when no stack runs in DATA_DIR", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-serve-"));
    try {
      const server = await startServer({
        dataDir,
        entry: path.join(projectRoot, "scripts", "serve.ts"),
        waitForHealthy: false,
      });
      expect(await server.exited).toBe(1);
      expect(server.output().trim()).toBe(
        `Cannot start: No running stack found in ${dataDir}; start one with \`npm start\` (or set DATA_DIR).`,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
