import { Writable } from "node:stream";
import { createClient } from "@supabase/supabase-js";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Database } from "../../app/lib/database.types";
import { loggingFetch } from "../../app/lib/supabase-errors.server";
import { createLogger } from "../../server/logger";
import { buildUser, stack } from "../support/supabase";

/** A pino logger whose JSON lines are kept in memory, to read back what was logged. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), lines };
}

/** A client as the app builds one per request (app/lib/supabase.server.ts): its fetch logs failed answers. */
async function loggingClient() {
  const { logger, lines } = capturedLogger();
  const user = await buildUser(["applicant"]);
  const session = (await user.client.auth.getSession()).data.session!;
  const client = createClient<Database>(stack().url, stack().anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
    global: { fetch: loggingFetch(logger), headers: { Authorization: `Bearer ${session.access_token}` } },
  });
  return { client, lines };
}

describe("failed database answers are logged with their code", () => {
  it("logs an unknown SQLSTATE as a warning naming the code, and still hands the error to the caller", async () => {
    const { client, lines } = await loggingClient();
    // 42703 (undefined column): a code the app has no sentence for.
    const { data, error } = await client.from("calls").select("no_such_column");
    expect(data).toBeNull();
    expect(error?.code).toBe("42703");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      service: "database",
      code: "42703",
      status: 400,
      path: "/rest/v1/calls",
    });
    expect(lines[0]?.msg).toContain("42703");
  });

  it("logs a refusal the app translates (a stable code in the hint) at debug only", async () => {
    const { client, lines } = await loggingClient();
    // An applicant may not close a call: the database refuses with its stable code.
    const { error } = await client.rpc("close_call", { call: crypto.randomUUID() });
    expect(error?.hint).toBe("not_allowed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 20, service: "database", hint: error?.hint });
  });

  it("logs nothing for a successful answer", async () => {
    const { client, lines } = await loggingClient();
    expect((await client.from("calls").select("id").limit(1)).error).toBeNull();
    expect(lines).toEqual([]);
  });
});
