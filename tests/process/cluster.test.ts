import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { CollabClose } from "~/lib/collab-protocol";
import { startCluster, type Cluster } from "../support/cluster";
import {
  buildPlanOnServer,
  openRawSocket,
  planDocumentUrl,
  sessionHeaders,
  upgradeStatus,
  waitFor,
} from "../support/collab";
import { projectRoot, startServer } from "../support/server-process";

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** Posts one server's own sign-in form, from `client` (X-Forwarded-For, believed under TRUST_PROXY=loopback). */
function postSignIn(url: string, email: string, password: string, client = "192.0.2.10") {
  return fetch(`${url}/sign-in`, {
    method: "POST",
    body: new URLSearchParams({ email, password, redirectTo: "/home" }),
    headers: { origin: url, "x-forwarded-for": client },
    redirect: "manual",
  });
}

/** Signs in through one server's own sign-in form; returns the session cookie it set. */
async function signIn(url: string, email: string): Promise<string> {
  const response = await postSignIn(url, email, "demo-password");
  expect(response.status).toBe(302);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

async function status(url: string): Promise<{ status: number; body: { status: string } }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as { status: string } };
}

/**
 * A POST whose body is held back: resolves once the server has taken the request in (it answered the
 * `Expect: 100-continue`, which Node does as it hands the request to the app); `finish()` sends the rest.
 */
function heldRequest(url: string) {
  const body = new URLSearchParams({ email: "reviewer@demo.local", password: "demo-password", redirectTo: "/home" });
  const bytes = Buffer.from(body.toString());
  const request = http.request(`${url}/sign-in`, {
    method: "POST",
    headers: {
      origin: url,
      "content-type": "application/x-www-form-urlencoded",
      "content-length": bytes.length,
      expect: "100-continue",
    },
  });
  const response = new Promise<number>((resolve, reject) => {
    request.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    request.on("error", reject);
  });
  const taken = new Promise<void>((resolve) => request.once("continue", () => resolve()));
  request.flushHeaders();
  return {
    taken,
    response,
    finish: () => request.end(bytes),
  };
}

async function health(url: string) {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: (await response.json()) as { mode: string; status: string } };
}

// Three processes on a busy 2-core machine: the servers' own start deadlines (180 s each) bound these tests.
describe("several app servers on one stack (issue 19)", { timeout: 900_000 }, () => {
  it("`npm run serve` joins a running stack; a session made on one server works on the others", async () => {
    cluster = await startCluster({
      servers: 2,
      env: { TRUST_PROXY: "loopback" },
      stackEnv: { AUTH_FAILED_SIGN_INS_PER_EMAIL: "3" },
    });
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

    // The auth service's limits are one set of counters (in the stack's process) whichever server a person uses:
    // failures through server A block that client on server B too, and only that client (joined servers forward
    // the person's address with the stack's token, as the first server does).
    const [a, b] = [cluster.url(0), cluster.url(1)];
    for (let attempt = 0; attempt < 3; attempt += 1)
      expect((await postSignIn(a, "coordinator@demo.local", "wrong-password", "203.0.113.7")).status).toBe(400);
    const blocked = await postSignIn(b, "coordinator@demo.local", "demo-password", "203.0.113.7");
    expect(blocked.status).toBe(400);
    expect((await postSignIn(b, "coordinator@demo.local", "demo-password", "198.51.100.9")).status).toBe(302);
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

  it("mails each notification exactly once with three servers sending from one outbox", async () => {
    // The stack's own server and both joined servers run the notification mailer against the same rows. All the
    // mails fall due in one statement, so the three mailers claim at the same moments.
    cluster = await startCluster({ servers: 2 });
    const db = new pg.Client({ connectionString: cluster.stack.databaseUrl });
    await db.connect();
    try {
      const tag = randomUUID().slice(0, 8);
      const count = 150;
      await db.query(
        `insert into auth.users (id, email, aud, role, email_confirmed_at, created_at)
         select gen_random_uuid(), 'once-' || $1 || '-' || n || '@example.org', 'authenticated', 'authenticated', now(), now()
         from generate_series(1, $2) n`,
        [tag, count],
      );
      const { rows: created } = await db.query<{ entity_id: string }>(
        `insert into public.notifications (recipient_id, kind, entity_type, entity_id)
         select u.id, 'eoi_validated', 'eoi', gen_random_uuid() from auth.users u where u.email like 'once-' || $1 || '-%'
         returning entity_id::text`,
        [tag],
      );
      const entities = created.map((row) => row.entity_id);
      expect(entities).toHaveLength(count);
      await waitFor(
        async () =>
          (
            await db.query<{ count: string }>(
              "select count(*) from public.notifications where entity_id = any($1::uuid[]) and mail_state = 'sent'",
              [entities],
            )
          ).rows[0]!.count === String(count),
        180_000,
        "every notification to be mailed",
      );
      const { rows } = await db.query<{ entity_id: string; mails: string }>(
        `select n.entity_id::text, (select count(*) from embedded.mail_outbox o where o.text_body like '%' || n.entity_id || '%') as mails
         from public.notifications n where n.entity_id = any($1::uuid[])`,
        [entities],
      );
      expect(rows.filter((row) => row.mails !== "1")).toEqual([]);
      const { rows: total } = await db.query<{ count: string }>(
        "select count(*) from embedded.mail_outbox where to_email like $1",
        [`once-${tag}-%`],
      );
      expect(total[0]!.count).toBe(String(count));
    } finally {
      await db.end();
    }
  });

  it("reports liveness apart from readiness, and drains on SIGTERM without dropping a request in progress", async () => {
    cluster = await startCluster({ servers: 2, env: { SHUTDOWN_DRAIN_MS: "15000" } });
    const [a, b] = [cluster.url(0), cluster.url(1)];
    expect(await status(`${a}/healthz/live`)).toEqual({ status: 200, body: { status: "alive" } });
    expect(await status(`${a}/healthz/ready`)).toMatchObject({ status: 200, body: { status: "ready" } });
    expect((await status(`${a}/healthz`)).status).toBe(200);

    const plan = await buildPlanOnServer(cluster.stack);
    const [token] = plan.editorTokens;
    const socket = openRawSocket(a, plan.planId, token);
    await socket.opened;
    await socket.access;

    const exited = cluster.kill(0, "SIGTERM");
    // Draining: not ready, still alive, still serving; new collaboration sockets go to another server.
    await waitFor(async () => (await status(`${a}/healthz/ready`)).status === 503, 60_000, "readiness to drop");
    expect(await status(`${a}/healthz/ready`)).toEqual({ status: 503, body: { status: "draining" } });
    expect((await status(`${a}/healthz/live`)).status).toBe(200);
    expect(await upgradeStatus(planDocumentUrl(a, plan.planId), sessionHeaders(a, token))).toBe(503);
    expect(await upgradeStatus(planDocumentUrl(b, plan.planId), sessionHeaders(b, token))).toBe(101);
    expect((await status(`${b}/healthz/ready`)).status).toBe(200);
    const inFlight = heldRequest(a);
    await inFlight.taken;

    // After the drain period: the open socket is told "going away", and no new connection is accepted...
    expect(await socket.closed).toMatchObject({ code: CollabClose.goingAway });
    await expect(fetch(`${a}/healthz/live`)).rejects.toThrow();
    // ...but the request already in progress is answered in full before the process exits.
    inFlight.finish();
    expect(await inFlight.response).toBe(302);
    expect(await exited).toBe(0);
    expect((await status(`${b}/healthz/ready`)).status).toBe(200);
  });
});
