import { prosemirrorJSONToYXmlFragment } from "@tiptap/y-tiptap";
import { beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { getPlanSchema, planFragmentName, type PlanNode } from "~/lib/plan-schema";
import { buildPlanTemplate } from "../../server/collab/plan-template";
import { accessTokenOf, openPlanClient, waitFor } from "../support/collab";
import { buildApplication, buildCast, buildDesignatedCentre, buildPacket, rpc, type Cast } from "../support/factories";
import { buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 16: private.plan_kpis reads the KPI rows of a plan document as typed rows. Its signature is a contract that
 * reporting (progress against the KPIs) builds on, so it is checked here as it is.
 */

const text = (value: string): PlanNode => ({ type: "text", text: value });
const cell = (type: string, value: string): PlanNode => ({
  type,
  content: [{ type: "paragraph", content: value ? [text(value)] : [] }],
});
const row = (values: string[], attrs?: Record<string, unknown>, type = "tableCell"): PlanNode => ({
  type: "tableRow",
  ...(attrs ? { attrs } : {}),
  content: values.map((value) => cell(type, value)),
});
const heading = (level: number, value: string): PlanNode => ({
  type: "heading",
  attrs: { level },
  content: [text(value)],
});

interface KpiRow {
  kpi_key: string;
  capability: string;
  position: number;
  indicator: string | null;
  unit: string | null;
  baseline: string | null;
  target: string | null;
  target_date: string | null;
  problems: string[];
}

async function planKpis(doc: PlanNode): Promise<KpiRow[]> {
  return withDatabase(
    async (db) =>
      (
        await db.query<KpiRow>(
          `select kpi_key, capability, position, indicator, unit, baseline::text, target::text,
                  to_char(target_date, 'YYYY-MM-DD') as target_date, problems
           from private.plan_kpis($1)`,
          [doc],
        )
      ).rows,
  );
}

describe("private.plan_kpis", () => {
  it("has the agreed signature", async () => {
    const { rows } = await withDatabase((db) =>
      db.query<{ args: string; result: string }>(
        `select pg_get_function_arguments(p.oid) as args, pg_get_function_result(p.oid) as result
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'private' and p.proname = 'plan_kpis'`,
      ),
    );
    expect(rows).toEqual([
      {
        args: "content jsonb",
        result:
          'TABLE(kpi_key text, capability text, "position" integer, indicator text, unit text, baseline numeric, target numeric, target_date date, problems text[])',
      },
    ]);
  });

  it("reads typed KPI tables by their columns and keys, per capability section", async () => {
    const doc: PlanNode = {
      type: "doc",
      content: [
        heading(1, "Action plan: Nairobi"),
        heading(2, "1. Entrepreneurship and SME growth"),
        heading(3, "Key performance indicators"),
        {
          type: "table",
          attrs: { kind: "kpi", capability: "entrepreneurship_sme_growth" },
          content: [
            row(["Indicator", "Unit", "Baseline", "Target", "Target date"], undefined, "tableHeader"),
            row(["Start-ups supported", "start-ups", "1 200", "1,500.5", "2028-12-31"], { kpiKey: "k-1" }),
            row(["", "", "", "", ""], { kpiKey: "k-blank" }),
            row(["Women founders", "%", "45 %", "abc", "31/02/2028"], { kpiKey: "k-2" }),
            // A copied row keeps its original's key: it gets a key of its own.
            row(["Mentors", "", "", "12", "30/06/2027"], { kpiKey: "k-1" }),
          ],
        },
        heading(2, "2. Policy experimentation"),
        heading(3, "Key performance indicators"),
        {
          type: "table",
          attrs: { kind: "kpi" },
          content: [row(["Sandboxes", "sandboxes", "0", "3", "1/7/2027"])],
        },
      ],
    };
    expect(await planKpis(doc)).toEqual([
      {
        kpi_key: "k-1",
        capability: "entrepreneurship_sme_growth",
        position: 1,
        indicator: "Start-ups supported",
        unit: "start-ups",
        baseline: "1200",
        target: "1500.5",
        target_date: "2028-12-31",
        problems: [],
      },
      {
        kpi_key: "k-2",
        capability: "entrepreneurship_sme_growth",
        position: 2,
        indicator: "Women founders",
        unit: "%",
        baseline: "45",
        target: null,
        target_date: null,
        problems: ["target_not_number", "target_date_invalid"],
      },
      {
        kpi_key: "entrepreneurship_sme_growth.3",
        capability: "entrepreneurship_sme_growth",
        position: 3,
        indicator: "Mentors",
        unit: null,
        baseline: null,
        target: "12",
        target_date: "2027-06-30",
        problems: ["unit_missing", "baseline_missing"],
      },
      {
        kpi_key: "policy_experimentation.1",
        capability: "policy_experimentation",
        position: 1,
        indicator: "Sandboxes",
        unit: "sandboxes",
        baseline: "0",
        target: "3",
        target_date: "2027-07-01",
        problems: [],
      },
    ]);
  });

  it("reads old free-text tables leniently: four columns, headers in the plan's language, no unit", async () => {
    const doc: PlanNode = {
      type: "doc",
      content: [
        heading(2, "1. Entrepreneuriat et croissance des PME"),
        heading(3, "Indicateurs clés de performance"),
        {
          type: "table",
          content: [
            row(["Indicateur", "Valeur de référence", "Cible", "Date"], undefined, "tableHeader"),
            row(["Start-up accompagnées", "45%", "1.200,5", "2028"]),
          ],
        },
        // Another table of the section that is not under the KPI heading is not read.
        heading(3, "Activités et calendrier"),
        { type: "table", content: [row(["Atelier", "2026", "2027", "BDT"])] },
      ],
    };
    expect(await planKpis(doc)).toEqual([
      {
        kpi_key: "entrepreneurship_sme_growth.1",
        capability: "entrepreneurship_sme_growth",
        position: 1,
        indicator: "Start-up accompagnées",
        unit: null,
        baseline: "45",
        target: "1200.5",
        target_date: null,
        problems: ["unit_missing", "target_date_invalid"],
      },
    ]);
  });
});

/** Sets one cell of the first typed KPI table's first row (0 indicator, 1 unit, 2 baseline, 3 target, 4 target date). */
function withKpiCell(content: PlanNode, column: number, value: string): PlanNode {
  const copy = JSON.parse(JSON.stringify(content)) as PlanNode;
  const table = copy.content!.find((node) => node.type === "table" && node.attrs?.kind === "kpi")!;
  table.content![1]!.content![column] = cell("tableCell", value);
  return copy;
}

const query = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  withDatabase(async (db) => (await db.query<T>(sql, params)).rows);
const planOf = async (plan: string) =>
  (await query<{ content: PlanNode }>("select content from public.action_plans where id = $1", [plan]))[0]!.content;
const setPlan = (plan: string, content: PlanNode) =>
  query("update public.action_plans set content = $2 where id = $1", [plan, content]);
const statusOf = async (application: string) =>
  (await query<{ status: string }>("select status from public.centre_applications where id = $1", [application]))[0]!
    .status;

describe("KPI typing on freeze", () => {
  let cast: Cast;
  let chair: TestUser;
  let member: TestUser;
  beforeAll(async () => {
    cast = await buildCast();
    [chair, member] = await Promise.all([
      buildUser(["board_member", "board_chair"], "Chair"),
      buildUser(["board_member"], "Member"),
    ]);
  });

  it("submission names each KPI that does not type, beside the missing parts", async () => {
    const { application, plan } = await buildApplication(cast, "draft");
    await setPlan(plan, withKpiCell(withKpiCell(await planOf(plan), 3, "about forty"), 4, "June 2030"));
    const { error } = await cast.applicant.client.rpc("submit_application", { application });
    expect(error?.hint).toBe("incomplete");
    expect(error?.details).toBe(
      "kpi.entrepreneurship_sme_growth.1.target_not_number,kpi.entrepreneurship_sme_growth.1.target_date_invalid",
    );
    expect(await statusOf(application)).toBe("draft");
    // Numbers and dates as people type them are typed.
    await setPlan(plan, withKpiCell(withKpiCell(await planOf(plan), 3, "1 200,5"), 4, "30/06/2030"));
    expect((await cast.applicant.client.rpc("submit_application", { application })).error).toBeNull();
  });

  it("sending to the Board refuses KPIs that do not type, and freezes nothing", async () => {
    const { application, plan } = await buildApplication(cast, "bdt_review");
    // BDT still edits in its review: the unit is emptied and the baseline is words.
    await setPlan(plan, withKpiCell(withKpiCell(await planOf(plan), 1, ""), 2, "none yet"));
    const send = () =>
      cast.reviewer.client.rpc("send_to_board", {
        application,
        recommendation: "Approve.",
        recommended_outcome: "approve",
      });
    const { error } = await send();
    expect(error?.hint).toBe("kpis_untyped");
    expect(error?.details).toBe(
      "kpi.entrepreneurship_sme_growth.1.unit_missing,kpi.entrepreneurship_sme_growth.1.baseline_not_number",
    );
    expect(await statusOf(application)).toBe("bdt_review");
    expect(await query("select 1 from public.plan_versions where plan_id = $1", [plan])).toEqual([]);
    await setPlan(plan, withKpiCell(withKpiCell(await planOf(plan), 1, "%"), 2, "12 %"));
    expect((await send()).error).toBeNull();
    expect(await statusOf(application)).toBe("board_review");
  });

  it("approval refuses a version frozen before the rule whose KPIs do not type; the Board may still send it back", async () => {
    const { application, plan } = await buildApplication(cast, "board_review");
    // A version sent to the Board before KPIs were typed (closed means closed: it stays as it was).
    const legacy = withKpiCell(await planOf(plan), 4, "2030");
    await withDatabase(async (db) => {
      await db.query("set session_replication_role = replica");
      await db.query(
        `update public.plan_versions set content = $2 where id = (select sent_plan_version_id from public.centre_applications where id = $1)`,
        [application, legacy],
      );
    });
    const packet = await buildPacket(chair, application);
    await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(member.client, "cast_vote", { packet, choice: "approve", reason: "Ready." });
    for (const outcome of ["approve", "approve_with_conditions"] as const) {
      const { error } = await chair.client.rpc("record_decision", {
        packet,
        outcome,
        conditions: outcome === "approve" ? undefined : "Report yearly.",
      });
      expect(error?.hint).toBe("kpis_untyped");
      expect(error?.details).toBe("kpi.entrepreneurship_sme_growth.1.target_date_invalid");
    }
    expect(await statusOf(application)).toBe("board_review");
    expect(await query("select 1 from public.centres where application_id = $1", [application])).toEqual([]);
    await rpc(chair.client, "record_decision", { packet, outcome: "request_changes", conditions: "Type the KPIs." });
    expect(await statusOf(application)).toBe("changes_requested");
  });

  it("an amendment is submitted, and becomes the baseline, only with KPIs that type", async () => {
    const built = await buildDesignatedCentre(cast, chair, member);
    const amendment = await rpc<string>(cast.applicant.client, "propose_amendment", {
      centre: built.centre,
      reason: "A new indicator.",
    });
    const [{ plan_id: plan }] = (await query<{ plan_id: string }>(
      "select plan_id from public.plan_amendments where id = $1",
      [amendment],
    )) as [{ plan_id: string }];
    await setPlan(plan, withKpiCell(await planOf(plan), 0, ""));
    const { error } = await cast.applicant.client.rpc("submit_amendment", { amendment });
    expect(error?.hint).toBe("kpis_untyped");
    expect(error?.details).toBe("kpi.entrepreneurship_sme_growth.1.indicator_missing");
    const [{ status }] = (await query<{ status: string }>("select status from public.plan_amendments where id = $1", [
      amendment,
    ])) as [{ status: string }];
    expect(status).toBe("draft");
    await setPlan(plan, withKpiCell(await planOf(plan), 0, "Start-ups accelerated"));
    await rpc(cast.applicant.client, "submit_amendment", { amendment });
    // The indicator changed: a major amendment, decided by the Board.
    const [{ major_reasons }] = (await query<{ major_reasons: string[] }>(
      "select major_reasons from public.plan_amendments where id = $1",
      [amendment],
    )) as [{ major_reasons: string[] }];
    expect(major_reasons).toEqual(["kpi_targets"]);
  });
});

describe("converting a live plan's free-text KPI table", { timeout: 120_000 }, () => {
  it("types what parses when the collaboration server loads it, flags the rest, keeps every word, once", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    const legacy: PlanNode = {
      type: "doc",
      content: [
        heading(2, "1. Entrepreneurship and SME growth"),
        heading(3, "Key performance indicators"),
        {
          type: "table",
          content: [
            row(["Indicator", "Baseline", "Target", "Date"], undefined, "tableHeader"),
            row(["Start-ups supported", "12", "45 %", "31/12/2028"]),
            row(["Jobs created", "none", "300", "2029"]),
          ],
        },
      ],
    };
    // The live document as it was co-edited before KPIs were typed.
    const old = new Y.Doc();
    prosemirrorJSONToYXmlFragment(getPlanSchema(), legacy, old.getXmlFragment(planFragmentName));
    await query(`insert into private.plan_updates (plan_id, "update") values ($1, $2)`, [
      plan,
      Buffer.from(Y.encodeStateAsUpdate(old)),
    ]);
    const keysBefore = (await query<{ kpi_key: string }>("select kpi_key from private.plan_kpis($1)", [legacy])).map(
      (kpi) => kpi.kpi_key,
    );

    const client = openPlanClient({ baseUrl: stack().url, planId: plan, token: await accessTokenOf(cast.applicant) });
    try {
      await client.synced();
      await waitFor(
        async () => (await planOf(plan)).content?.some((node) => node.attrs?.kind === "kpi") ?? false,
        60_000,
        "the converted content",
      );
      const kpis = await query<{ kpi_key: string; unit: string | null; target: string; problems: string[] }>(
        "select kpi_key, unit, target::text, problems from private.plan_kpis((select content from public.action_plans where id = $1))",
        [plan],
      );
      expect(kpis).toEqual([
        { kpi_key: keysBefore[0], unit: "%", target: "45", problems: [] },
        {
          kpi_key: keysBefore[1],
          unit: null,
          target: "300",
          problems: ["unit_missing", "baseline_not_number", "target_date_invalid"],
        },
      ]);
      // Nothing typed is lost: the words people wrote are all in the document they edit.
      for (const word of ["Start-ups supported", "12", "45 %", "31/12/2028", "Jobs created", "none", "300", "2029"])
        expect(client.text()).toContain(word);
      const [recorded] = await query<{ tables: number; flagged: unknown[] }>(
        "select tables, flagged from private.plan_kpi_conversions where plan_id = $1",
        [plan],
      );
      expect(recorded).toEqual({
        tables: 1,
        flagged: [{ kpiKey: keysBefore[1], problems: ["unit_missing", "baseline_not_number", "target_date_invalid"] }],
      });
      expect(
        await query("select 1 from public.audit_log where entity_id = $1 and action = 'convert_kpis'", [plan]),
      ).toHaveLength(1);
      // It ran once: recording it again changes nothing.
      expect(await query("select outcome from private.record_kpi_conversion($1, null, 0, 1, '[]')", [plan])).toEqual([
        { outcome: "done" },
      ]);
    } finally {
      client.destroy();
      old.destroy();
    }
  });
});

/** Fills a template as an applicant would: every empty paragraph answered, the KPI row typed, activities named. */
function filledTemplate(doc: PlanNode): PlanNode {
  const fill = (node: PlanNode, kpiRow = false): PlanNode => {
    if (node.type === "tableRow" && node.attrs?.kpiKey) {
      const values = ["Start-ups", "number", "10", "40", "2028-12-31"];
      return { ...node, content: node.content!.map((c, i) => cell("tableCell", values[i] ?? "x")) };
    }
    if (node.type === "paragraph" && (node.content ?? []).length === 0)
      return { ...node, content: [text("Answered.")] };
    return node.content ? { ...node, content: node.content.map((child) => fill(child, kpiRow)) } : node;
  };
  return fill(doc);
}

describe("the plan's parts in each of the six languages", () => {
  it("a filled template lacks nothing and its KPI types; an old free-text KPI table under its heading is read", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const [capability] = await query<{ code: string; label: Record<string, string> }>(
      "select code, label::jsonb as label from public.strategic_capabilities where code = 'entrepreneurship_sme_growth'",
    );
    for (const language of ["en", "fr", "es", "ar", "ru", "zh"] as const) {
      const template = buildPlanTemplate(
        "Centre",
        [{ code: capability!.code, label: capability!.label[language]! }],
        language,
      );
      await setPlan(plan, filledTemplate(template));
      const [{ missing }] = (await query<{ missing: string[] }>("select private.plan_missing_parts($1) as missing", [
        plan,
      ])) as [{ missing: string[] }];
      expect({ language, missing }).toEqual({ language, missing: [] });
      // The same table written before KPIs were typed (no kind, no unit column) is found by its heading.
      const legacy = JSON.parse(JSON.stringify(filledTemplate(template))) as PlanNode;
      const table = legacy.content!.find((node) => node.type === "table" && node.attrs?.kind === "kpi")!;
      delete table.attrs;
      table.content = [table.content![0]!, row(["Start-ups", "number", "10", "40", "31/12/2028"])];
      const rows = await planKpis(legacy);
      expect({ language, rows: rows.map((kpi) => [kpi.indicator, kpi.baseline, kpi.target]) }).toEqual({
        language,
        rows: [["Start-ups", "10", "40"]],
      });
    }
  });
});
