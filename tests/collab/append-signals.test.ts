import pg from "pg";
import { describe, expect, it } from "vitest";
import { parseStoredSignals } from "../../server/collab/cluster-relay";
import { buildApplication, buildCast } from "../support/factories";
import { anonClient, serviceClient, stack, withDatabase } from "../support/supabase";

/*
 * private.append_plan_updates is every edit's way into the database, and its NOTIFY is how the other app servers
 * learn of it (cluster-relay.ts). A batch of one plan takes a shorter path than a batch of several (issue 14); both
 * must give ids in the batch's order and, per plan, the same "<plan> <previous> <last> <count>" signal.
 */

const edit = (text: string) => Buffer.from(text);

/** Runs `work` while listening to plan_updates_stored; resolves with the signals it caused. */
async function signalsOf<T>(work: (db: pg.Client) => Promise<T>) {
  const listener = new pg.Client({ connectionString: stack().databaseUrl });
  await listener.connect();
  const payloads: string[] = [];
  listener.on("notification", (message) => payloads.push(message.payload ?? ""));
  try {
    await listener.query("listen plan_updates_stored");
    const result = await withDatabase(work);
    // A notification is delivered at commit; one more round trip on the listener makes sure it has arrived.
    await listener.query("select 1");
    return { result, signals: payloads.flatMap((payload) => parseStoredSignals(payload)) };
  } finally {
    await listener.end();
  }
}

async function append(db: pg.Client, plans: string[], updates: Buffer[]): Promise<bigint[]> {
  const { rows } = await db.query<{ id: string }>(
    "select id from private.append_plan_updates($1::uuid[], $2::bytea[])",
    [plans, updates],
  );
  return rows.map((row) => BigInt(row.id));
}

const lastId = (plan: string) =>
  withDatabase(async (db) => {
    const { rows } = await db.query<{ id: string | null }>(
      "select max(id) as id from private.plan_updates where plan_id = $1",
      [plan],
    );
    return BigInt(rows[0]?.id ?? 0);
  });

describe("appending plan updates", () => {
  it("stores a one-plan batch in order and signals it once, with the plan's previous id", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    const previous = await lastId(plan);

    const { result: ids, signals } = await signalsOf((db) => append(db, [plan, plan, plan], ["a", "b", "c"].map(edit)));
    expect(ids).toHaveLength(3);
    expect([...ids].sort((x, y) => (x < y ? -1 : 1))).toEqual(ids);
    expect(signals).toEqual([{ planId: plan, previousId: previous, lastId: ids[2], count: 3 }]);
    const stored = await withDatabase((db) =>
      db.query<{ update: Buffer }>(`select "update" from private.plan_updates where id = any($1) order by id`, [
        ids.map(String),
      ]),
    );
    expect(stored.rows.map((row) => row.update.toString())).toEqual(["a", "b", "c"]);
  });

  it("signals each plan of a mixed batch as a one-plan batch would", async () => {
    const cast = await buildCast();
    const [first, second] = await Promise.all([
      buildApplication(cast, "draft", undefined, { fillPlan: false }),
      buildApplication(cast, "draft", undefined, { fillPlan: false }),
    ]);
    const plans = [first.plan, second.plan];
    const previous = await Promise.all(plans.map(lastId));

    const { result: ids, signals } = await signalsOf((db) =>
      append(db, [plans[1]!, plans[0]!, plans[1]!], ["x", "y", "z"].map(edit)),
    );
    expect(ids).toHaveLength(3);
    expect(ids[0]! < ids[1]! && ids[1]! < ids[2]!).toBe(true);
    const expected = [
      { planId: plans[0]!, previousId: previous[0]!, lastId: ids[1]!, count: 1 },
      { planId: plans[1]!, previousId: previous[1]!, lastId: ids[2]!, count: 2 },
    ].sort((a, b) => (a.planId < b.planId ? -1 : 1));
    expect(signals).toEqual(expected);
  });

  it("stores and signals nothing for an empty batch, and refuses plans and updates that do not pair up", async () => {
    const { result: ids, signals } = await signalsOf((db) => append(db, [], []));
    expect(ids).toEqual([]);
    expect(signals).toEqual([]);

    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    const before = await lastId(plan);
    await expect(withDatabase((db) => append(db, [plan, plan], [edit("only one")]))).rejects.toThrow(
      /2 plan ids for 1 updates/,
    );
    expect(await lastId(plan)).toBe(before);
  });

  it("is no API's to call, as any role: refused with a 4xx, nothing stored", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    const before = await lastId(plan);
    const callers = {
      anonymous: anonClient(),
      applicant: cast.applicant.client,
      reviewer: cast.reviewer.client,
      coordinator: cast.coordinator.client,
      "board member": cast.boardMember.client,
      "service role": serviceClient(),
    };
    const args = { plan_ids: [plan], updates: ["\\x78"] };
    for (const [role, client] of Object.entries(callers)) {
      // Through the exposed schema (no such function there) and naming the private one (not exposed).
      const exposed = await client.rpc("append_plan_updates" as never, args as never);
      const hidden = await client.schema("private" as never).rpc("append_plan_updates" as never, args as never);
      for (const answer of [exposed, hidden]) {
        expect(answer.error, role).not.toBeNull();
        expect(answer.status, role).toBeGreaterThanOrEqual(400);
        expect(answer.status, role).toBeLessThan(500);
      }
      const rows = await client
        .schema("private" as never)
        .from("plan_updates" as never)
        .select("*");
      expect(rows.error, role).not.toBeNull();
      expect(rows.status, role).toBeLessThan(500);
    }
    expect(await lastId(plan)).toBe(before);
  });
});
