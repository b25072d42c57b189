import { createHash } from "node:crypto";
import fc from "fast-check";
import type pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCall, buildCast, buildEoiInState, buildOrganisation, rpc, type Cast } from "../support/factories";
import { anonClient, buildUser, withDatabase, type TestUser } from "../support/supabase";
import { callRpc } from "../../app/lib/rpc.server";

interface PreviewSummary {
  total: number;
  fingerprint: string;
  reviewers: { id: string; before: number; added: number; after: number; in_region: number }[];
  assignments: { eoi_id: string; reviewer_id: string }[];
}

const regions = ["AFR", "AMS", "ARB", "ASP", "CIS", "EUR"] as const;
/** One country per region, so an EoI's region follows from its institution's country. */
const countryOf: Record<string, string> = { AFR: "KE", AMS: "BR", ARB: "EG", ASP: "IN", CIS: "KZ", EUR: "FR" };

/**
 * Runs one scenario as the coordinator inside a transaction that is rolled back, on a pool of reviewers made only of
 * `pool` (every other reviewer grant is removed inside the transaction), so scenarios never see each other's data or
 * the data of tests running in parallel, and leave nothing behind.
 */
async function inScenario<T>(
  coordinator: TestUser,
  work: (db: pg.Client, as: <R>(sql: string, args: unknown[]) => Promise<R[]>) => Promise<T>,
): Promise<T> {
  return withDatabase(async (db) => {
    await db.query("begin");
    try {
      const as = async <R>(sql: string, args: unknown[]) => {
        await db.query("select set_config('request.jwt.claims', $1, true)", [
          JSON.stringify({ sub: coordinator.id, role: "authenticated" }),
        ]);
        await db.query("set local role authenticated");
        try {
          return (await db.query(sql, args)).rows as R[];
        } finally {
          await db.query("reset role");
        }
      };
      return await work(db, as);
    } finally {
      await db.query("rollback");
    }
  });
}

describe("automatic assignment (issue 17)", () => {
  let cast: Cast;
  let pool: TestUser[];
  beforeAll(async () => {
    cast = await buildCast();
    pool = await Promise.all([1, 2, 3, 4, 5].map((n) => buildUser(["reviewer"], `Pool reviewer ${n}`)));
  });

  it("never passes the cap, never assigns the applicant's own institution, balances within one, prefers the region, and applies exactly the preview", async () => {
    const scenario = fc.record({
      cap: fc.integer({ min: 1, max: 6 }),
      reviewers: fc.array(
        fc.record({
          load: fc.integer({ min: 0, max: 5 }),
          regions: fc.subarray([...regions]),
          active: fc.boolean(),
        }),
        { minLength: 5, maxLength: 5 },
      ),
      eois: fc.array(
        fc.record({
          region: fc.constantFrom(...regions),
          // The reviewers (by index) who are members of the applicant's institution.
          members: fc.subarray([0, 1, 2, 3, 4]),
        }),
        { minLength: 1, maxLength: 14 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ cap, reviewers, eois }) => {
        await inScenario(cast.coordinator, async (db, as) => {
          const call = (
            await db.query<{ id: string }>(
              `insert into public.calls (title, description, opens_at, closes_at, status)
               values ('Auto-assignment scenario', '', now() - interval '1 day', now() + interval '1 day', 'open')
               returning id`,
            )
          ).rows[0]!.id;
          const pick = pool.filter((_, index) => reviewers[index]!.active);
          await db.query("delete from public.role_grants where role = 'reviewer' and not (user_id = any($1::uuid[]))", [
            pick.map((user) => user.id),
          ]);
          await db.query("delete from public.role_grants where role = 'reviewer' and user_id = any($1::uuid[])", [
            pool.filter((_, index) => !reviewers[index]!.active).map((user) => user.id),
          ]);
          const newOrganisation = async (region: string) =>
            (
              await db.query<{ id: string }>(
                `insert into public.organisations (name, kind, country_code) values ('Scenario institution', 'university', $1)
                 returning id`,
                [countryOf[region]],
              )
            ).rows[0]!.id;
          // Current loads: EoIs already under validation with each reviewer (in another call: still their load).
          for (const [index, reviewer] of reviewers.entries()) {
            await db.query("delete from public.reviewer_regions where user_id = $1", [pool[index]!.id]);
            for (const region of reviewer.regions)
              await db.query("insert into public.reviewer_regions (user_id, region_code) values ($1, $2)", [
                pool[index]!.id,
                region,
              ]);
            for (let n = 0; n < reviewer.load; n += 1) {
              const organisation = await newOrganisation("EUR");
              await db.query(
                `insert into public.eois (call_id, organisation_id, status, submitted_at, assigned_reviewer_id)
                 values ($1, $2, 'under_validation', now() - interval '3 days', $3)`,
                [call, organisation, pool[index]!.id],
              );
            }
          }
          const created: { id: string; region: string; members: number[] }[] = [];
          for (const [order, eoi] of eois.entries()) {
            const organisation = await newOrganisation(eoi.region);
            for (const member of eoi.members)
              await db.query("insert into public.organisation_members (organisation_id, user_id) values ($1, $2)", [
                organisation,
                pool[member]!.id,
              ]);
            const id = (
              await db.query<{ id: string }>(
                `insert into public.eois (call_id, organisation_id, status, submitted_at)
                 values ($1, $2, 'submitted', now() - make_interval(mins => $3)) returning id`,
                [call, organisation, 1000 - order],
              )
            ).rows[0]!.id;
            created.push({ id, region: eoi.region, members: eoi.members });
          }

          const preview = await as<{ eoi_id: string; reviewer_id: string }>(
            "select eoi_id, reviewer_id from public.preview_auto_assignment($1, $2)",
            [cap, call],
          );
          // The page's summary: the same plan, its fingerprint (md5 over the ordered pairs), what each reviewer gains.
          const summary = (
            await as<{ summary: PreviewSummary }>("select public.auto_assignment_preview($1, $2, 1, 5) as summary", [
              cap,
              call,
            ])
          )[0]!.summary;
          expect(summary.total).toBe(preview.length);
          expect(summary.fingerprint).toBe(
            createHash("md5")
              .update(preview.map((row) => `${row.eoi_id}:${row.reviewer_id}`).join(","))
              .digest("hex"),
          );
          expect(summary.assignments.map((row) => row.eoi_id)).toEqual(preview.slice(0, 5).map((row) => row.eoi_id));
          for (const reviewer of summary.reviewers) {
            const added = preview.filter((row) => row.reviewer_id === reviewer.id).length;
            expect(reviewer.added).toBe(added);
            expect(reviewer.after).toBe(reviewer.before + added);
          }
          const applied = await as<{ count: number }>("select public.apply_auto_assignment($1, $2, $3) as count", [
            cap,
            summary.fingerprint,
            call,
          ]);
          expect(applied[0]!.count).toBe(preview.length);

          const assigned = new Map(
            (
              await db.query<{ id: string; assigned_reviewer_id: string | null }>(
                "select id, assigned_reviewer_id from public.eois where id = any($1::uuid[])",
                [created.map((eoi) => eoi.id)],
              )
            ).rows.map((row) => [row.id, row.assigned_reviewer_id]),
          );
          // What is applied is exactly what was previewed.
          expect(Object.fromEntries([...assigned].filter(([, reviewer]) => reviewer !== null))).toEqual(
            Object.fromEntries(preview.map((row) => [row.eoi_id, row.reviewer_id])),
          );

          const indexOf = new Map(pool.map((user, index) => [user.id, index]));
          const finalLoad = reviewers.map(
            (reviewer, index) => reviewer.load + [...assigned.values()].filter((id) => id === pool[index]!.id).length,
          );
          const expert = (index: number, region: string) => reviewers[index]!.regions.includes(region as never);
          const eligibleAtEnd = (index: number, eoi: (typeof created)[number]) =>
            reviewers[index]!.active && !eoi.members.includes(index) && finalLoad[index]! < cap;
          const lastItem = new Map<number, (typeof created)[number]>();
          for (const eoi of created) {
            const reviewer = assigned.get(eoi.id);
            if (!reviewer) {
              // Left unassigned only when no active reviewer outside the institution is below the cap.
              for (const index of pool.keys()) expect(eligibleAtEnd(index, eoi)).toBe(false);
              continue;
            }
            const index = indexOf.get(reviewer)!;
            expect(reviewers[index]!.active).toBe(true);
            expect(eoi.members).not.toContain(index); // never the applicant's own institution
            lastItem.set(index, eoi);
          }
          for (const [index, reviewer] of reviewers.entries()) {
            const added = finalLoad[index]! - reviewer.load;
            if (added > 0) expect(finalLoad[index]).toBeLessThanOrEqual(cap); // never over the cap
          }
          // Balanced within one item among those who could have taken the reviewer's last item, region first.
          for (const [index, eoi] of lastItem) {
            for (const other of pool.keys()) {
              if (other === index || !eligibleAtEnd(other, eoi)) continue;
              if (expert(index, eoi.region) && !expert(other, eoi.region)) continue;
              expect(expert(other, eoi.region) && !expert(index, eoi.region)).toBe(false);
              expect(finalLoad[index]).toBeLessThanOrEqual(finalLoad[other]! + 1);
            }
          }
          const audit = await db.query<{ n: number }>(
            `select count(*)::int as n from public.audit_log
             where entity_type = 'eoi' and action = 'assign' and entity_id = any($1::uuid[]) and details ->> 'automatic' = 'true'`,
            [created.map((eoi) => eoi.id)],
          );
          expect(audit.rows[0]!.n).toBe(preview.length);
        });
      }),
      { numRuns: 10 },
    );
  }, 300_000);

  it("refuses to apply a plan that is no longer the one the data give, and changes nothing", async () => {
    const call = await buildCall(cast.coordinator);
    const { eoi } = await buildEoiInState(cast, "submitted", {
      organisation: await buildOrganisation(cast.applicant, [cast.colleague]),
      call,
    });
    const { data, error } = await callRpc(cast.coordinator.client, "auto_assignment_preview", { cap: 500, call });
    expect(error).toBeNull();
    const preview = data as unknown as PreviewSummary;
    expect(preview.total).toBe(1);
    expect(preview.assignments[0]!.eoi_id).toBe(eoi);
    // Someone assigns it by hand meanwhile: the plan no longer holds.
    const other = (await buildUser(["reviewer"], "Manual")).id;
    await rpc(cast.coordinator.client, "assign_eois", { eoi_ids: [eoi], reviewer: other });
    const applied = await callRpc(cast.coordinator.client, "apply_auto_assignment", {
      cap: 500,
      call,
      fingerprint: preview.fingerprint,
    });
    expect(applied.error?.code).toBe("assignment_changed");
    // A fingerprint that was never previewed, or is not one, is refused too (straight through supabase-js).
    const forged = await cast.coordinator.client.rpc("apply_auto_assignment", {
      cap: 500,
      call,
      fingerprint: "0".repeat(32),
    });
    expect(forged.error?.hint).toBe("assignment_changed");
    const malformed = await cast.coordinator.client.rpc("apply_auto_assignment", {
      cap: 500,
      call,
      fingerprint: "not a fingerprint",
    });
    expect(malformed.error?.hint).toBe("invalid_input");
    const { data: row } = await cast.coordinator.client
      .from("eois")
      .select("assigned_reviewer_id")
      .eq("id", eoi)
      .single();
    expect(row!.assigned_reviewer_id).toBe(other);
    const automatic = await withDatabase((db) =>
      db.query<{ n: number }>(
        "select count(*)::int as n from public.audit_log where entity_id = $1 and details ->> 'automatic' = 'true'",
        [eoi],
      ),
    );
    expect(automatic.rows[0]!.n).toBe(0);
  });

  it("lets only coordinators preview, apply or set regions; regions are read by BDT only and never written directly", async () => {
    const call = await buildCall(cast.coordinator);
    const { eoi } = await buildEoiInState(cast, "submitted", {
      organisation: await buildOrganisation(cast.applicant, [cast.colleague]),
      call,
    });
    const { data } = await callRpc(cast.coordinator.client, "auto_assignment_preview", { cap: 5, call });
    const fingerprint = (data as unknown as PreviewSummary).fingerprint;
    for (const user of [cast.applicant, cast.reviewer, cast.boardMember]) {
      const preview = await callRpc(user.client, "preview_auto_assignment", { cap: 5, call });
      expect(preview.error?.code).toBe("not_allowed");
      const summary = await user.client.rpc("auto_assignment_preview", { cap: 5, call });
      expect(summary.error?.hint).toBe("not_allowed");
      expect(summary.data).toBeNull();
      const apply = await user.client.rpc("apply_auto_assignment", { cap: 5, call, fingerprint });
      expect(apply.error?.hint).toBe("not_allowed");
      const regionsSet = await callRpc(user.client, "set_reviewer_regions", {
        person: cast.reviewer.id,
        regions: ["AFR"],
      });
      expect(regionsSet.error?.code).toBe("not_allowed");
    }
    const anon = await anonClient().rpc("preview_auto_assignment", { cap: 5, call });
    expect(anon.error).not.toBeNull();
    const anonSummary = await anonClient().rpc("auto_assignment_preview", { cap: 5, call });
    expect(anonSummary.error).not.toBeNull();
    const anonApply = await anonClient().rpc("apply_auto_assignment", { cap: 5, call, fingerprint });
    expect(anonApply.error).not.toBeNull();
    // Nothing changed on any refusal: the EoI is still unassigned, with no automatic assignment in its history.
    const untouched = await withDatabase((db) =>
      db.query<{ assigned_reviewer_id: string | null; automatic: number }>(
        `select assigned_reviewer_id, (select count(*)::int from public.audit_log
                where entity_id = $1 and details ->> 'automatic' = 'true') as automatic
         from public.eois where id = $1`,
        [eoi],
      ),
    );
    expect(untouched.rows[0]).toEqual({ assigned_reviewer_id: null, automatic: 0 });

    await rpc(cast.coordinator.client, "set_reviewer_regions", { person: cast.reviewer.id, regions: ["ARB", "AFR"] });
    const bad = await callRpc(cast.coordinator.client, "set_reviewer_regions", {
      person: cast.applicant.id,
      regions: [],
    });
    expect(bad.error?.code).toBe("invalid_assignee");
    const { data: seen } = await cast.otherReviewer.client
      .from("reviewer_regions")
      .select("region_code")
      .eq("user_id", cast.reviewer.id)
      .order("region_code");
    expect(seen).toEqual([{ region_code: "AFR" }, { region_code: "ARB" }]);
    for (const user of [cast.applicant, cast.boardMember]) {
      const { data } = await user.client.from("reviewer_regions").select("*").eq("user_id", cast.reviewer.id);
      expect(data).toEqual([]);
      const workload = await callRpc(user.client, "reviewer_workload", {});
      expect(workload.data ?? []).toEqual([]);
    }
    const write = await cast.coordinator.client
      .from("reviewer_regions")
      .insert({ user_id: cast.reviewer.id, region_code: "EUR" });
    expect(write.error).not.toBeNull();
    const audit = await withDatabase((db) =>
      db.query<{ details: unknown }>(
        "select details from public.audit_log where entity_id = $1 and action = 'set_reviewer_regions'",
        [cast.reviewer.id],
      ),
    );
    expect(audit.rows.at(-1)?.details).toMatchObject({ regions: ["AFR", "ARB"] });
  });
});
