import { beforeAll, describe, expect, it } from "vitest";
import {
  auditEntries,
  buildCast,
  buildDesignatedCentre,
  changeFirstKpiTarget,
  rpc,
  type Cast,
} from "../support/factories";
import type { PlanNode } from "../../app/lib/plan-schema";
import { anonClient, buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 16, progress reports: a coordinator opens a reporting period for every designated centre; each centre's report
 * starts from its baseline's KPIs; its people write it together and submit; BDT accepts it or asks for changes;
 * reminders before the due date and after it go out once; a report measures against the baseline in force.
 */

let cast: Cast;
let chair: TestUser;
let member: TestUser;
let centre: { centre: string; organisation: string };
let period: string;
let report: string;

const pdf = Buffer.from("%PDF-1.4\n% evidence\n%%EOF\n").toString("base64");
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const rows = (sql: string, params: unknown[] = []) =>
  withDatabase(async (db) => (await db.query<Record<string, unknown>>(sql, params)).rows);

async function openPeriod(name: string, due = inDays(30)) {
  return rpc<string>(cast.coordinator.client, "open_reporting_period", {
    name,
    covers_from: inDays(-180),
    covers_to: inDays(-1),
    due_on: due,
  });
}

const reportOf = async (periodId: string) =>
  (
    await rows("select id from public.progress_reports where period_id = $1 and centre_id = $2", [
      periodId,
      centre.centre,
    ])
  )[0]!.id as string;

/** Puts the report in `state` directly (the matrix probes one call per state), every KPI given a status. */
async function setState(id: string, state: string) {
  await withDatabase(async (db) => {
    await db.query("update public.progress_report_kpis set status = 'on_track' where report_id = $1", [id]);
    await db.query("update public.progress_reports set status = $2 where id = $1", [id, state]);
  });
}

beforeAll(async () => {
  cast = await buildCast();
  [chair, member] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair"),
    buildUser(["board_member"], "Member"),
  ]);
  const built = await buildDesignatedCentre(cast, chair, member);
  centre = { centre: built.centre, organisation: built.organisation };
  period = await openPeriod("First half");
  report = await reportOf(period);
}, 180_000);

describe("opening a reporting period", () => {
  it("gives every designated centre a draft report with its baseline's KPIs and a narrative per capability", async () => {
    const [row] = await rows(
      `select r.status, r.plan_version_id = c.approved_plan_version_id as current_baseline
       from public.progress_reports r join public.centres c on c.id = r.centre_id where r.id = $1`,
      [report],
    );
    expect(row).toEqual({ status: "draft", current_baseline: true });
    const kpis = await rows(
      `select k.kpi_key from public.progress_report_kpis k where k.report_id = $1
       except select p.kpi_key from public.centres c join public.plan_versions v on v.id = c.approved_plan_version_id,
       private.plan_kpis(v.content) p where c.id = $2`,
      [report, centre.centre],
    );
    expect(kpis).toEqual([]);
    expect(
      (await rows("select count(*)::int as n from public.progress_report_kpis where report_id = $1", [report]))[0]!.n,
    ).toBeGreaterThan(0);
    const narratives = await rows("select capability from public.progress_report_narratives where report_id = $1", [
      report,
    ]);
    expect(narratives.length).toBeGreaterThan(0);
    const notified = await rows(
      "select recipient_id from public.notifications where kind = 'report_opened' and entity_id = $1",
      [report],
    );
    expect(notified.map((n) => n.recipient_id).sort()).toEqual([cast.applicant.id, cast.colleague.id].sort());
    expect((await auditEntries(report)).map((entry) => entry.action)).toContain("open_report");
  });

  it("is for coordinators only, and refuses a period that ends before it starts", async () => {
    for (const who of [cast.reviewer, cast.applicant, member, chair]) {
      const { error } = await who.client.rpc("open_reporting_period", {
        name: "Not mine",
        covers_from: inDays(-10),
        covers_to: inDays(-1),
        due_on: inDays(10),
      });
      expect(error?.code).toBe("42501");
    }
    const { error } = await cast.coordinator.client.rpc("open_reporting_period", {
      name: "Backwards",
      covers_from: inDays(-1),
      covers_to: inDays(-10),
      due_on: inDays(10),
    });
    expect(error?.hint).toBe("invalid_input");
  });
});

describe("writing together", () => {
  it("saves only the fields each writer changed, and refuses a field somebody else changed meanwhile", async () => {
    const [kpi] = await rows(
      "select kpi_key from public.progress_report_kpis where report_id = $1 order by capability, position",
      [report],
    );
    const key = kpi!.kpi_key as string;
    const [narrative] = await rows("select capability from public.progress_report_narratives where report_id = $1", [
      report,
    ]);
    const capability = narrative!.capability as string;
    // Two people start from the same page; one writes the KPI, the other the narrative: both saves land.
    await rpc(cast.applicant.client, "save_progress_report", {
      report,
      changes: [{ field: "actual", kpi: key, from: null, to: "12.5" }],
    });
    await rpc(cast.colleague.client, "save_progress_report", {
      report,
      changes: [{ field: "narrative", capability, from: null, to: "We trained forty founders." }],
    });
    // The colleague had not seen 12.5: changing the same field is refused, naming it, and nothing is saved.
    const { error } = await cast.colleague.client.rpc("save_progress_report", {
      report,
      changes: [
        { field: "actual", kpi: key, from: null, to: "13" },
        { field: "status", kpi: key, from: null, to: "at_risk" },
      ],
    });
    expect(error?.hint).toBe("report_conflict");
    expect(error?.details).toBe(`actual:${key}`);
    const [saved] = await rows(
      "select actual::text, status from public.progress_report_kpis where report_id = $1 and kpi_key = $2",
      [report, key],
    );
    expect(saved).toEqual({ actual: "12.5", status: null });
    expect(
      (
        await rows("select body from public.progress_report_narratives where report_id = $1 and capability = $2", [
          report,
          capability,
        ])
      )[0]!.body,
    ).toBe("We trained forty founders.");
    const bad = await cast.applicant.client.rpc("save_progress_report", {
      report,
      changes: [{ field: "actual", kpi: key, from: "12.5", to: "lots" }],
    });
    expect(bad.error?.hint).toBe("invalid_input");
  });

  it("takes evidence checked from its bytes, from the centre's people only", async () => {
    const fake = await cast.applicant.client.rpc("add_report_evidence", {
      report,
      file_name: "evidence.pdf",
      content_type: "application/pdf",
      content_base64: Buffer.from("not a pdf").toString("base64"),
    });
    expect(fake.error?.hint).toBe("file_type_not_allowed");
    const outsider = await cast.outsider.client.rpc("add_report_evidence", {
      report,
      file_name: "evidence.pdf",
      content_type: "application/pdf",
      content_base64: pdf,
    });
    expect(outsider.error).not.toBeNull();
    const file = await rpc<string>(cast.colleague.client, "add_report_evidence", {
      report,
      file_name: "evidence.pdf",
      content_type: "application/pdf",
      content_base64: pdf,
    });
    const read = async (who: TestUser) =>
      (await who.client.from("attachment_contents").select("attachment_id").eq("attachment_id", file)).data?.length ??
      0;
    expect([
      await read(cast.applicant),
      await read(cast.reviewer),
      await read(cast.outsider),
      await read(member),
    ]).toEqual([1, 1, 0, 0]);
  });
});

describe("the transitions, role × state", () => {
  const states = ["draft", "submitted", "changes_requested", "accepted"] as const;
  const roles = ["member", "outsider", "reviewer", "coordinator", "board member"] as const;

  it("lets only the centre write and submit a report being written, and only BDT review a submitted one", async () => {
    const matrixPeriod = await openPeriod("Matrix");
    const id = await reportOf(matrixPeriod);
    const [kpi] = await rows("select kpi_key from public.progress_report_kpis where report_id = $1 limit 1", [id]);
    const who: Record<(typeof roles)[number], TestUser> = {
      member: cast.colleague,
      outsider: cast.outsider,
      reviewer: cast.reviewer,
      coordinator: cast.coordinator,
      "board member": member,
    };
    const actions: Record<string, (user: TestUser) => PromiseLike<{ error: unknown }>> = {
      save: (user) =>
        user.client.rpc("save_progress_report", {
          report: id,
          changes: [{ field: "actual", kpi: kpi!.kpi_key as string, from: null, to: "1" }],
        }),
      submit: (user) => user.client.rpc("submit_progress_report", { report: id }),
      accept: (user) => user.client.rpc("review_progress_report", { report: id, accept: true }),
      "request changes": (user) =>
        user.client.rpc("review_progress_report", { report: id, accept: false, reason: "Add the evidence." }),
    };
    const observed: Record<string, string[]> = {};
    for (const [action, call] of Object.entries(actions)) {
      for (const state of states) {
        for (const role of roles) {
          await setState(id, state);
          await withDatabase((db) =>
            db.query("update public.progress_report_kpis set actual = null where report_id = $1", [id]),
          );
          const { error } = await call(who[role]);
          if (error === null) (observed[action] ??= []).push(`${role} in ${state}`);
        }
      }
    }
    expect(observed).toEqual({
      save: ["member in draft", "member in changes_requested"],
      submit: ["member in draft", "member in changes_requested"],
      accept: ["reviewer in submitted", "coordinator in submitted"],
      "request changes": ["reviewer in submitted", "coordinator in submitted"],
    });
  }, 120_000);

  it("asks for changes with reasons only, audits each step and tells the people concerned", async () => {
    const flowPeriod = await openPeriod("Flow");
    const id = await reportOf(flowPeriod);
    const incomplete = await cast.applicant.client.rpc("submit_progress_report", { report: id });
    expect(incomplete.error?.hint).toBe("report_incomplete");
    await withDatabase((db) =>
      db.query("update public.progress_report_kpis set status = 'at_risk', actual = 3 where report_id = $1", [id]),
    );
    await rpc(cast.applicant.client, "submit_progress_report", { report: id });
    const noReason = await cast.reviewer.client.rpc("review_progress_report", { report: id, accept: false });
    expect(noReason.error?.hint).toBe("reason_required");
    await rpc(cast.reviewer.client, "review_progress_report", { report: id, accept: false, reason: "Add evidence." });
    await rpc(cast.colleague.client, "submit_progress_report", { report: id });
    await rpc(cast.coordinator.client, "review_progress_report", { report: id, accept: true });
    const audit = (await auditEntries(id)).map((entry) => `${entry.action}:${entry.to_state ?? ""}`);
    expect(audit).toEqual([
      "open_report:draft",
      "submit_report:submitted",
      "review_report:changes_requested",
      "submit_report:submitted",
      "review_report:accepted",
    ]);
    const kinds = await rows(
      "select distinct kind from public.notifications where entity_id = $1 and recipient_id = $2 order by kind",
      [id, cast.applicant.id],
    );
    expect(kinds.map((row) => row.kind)).toEqual(["report_accepted", "report_changes_requested", "report_opened"]);
    // Accepted: the public reads its KPI summary on the centre's page, and the Board now reads the report.
    const summary = await anonClient().rpc("public_centre_progress", { centre: centre.centre });
    expect(summary.error).toBeNull();
    expect(summary.data?.[0]?.report_id).toBe(id);
    expect(summary.data?.[0]?.status).toBe("at_risk");
    expect((await member.client.from("progress_reports").select("id").eq("id", id)).data).toHaveLength(1);
    const network = await member.client.rpc("list_network_progress");
    expect(network.data?.some((row) => row.period_id === flowPeriod && row.centre_id === centre.centre)).toBe(true);
    expect((await cast.applicant.client.rpc("list_network_progress")).error?.code).toBe("42501");
  });
});

describe("row level security", () => {
  it("shows a report, its KPIs, narratives and periods to the centre and BDT, to the Board once accepted, to nobody else", async () => {
    const count = async (user: TestUser | null, table: string, column: string, value: string) => {
      const client = user ? user.client : anonClient();
      const { data } = await client
        .from(table as "progress_reports")
        .select("*")
        .eq(column as "id", value);
      return data?.length ?? 0;
    };
    const readers = [cast.applicant, cast.reviewer, cast.coordinator, member, cast.outsider, null];
    const see = async (table: string, column: string, value: string) =>
      Promise.all(readers.map((reader) => count(reader, table, column, value).then((n) => n > 0)));
    // `report` is a draft: the Board does not read it yet.
    expect(await see("progress_reports", "id", report)).toEqual([true, true, true, false, false, false]);
    expect(await see("progress_report_kpis", "report_id", report)).toEqual([true, true, true, false, false, false]);
    expect(await see("progress_report_narratives", "report_id", report)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(await see("reporting_periods", "id", period)).toEqual([true, true, true, true, false, false]);
    // Nobody writes the tables directly: only the functions do.
    for (const user of [cast.applicant, cast.coordinator]) {
      const update = await user.client
        .from("progress_reports")
        .update({ status: "accepted" })
        .eq("id", report)
        .select("id");
      expect(update.error ?? update.data).toBeTruthy();
      expect(update.data ?? []).toEqual([]);
      const kpi = await user.client
        .from("progress_report_kpis")
        .update({ actual: 99 })
        .eq("report_id", report)
        .select();
      expect(kpi.data ?? []).toEqual([]);
      const insert = await user.client
        .from("reporting_periods")
        .insert({ name: "Direct", covers_from: inDays(-2), covers_to: inDays(-1), due_on: inDays(1) });
      expect(insert.error).not.toBeNull();
    }
    const status = (await rows("select status from public.progress_reports where id = $1", [report]))[0]!.status;
    expect(status).toBe("draft");
  });
});

describe("reminders", () => {
  it("tells the centre once before the due date and once when overdue, whichever server runs the job", async () => {
    const soon = await openPeriod("Due soon", inDays(3));
    const soonReport = await reportOf(soon);
    const late = await openPeriod("Late", inDays(30));
    const lateReport = await reportOf(late);
    await withDatabase((db) =>
      db.query("update public.reporting_periods set due_on = $2 where id = $1", [late, inDays(-1)]),
    );
    // Two servers run the job at the same time, then again.
    await Promise.all([1, 2].map(() => withDatabase((db) => db.query("select private.send_report_reminders(7)"))));
    await withDatabase((db) => db.query("select private.send_report_reminders(7)"));
    const sent = await rows(
      `select entity_id, kind, recipient_id, count(*)::int as n from public.notifications
       where entity_id = any($1::uuid[]) and kind in ('report_due', 'report_overdue')
       group by entity_id, kind, recipient_id`,
      [[soonReport, lateReport]],
    );
    expect(sent.every((row) => row.n === 1)).toBe(true);
    const forApplicant = sent.filter((row) => row.recipient_id === cast.applicant.id).map((row) => row.kind as string);
    expect(forApplicant.sort()).toEqual(["report_due", "report_overdue"]);
    expect(sent.some((row) => row.kind === "report_overdue" && row.recipient_id === cast.reviewer.id)).toBe(true);
    const [grant] = await rows(
      "select has_function_privilege('authenticated', 'private.send_report_reminders(integer)', 'execute') as yes",
    );
    expect(grant!.yes).toBe(false);
  });
});

describe("the plan in force for the period", () => {
  it("moves reports still being written to a new baseline's targets, and keeps what accepted reports measured", async () => {
    const accepted = await reportOf(
      (
        await rows("select id from public.reporting_periods where name = 'Flow' and opened_by = $1", [
          cast.coordinator.id,
        ])
      )[0]!.id as string,
    );
    const draft = await reportOf(await openPeriod("After the amendment"));
    const before = await rows("select kpi_key, target::text from public.progress_report_kpis where report_id = $1", [
      accepted,
    ]);
    // An approved amendment changes the first KPI target: a new approved version and baseline (as adopt_amendment writes).
    await withDatabase(async (db) => {
      const [current] = (
        await db.query<{ content: PlanNode; plan_id: string }>(
          `select v.content, v.plan_id from public.centres c join public.plan_versions v on v.id = c.approved_plan_version_id
           where c.id = $1`,
          [centre.centre],
        )
      ).rows;
      const content = changeFirstKpiTarget(current!.content, "75");
      const { rows: version } = await db.query<{ id: string }>(
        `insert into public.plan_versions (plan_id, name, kind, content, content_hash)
         values ($1, 'Approved amendment', 'approved', $2::jsonb, md5($3)) returning id`,
        [current!.plan_id, content, JSON.stringify(content)],
      );
      await db.query(`update public.centres set approved_plan_version_id = $2, plan_hash = md5($3) where id = $1`, [
        centre.centre,
        version[0]!.id,
        version[0]!.id,
      ]);
      await db.query(
        `insert into public.centre_baselines (centre_id, plan_version_id, plan_hash, approving_body, reason)
         values ($1, $2, md5($3), 'bdt', 'New target.')`,
        [centre.centre, version[0]!.id, version[0]!.id],
      );
    });
    const at75 = async (id: string) =>
      (
        await rows("select count(*)::int as n from public.progress_report_kpis where report_id = $1 and target = 75", [
          id,
        ])
      )[0]!.n;
    expect(await at75(draft)).toBe(1);
    expect(await at75(accepted)).toBe(0);
    expect(
      await rows("select kpi_key, target::text from public.progress_report_kpis where report_id = $1", [accepted]),
    ).toEqual(before);
    const [baselines] = await rows(
      "select count(distinct baseline_id)::int as n from public.progress_reports where id = any($1::uuid[])",
      [[accepted, draft]],
    );
    expect(baselines!.n).toBe(2);
  });
});
