import type pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEntries, buildApplication, buildCast, buildDraftEoi, rpc, type Cast } from "../support/factories";
import { anonClient, buildUser, withDatabase } from "../support/supabase";

/**
 * Issue 10: a deactivated account is refused by the database at once. Deactivation bans the account and ends its
 * sessions; an access token issued before must not read or write anything on its very next request.
 */

let cast: Cast;
let publicTables: string[];

beforeAll(async () => {
  cast = await buildCast();
  publicTables = await withDatabase(async (db) =>
    (
      await db.query<{ relname: string }>(
        "select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') order by relname",
      )
    ).rows.map((row) => row.relname),
  );
});

/** Runs SQL as a signed-in person, the way PostgREST does, but without its pre-request hook: policies alone decide. */
async function asPerson<T extends pg.QueryResultRow>(person: string, sql: string, params: unknown[] = []) {
  return withDatabase(async (db) => {
    await db.query("begin");
    try {
      await db.query("set local role authenticated");
      await db.query("select set_config('request.jwt.claims', $1, true)", [
        JSON.stringify({ sub: person, role: "authenticated" }),
      ]);
      return await db.query<T>(sql, params);
    } finally {
      await db.query("rollback");
    }
  });
}

/** How many rows of each table in public the person sees, in one query. */
async function visibleRows(person: string): Promise<Record<string, number>> {
  const sql = publicTables
    .map((table) => `select '${table}' as t, count(*)::int as n from public.${table}`)
    .join(" union all ");
  const { rows } = await asPerson<{ t: string; n: number }>(person, sql);
  return Object.fromEntries(rows.map((row) => [row.t, row.n]));
}

async function hintOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return (error as { hint?: string }).hint ?? "no hint";
  }
}

async function deactivate(person: string) {
  await rpc(cast.coordinator.client, "set_account_active", { person, active: false, reason: "Left the institution" });
}

describe("a deactivated account's existing access token", () => {
  it("is refused at REST on the very next request: every table, every function, every write", async () => {
    const applicant = await buildUser(["applicant"], "Soon Gone");
    const organisation = await rpc<string>(applicant.client, "create_organisation", {
      name: "Gone Institution",
      kind: "ministry",
      country_code: "KE",
    });
    const call = await buildCallFor();
    const eoi = await buildDraftEoi(applicant, organisation, call);
    // The token works before: the person reads their EoI.
    expect((await applicant.client.from("eois").select("id").eq("id", eoi)).data).toEqual([{ id: eoi }]);

    await deactivate(applicant.id);

    const { client } = applicant;
    for (const table of publicTables) {
      const { data, error } = await client
        .from(table as never)
        .select("*")
        .limit(1);
      expect(error?.code, `read ${table}`).toBe("42501");
      expect(error?.hint, `read ${table}`).toBe("account_deactivated");
      expect(data, `read ${table}`).toBeNull();
    }
    const refused = [
      await client.from("eois").update({ motivation: "Still here" }).eq("id", eoi).select("id"),
      await client.from("eois").insert({ call_id: call, organisation_id: organisation } as never),
      await client.rpc("create_organisation", { name: "Ghost Institution", kind: "ministry", country_code: "KE" }),
      await client.rpc("create_eoi", { call, organisation }),
      await client.rpc("my_roles"),
      await client.rpc("list_directory_centres"),
    ];
    for (const { error } of refused) expect(error?.hint).toBe("account_deactivated");
    const unchanged = await withDatabase(async (db) => ({
      motivation: (await db.query<Record<string, unknown>>("select motivation from public.eois where id = $1", [eoi]))
        .rows[0]!.motivation,
      organisations: (
        await db.query<Record<string, unknown>>(
          "select count(*)::int as n from public.organisations where name = 'Ghost Institution' and created_by = $1",
          [applicant.id],
        )
      ).rows[0]!.n,
      eois: (
        await db.query<Record<string, unknown>>(
          "select count(*)::int as n from public.eois where organisation_id = $1",
          [organisation],
        )
      ).rows[0]!.n,
    }));
    expect(unchanged).toEqual({
      motivation: "To accelerate digital entrepreneurship across the country.",
      organisations: 0,
      eois: 1,
    });

    // Anonymous visitors still read the public directory and calls.
    expect((await anonClient().rpc("list_directory_centres")).error).toBeNull();
    expect((await anonClient().from("calls").select("id").eq("id", call)).data).toEqual([{ id: call }]);

    // Reactivation lifts the refusal; a new sign-in works.
    await rpc(cast.coordinator.client, "set_account_active", { person: applicant.id, active: true });
    const again = anonClient();
    expect(
      (await again.auth.signInWithPassword({ email: applicant.email, password: applicant.password })).error,
    ).toBeNull();
    expect((await again.from("eois").select("id").eq("id", eoi)).data).toEqual([{ id: eoi }]);
  });

  it("reads and writes nothing in the database itself: policies, transition functions and permission helpers", async () => {
    const { application, plan, eoi } = await buildApplication(cast, "draft");
    const applicant = cast.applicant.id;
    const before = await visibleRows(applicant);
    expect(before.eois).toBeGreaterThan(0);
    expect(before.centre_applications).toBeGreaterThan(0);
    expect(before.calls).toBeGreaterThan(0);
    expect((await asPerson(applicant, "select public.my_plan_access($1) as access", [plan])).rows[0]?.access).toBe(
      "edit",
    );

    // A second applicant of the same institution keeps working; the deactivated one is the cast's colleague.
    const colleague = cast.colleague.id;
    await deactivate(colleague);
    expect(Object.entries(await visibleRows(colleague)).filter(([, n]) => n > 0)).toEqual([]);
    const updated = await asPerson(
      colleague,
      "update public.centre_applications set partners = 'Taken over' where id = $1",
      [application],
    );
    expect(updated.rowCount).toBe(0);
    const eoiUpdate = await asPerson(colleague, "update public.eois set motivation = 'Taken over' where id = $1", [
      eoi,
    ]);
    expect(eoiUpdate.rowCount).toBe(0);
    expect(await hintOf(asPerson(colleague, "select public.create_organisation('Ghost', 'ministry', 'KE')"))).toBe(
      "account_deactivated",
    );
    expect(await hintOf(asPerson(colleague, "select public.submit_application($1)", [application]))).toBe(
      "account_deactivated",
    );
    expect(
      (await asPerson(colleague, "select public.my_plan_access($1) as access", [plan])).rows[0]?.access,
    ).toBeNull();
    expect(
      (await asPerson(colleague, "select count(*)::int as n from public.plan_people($1)", [plan])).rows[0]?.n,
    ).toBe(0);
    expect(
      (await asPerson(colleague, "select count(*)::int as n from public.list_directory_centres()")).rows[0]?.n,
    ).toBe(0);
    expect((await asPerson(applicant, "select public.my_plan_access($1) as access", [plan])).rows[0]?.access).toBe(
      "edit",
    );

    // Staff: a deactivated reviewer and coordinator lose the Board agenda, the quorum and the people page.
    const [reviewer, coordinator] = await Promise.all([buildUser(["reviewer"]), buildUser(["coordinator"])]);
    await deactivate(reviewer.id);
    await deactivate(coordinator.id);
    expect(await hintOf(asPerson(reviewer.id, "select * from public.list_board_agenda()"))).toBe("not_allowed");
    expect(await hintOf(asPerson(reviewer.id, "select * from public.list_board_people()"))).toBe("not_allowed");
    expect(await hintOf(asPerson(coordinator.id, "select * from public.people_directory()"))).toBe("not_allowed");
    expect(await hintOf(asPerson(coordinator.id, "select public.grant_role($1, 'reviewer')", [applicant]))).toBe(
      "account_deactivated",
    );
  }, 120_000);

  it("is covered on every table by a restrictive policy, ANDed with every permissive one", async () => {
    const missing = await withDatabase(async (db) =>
      (
        await db.query<{ relname: string }>(
          `select c.relname from pg_class c
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
           and not exists (select 1 from pg_policy p where p.polrelid = c.oid and not p.polpermissive and p.polcmd = '*'
                           and 'authenticated'::regrole = any(p.polroles)
                           and pg_get_expr(p.polqual, p.polrelid) like '%caller_is_active()%'
                           and pg_get_expr(p.polwithcheck, p.polrelid) like '%caller_is_active()%')
         order by 1`,
        )
      ).rows.map((row) => row.relname),
    );
    expect(missing).toEqual([]);
  });
});

describe("set_account_active refuses invalid arguments", () => {
  it("refuses a null state, a null person and an unknown person with a stable code, changing nothing", async () => {
    const person = await buildUser(["applicant"]);
    const state = async () =>
      withDatabase(async (db) => ({
        banned: (
          await db.query<Record<string, unknown>>("select banned_until from auth.users where id = $1", [person.id])
        ).rows[0]!.banned_until,
        sessions: (
          await db.query<Record<string, unknown>>("select count(*)::int as n from auth.sessions where user_id = $1", [
            person.id,
          ])
        ).rows[0]!.n,
      }));
    const before = await state();
    expect(before).toEqual({ banned: null, sessions: 1 });

    const nullState = await cast.coordinator.client.rpc("set_account_active", {
      person: person.id,
      active: null as never,
    });
    expect(nullState.error?.hint).toBe("invalid_input");
    const nullPerson = await cast.coordinator.client.rpc("set_account_active", {
      person: null as never,
      active: false,
    });
    expect(nullPerson.error?.hint).toBe("invalid_input");
    const unknown = await cast.coordinator.client.rpc("set_account_active", {
      person: crypto.randomUUID(),
      active: false,
    });
    expect(unknown.error?.hint).toBe("not_found");
    const tooLong = await cast.coordinator.client.rpc("set_account_active", {
      person: person.id,
      active: false,
      reason: "x".repeat(20001),
    });
    expect(tooLong.error?.hint).toBe("invalid_input");
    const self = await cast.coordinator.client.rpc("set_account_active", {
      person: cast.coordinator.id,
      active: false,
    });
    expect(self.error?.hint).toBe("not_allowed");

    expect(await state()).toEqual(before);
    expect(
      (await auditEntries(person.id)).filter((entry) => entry.action === "deactivate" || entry.action === "reactivate"),
    ).toEqual([]);
    expect((await person.client.from("profiles").select("id").eq("id", person.id)).data).toEqual([{ id: person.id }]);
  });

  it("records each real change once: deactivating twice writes one entry and leaves no session", async () => {
    const person = await buildUser(["applicant"]);
    await deactivate(person.id);
    await deactivate(person.id);
    await rpc(cast.coordinator.client, "set_account_active", { person: person.id, active: true });
    await rpc(cast.coordinator.client, "set_account_active", { person: person.id, active: true });
    const entries = (await auditEntries(person.id)).filter(
      (entry) => entry.action === "deactivate" || entry.action === "reactivate",
    );
    expect(entries.map((entry) => [entry.action, entry.from_state, entry.to_state])).toEqual([
      ["deactivate", "active", "inactive"],
      ["reactivate", "inactive", "active"],
    ]);
  });
});

async function buildCallFor(): Promise<string> {
  const call = await rpc<string>(cast.coordinator.client, "create_call", {
    title: "Deactivation call",
    opens_at: new Date(Date.now() - 3600_000).toISOString(),
    closes_at: new Date(Date.now() + 3600_000).toISOString(),
  });
  await rpc(cast.coordinator.client, "open_call", { call });
  return call;
}
