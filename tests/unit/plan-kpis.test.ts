import { describe, expect, it } from "vitest";
import {
  convertPlanKpis,
  kpiColumnRole,
  parseKpiDate,
  parseKpiNumber,
  readPlanKpis,
  type CapabilityLabels,
} from "~/lib/plan-kpis";
import type { PlanNode } from "~/lib/plan-schema";

// The TypeScript twin of private.kpi_number / kpi_date / plan_kpis (issue 16): the same inputs, the same answers.

const capabilities: CapabilityLabels[] = [
  {
    code: "entrepreneurship_sme_growth",
    labels: ["Entrepreneurship and SME growth", "Entrepreneuriat et croissance des PME"],
  },
];
const labels = { indicator: "Indicator", unit: "Unit", baseline: "Baseline", target: "Target", date: "Target date" };
const cell = (type: string, value: string): PlanNode => ({
  type,
  content: [{ type: "paragraph", content: value ? [{ type: "text", text: value }] : [] }],
});
const row = (values: string[], type = "tableCell"): PlanNode => ({
  type: "tableRow",
  content: values.map((value) => cell(type, value)),
});
const heading = (level: number, text: string): PlanNode => ({
  type: "heading",
  attrs: { level },
  content: [{ type: "text", text }],
});
const texts = (node: PlanNode): string[] => [
  ...(node.text ? [node.text] : []),
  ...(node.content ?? []).flatMap((child) => texts(child)),
];

describe("KPI cells", () => {
  it("reads numbers as people type them", () => {
    const cases: [string, number | null][] = [
      ["1 200", 1200],
      ["1,200.5", 1200.5],
      ["1.200,5", 1200.5],
      ["45 %", 45],
      ["45%", 45],
      ["1,5", 1.5],
      ["1.200.000", 1200000],
      ["٤٥", 45],
      ["-3", -3],
      ["about 40", null],
      ["", null],
      ["12 start-ups", null],
    ];
    for (const [typed, value] of cases) expect([typed, parseKpiNumber(typed)]).toEqual([typed, value]);
  });

  it("reads ISO and day-first dates, and refuses dates that do not exist", () => {
    expect(parseKpiDate("2028-12-31")).toBe("2028-12-31");
    expect(parseKpiDate("31/12/2028")).toBe("2028-12-31");
    expect(parseKpiDate("1.7.2027")).toBe("2027-07-01");
    expect(parseKpiDate("31/02/2028")).toBeNull();
    expect(parseKpiDate("2028")).toBeNull();
    expect(parseKpiDate("June 2030")).toBeNull();
  });

  it("finds the fields of a header in the six languages", () => {
    expect(["Target date", "Fecha meta", "目标日期", "Целевая дата"].map(kpiColumnRole)).toEqual(
      Array(4).fill("targetDate"),
    );
    expect(["Valeur de référence", "خط الأساس", "Исходное значение", "基线"].map(kpiColumnRole)).toEqual(
      Array(4).fill("baseline"),
    );
    expect(["Cible", "Meta", "Целевое значение", "目标值"].map(kpiColumnRole)).toEqual(Array(4).fill("target"));
    expect(["Indicateur", "المؤشر", "Показатель", "指标"].map(kpiColumnRole)).toEqual(Array(4).fill("indicator"));
  });
});

describe("converting a free-text KPI table", () => {
  const legacy: PlanNode = {
    type: "doc",
    content: [
      heading(2, "1. Entrepreneuriat et croissance des PME"),
      heading(3, "Indicateurs clés de performance"),
      {
        type: "table",
        content: [
          row(["Indicateur", "Valeur de référence", "Cible", "Date", "Source"], "tableHeader"),
          row(["Start-up accompagnées", "12", "45 %", "31/12/2028", "Registre"]),
          row(["", "", "", "", ""]),
          row(["Emplois créés", "aucun", "300", "2029", ""]),
        ],
      },
    ],
  };

  it("types what parses, flags the rest, keeps every word and the keys plan_kpis gave", () => {
    const before = readPlanKpis(legacy, capabilities);
    const { content, changed, tables, flagged } = convertPlanKpis(legacy, capabilities, labels);
    expect(changed).toBe(true);
    expect(tables).toBe(1);
    const table = content.content![2]!;
    expect(table.attrs).toEqual({ kind: "kpi", capability: "entrepreneurship_sme_growth" });
    expect(table.content!.map((line) => line.content!.map((one) => texts(one).join("")))).toEqual([
      ["Indicator", "Unit", "Baseline", "Target", "Target date", "Source"],
      ["Start-up accompagnées", "%", "12", "45 %", "31/12/2028", "Registre"],
      ["", "", "", "", "", ""],
      ["Emplois créés", "", "aucun", "300", "2029", ""],
    ]);
    const after = readPlanKpis(content, capabilities);
    expect(after.map((kpi) => kpi.kpiKey)).toEqual(before.map((kpi) => kpi.kpiKey));
    expect(after.map((kpi) => kpi.kpiKey)).toEqual(["entrepreneurship_sme_growth.1", "entrepreneurship_sme_growth.2"]);
    expect(flagged).toEqual([
      {
        kpiKey: "entrepreneurship_sme_growth.2",
        problems: ["unit_missing", "baseline_not_number", "target_date_invalid"],
      },
    ]);
    // Nothing typed is lost: every text of the old table is in the new one.
    const kept = texts(content);
    for (const text of texts(legacy).filter(
      (one) => !["Indicateur", "Valeur de référence", "Cible", "Date"].includes(one),
    ))
      expect(kept).toContain(text);
  });

  it("runs once: a converted plan converts to itself", () => {
    const { content } = convertPlanKpis(legacy, capabilities, labels);
    expect(convertPlanKpis(content, capabilities, labels)).toMatchObject({ changed: false, tables: 0 });
  });
});
