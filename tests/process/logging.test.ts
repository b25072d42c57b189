import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { readSecrets, startServer, type RunningServer } from "../support/server-process";

let server: RunningServer | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-logging-"));

afterAll(async () => {
  await server?.stop("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
});

/** The server's structured lines (JSON objects); the banner's plain lines are skipped. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function superuser<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const password = encodeURIComponent(readSecrets(dataDir).postgresPassword);
  const client = new pg.Client({
    connectionString: `postgres://postgres:${password}@127.0.0.1:${server!.pgPort}/postgres`,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function signIn(email: string): Promise<string> {
  const response = await fetch(`${server!.url}/sign-in`, {
    method: "POST",
    body: new URLSearchParams({ email, password: "demo-password", redirectTo: "/home" }),
    headers: { origin: server!.url },
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

/** Waits for the server to have written the lines a condition looks for (stdout arrives in chunks). */
async function waitForLines(condition: (lines: Record<string, unknown>[]) => boolean) {
  const deadline = Date.now() + 30_000;
  while (!condition(logLines(server!.output()))) {
    if (Date.now() > deadline) throw new Error(`the expected lines never came:\n${server!.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return logLines(server!.output());
}

// One real server of its own (its database gets a privilege revoked): slow to start on a busy machine (issue 11).
describe("the server's logs", { timeout: 600_000 }, () => {
  it("writes JSON lines, keeps the banner plain and shows PostgreSQL's own output under LOG_LEVEL=debug", async () => {
    server = await startServer({ dataDir, env: { LOG_LEVEL: "debug" } });
    const output = server.output();
    expect(output).toContain("\nDemo accounts, all with password demo-password:\n");
    expect(output).toMatch(/^ {2}applicant {8}applicant@demo\.local$/m);
    const lines = logLines(output);
    expect(lines.some((line) => line.component === "postgres" && line.level === 20)).toBe(true);
    expect(lines.find((line) => line.msg === "Loaded demo data into the new database")).toMatchObject({ level: 30 });
  });

  it("answers a database error with the error page, logged with its code and the request's id end to end", async () => {
    const callId = await superuser(
      async (db) => (await db.query<{ id: string }>("select id from public.calls limit 1")).rows[0]!.id,
    );
    const cookie = await signIn("coordinator@demo.local");
    const before = await fetch(`${server!.url}/calls/${callId}`, { headers: { cookie, "x-request-id": "probe-ok" } });
    expect(before.status).toBe(200);
    expect(before.headers.get("x-request-id")).toBe("probe-ok");

    // The coordinator's call page lists every organisation; make that one read fail in the database.
    await superuser((db) => db.query("revoke select on public.organisations from authenticated"));
    try {
      const page = await fetch(`${server!.url}/calls/${callId}`, { headers: { cookie, "x-request-id": "probe-db" } });
      expect(page.status).toBe(500);
      expect(page.headers.get("x-request-id")).toBe("probe-db");
      expect(await page.text()).toContain("Something went wrong");
      // Other pages still work: the failure is that read's alone (the notifications page reads no organisation; the
      // home page's to-do list now does).
      expect((await fetch(`${server!.url}/notifications`, { headers: { cookie } })).status).toBe(200);

      const lines = await waitForLines((all) =>
        all.some(
          (line) =>
            line.reqId === "probe-db" && (line.req as { path?: string } | undefined)?.path === `/calls/${callId}`,
        ),
      );
      const forRequest = lines.filter((line) => line.reqId === "probe-db");
      const path = (line: Record<string, unknown>) => (line.req as { path?: string } | undefined)?.path;
      // The app's supabase-js call carried the id: the gateway logged its /rest/v1 request under it.
      expect(forRequest.find((line) => path(line) === "/rest/v1/organisations")).toMatchObject({
        res: { statusCode: 403 },
      });
      // The failed answer, with its SQLSTATE (42501: permission denied, no sentence for it): a warning.
      expect(forRequest.find((line) => line.service === "database")).toMatchObject({
        level: 40,
        code: "42501",
        path: "/rest/v1/organisations",
      });
      // The loader's failure, with its code, at error; and the request itself answered 500, at error.
      expect(forRequest.find((line) => line.err !== undefined && line.res === undefined)).toMatchObject({
        level: 50,
        err: { code: "42501", what: "organisations" },
      });
      expect(forRequest.find((line) => path(line) === `/calls/${callId}`)).toMatchObject({
        level: 50,
        res: { statusCode: 500 },
      });
      // Nothing for the good request was logged as an error.
      expect(lines.filter((line) => line.reqId === "probe-ok" && (line.level as number) >= 50)).toEqual([]);
    } finally {
      await superuser((db) => db.query("grant select on public.organisations to authenticated"));
    }
  });
});
