import { describe, expect, it } from "vitest";
import type { PlanNode } from "~/lib/plan-schema";
import { withDatabase } from "../support/supabase";

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
