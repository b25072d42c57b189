import type { PlanNode } from "./plan-schema";

/*
 * Issue 16: KPIs in the action plan are structured. A KPI table carries attrs kind = "kpi" (and its capability's code)
 * and five columns in this order; each body row carries attrs kpiKey, a key that stays the same across the plan's
 * versions. This module is the TypeScript twin of the SQL in supabase/migrations/20261204000100_plan_kpis.sql
 * (private.kpi_number, private.kpi_date, private.plan_kpis): the editor validates cells with it as people type, and
 * the collaboration server converts old free-text KPI tables with it, giving each row the key plan_kpis gives it.
 */

export const kpiFields = ["indicator", "unit", "baseline", "target", "targetDate"] as const;
export type KpiField = (typeof kpiFields)[number];

export const kpiProblems = [
  "indicator_missing",
  "unit_missing",
  "baseline_missing",
  "baseline_not_number",
  "target_missing",
  "target_not_number",
  "target_date_missing",
  "target_date_invalid",
] as const;
export type KpiProblem = (typeof kpiProblems)[number];

const easternDigits = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹";

function westernDigits(value: string): string {
  return value.replace(/[٠-٩۰-۹]/g, (digit) => String(easternDigits.indexOf(digit) % 10));
}

/** A number as people type it ("1 200", "1,200.5", "1.200,5", "45 %", Arabic-Indic digits), or null. */
export function parseKpiNumber(value: string | null | undefined): number | null {
  if (value == null) return null;
  let s = westernDigits(value).replace(/٫/g, ".").replace(/٬/g, ",").replace(/−/g, "-");
  s = s.replace(/[\s\u00a0\u2007\u2009\u202f'’]/g, "").replace(/[%٪]$/, "");
  if (s === "") return null;
  if (s.includes(",") && s.includes(".")) {
    s = s.lastIndexOf(",") > s.lastIndexOf(".") ? s.replace(/\./g, "").replace(",", ".") : s.replace(/,/g, "");
  } else if (s.includes(",")) {
    s = /^[+-]?[0-9]{1,3}(,[0-9]{3})+$/.test(s) ? s.replace(/,/g, "") : s.replace(/,/g, ".");
  } else if (/^[+-]?[0-9]{1,3}(\.[0-9]{3}){2,}$/.test(s)) {
    s = s.replace(/\./g, "");
  }
  if (!/^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(s)) return null;
  return Number(s);
}

/** A date as people type it, ISO (2028-12-31) or day first (31/12/2028, 31.12.2028): "YYYY-MM-DD", or null. */
export function parseKpiDate(value: string | null | undefined): string | null {
  const s = westernDigits(value ?? "").trim();
  let parts: [number, number, number] | null = null;
  const iso = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(s);
  const dayFirst = /^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$/.exec(s);
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dayFirst) parts = [Number(dayFirst[3]), Number(dayFirst[2]), Number(dayFirst[1])];
  if (!parts) return null;
  const [year, month, day] = parts;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Why a KPI cell does not type, or null when it does (blank counts as missing). */
export function kpiCellProblem(field: KpiField, value: string | null): KpiProblem | null {
  const blank = !value;
  switch (field) {
    case "indicator":
      return blank ? "indicator_missing" : null;
    case "unit":
      return blank ? "unit_missing" : null;
    case "baseline":
      return blank ? "baseline_missing" : parseKpiNumber(value) === null ? "baseline_not_number" : null;
    case "target":
      return blank ? "target_missing" : parseKpiNumber(value) === null ? "target_not_number" : null;
    case "targetDate":
      return blank ? "target_date_missing" : parseKpiDate(value) === null ? "target_date_invalid" : null;
  }
}

/** The KPI field a header cell names, in any of the six languages (private.kpi_column_role). */
export function kpiColumnRole(header: string): KpiField | null {
  if (/date|fecha|échéance|deadline|التاريخ|[Дд]ата|[Сс]рок|日期|期限/i.test(header)) return "targetDate";
  if (/unit|unidad|الوحدة|[Ее]диниц|单位/i.test(header)) return "unit";
  if (/baseline|base|référence|reference|خط الأساس|[Ии]сходн|基线/i.test(header)) return "baseline";
  if (/target|cible|meta|objetivo|الهدف|المستهدف|[Цц]елев|目标/i.test(header)) return "target";
  if (/indicat|kpi|المؤشر|مؤشر|[Пп]оказател|指标/i.test(header)) return "indicator";
  return null;
}

/** A heading over a KPI table, in any of the six languages (as private.plan_missing_parts finds it). */
export const kpiHeadingPattern = /indicat|kpi|مؤشر|[Пп]оказател|指标/i;

const trimSpaces = (value: string) => value.replace(/^ +| +$/g, "");

function texts(node: PlanNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if (typeof node.text === "string") out.push(node.text);
  for (const child of node.content ?? []) texts(child, out);
  return out;
}

/** The text of a cell: its paragraphs' text, joined by a space (private.kpi_cell_text), or null when blank. */
export function kpiCellText(cell: PlanNode | undefined): string | null {
  if (!cell) return null;
  const joined = trimSpaces((cell.content ?? []).map((child) => trimSpaces(texts(child).join(""))).join(" "));
  return joined === "" ? null : joined;
}

export function hasText(node: PlanNode | undefined): boolean {
  return texts(node).some((value) => /\S/.test(value));
}

const isHeaderRow = (row: PlanNode) => row.content?.[0]?.type === "tableHeader";

/** A capability and its labels in every language, to find its section by its heading. */
export interface CapabilityLabels {
  code: string;
  labels: string[];
}

function headingText(node: PlanNode): string {
  return (node.content ?? []).map((child) => child.text ?? "").join("");
}

function headingLevel(node: PlanNode): number | null {
  return node.type === "heading" && typeof node.attrs?.level === "number" ? node.attrs.level : null;
}

export interface KpiRow {
  kpiKey: string;
  capability: string;
  position: number;
  values: Record<KpiField, string | null>;
  problems: KpiProblem[];
}

interface KpiTableVisit {
  table: PlanNode;
  index: number;
  capability: string;
  /** Column index of each field (null: the table has no such column). */
  columns: Record<KpiField, number | null>;
  typed: boolean;
}

function legacyColumns(table: PlanNode): { columns: Record<KpiField, number | null>; roles: (KpiField | null)[] } {
  const header = (table.content ?? []).find(isHeaderRow);
  const roles = (header?.content ?? []).map((cell) => kpiColumnRole(kpiCellText(cell) ?? ""));
  const columns: Record<KpiField, number | null> = {
    indicator: null,
    unit: null,
    baseline: null,
    target: null,
    targetDate: null,
  };
  roles.forEach((role, index) => {
    if (role && columns[role] === null) columns[role] = index;
  });
  if (Object.values(columns).every((column) => column === null)) {
    return { columns: { indicator: 0, unit: null, baseline: 1, target: 2, targetDate: 3 }, roles };
  }
  if (columns.indicator === null) {
    const free = roles.findIndex((role) => role === null);
    columns.indicator = free === -1 ? null : free;
  }
  return { columns, roles };
}

/** Walks the KPI tables of a plan as private.plan_kpis does: sections, KPI headings, typed or free-text tables. */
function visitKpiTables(doc: PlanNode, capabilities: CapabilityLabels[], visit: (table: KpiTableVisit) => void) {
  let section = "general";
  let inKpis = false;
  (doc.content ?? []).forEach((block, index) => {
    const level = headingLevel(block);
    if (level !== null) {
      const heading = headingText(block).toLowerCase();
      if (level <= 2) {
        inKpis = false;
        if (level === 2) {
          section =
            capabilities.find((capability) =>
              capability.labels.some((label) => label.trim() !== "" && heading.includes(label.toLowerCase())),
            )?.code ?? "general";
        }
      } else {
        inKpis = kpiHeadingPattern.test(heading);
      }
      return;
    }
    if (block.type !== "table") return;
    const typed = block.attrs?.kind === "kpi";
    if (!typed && !inKpis) return;
    const own = typeof block.attrs?.capability === "string" ? block.attrs.capability.trim() : "";
    visit({
      table: block,
      index,
      capability: own || section,
      columns: typed ? { indicator: 0, unit: 1, baseline: 2, target: 3, targetDate: 4 } : legacyColumns(block).columns,
      typed,
    });
  });
}

/** Gives out KPI keys as private.plan_kpis does: the row's own unless taken, else `<capability>.<position>`. */
function keyGiver() {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  return (capability: string, own: unknown): { key: string; position: number } => {
    const position = (counts.get(capability) ?? 0) + 1;
    counts.set(capability, position);
    let key = typeof own === "string" && own.trim() !== "" ? own.trim() : "";
    if (key === "" || seen.has(key)) key = `${capability}.${position}`;
    for (let i = 2; seen.has(key); i++) key = `${capability}.${position}.${i}`;
    seen.add(key);
    return { key, position };
  };
}

/** The KPI rows of a plan document, as private.plan_kpis reads them. */
export function readPlanKpis(doc: PlanNode, capabilities: CapabilityLabels[]): KpiRow[] {
  const rows: KpiRow[] = [];
  const give = keyGiver();
  visitKpiTables(doc, capabilities, ({ table, capability, columns }) => {
    for (const row of table.content ?? []) {
      if (isHeaderRow(row) || !hasText(row)) continue;
      const { key, position } = give(capability, row.attrs?.kpiKey);
      const values = Object.fromEntries(
        kpiFields.map((field) => {
          const column = columns[field];
          return [field, column === null ? null : kpiCellText(row.content?.[column])];
        }),
      ) as Record<KpiField, string | null>;
      const problems = kpiFields
        .map((field) => kpiCellProblem(field, values[field]))
        .filter((problem): problem is KpiProblem => problem !== null);
      rows.push({ kpiKey: key, capability, position, values, problems });
    }
  });
  return rows;
}

export interface KpiColumnLabels {
  indicator: string;
  unit: string;
  baseline: string;
  target: string;
  date: string;
}

const emptyCell = (type: "tableCell" | "tableHeader", text = ""): PlanNode => ({
  type,
  content: [{ type: "paragraph", content: text ? [{ type: "text", text }] : [] }],
});

export interface KpiConversion {
  content: PlanNode;
  changed: boolean;
  /** Tables turned from free text into typed KPI tables. */
  tables: number;
  /** The KPI rows that still do not type: the centre completes them (the editor marks each cell). */
  flagged: { kpiKey: string; problems: KpiProblem[] }[];
}

/**
 * Converts a plan's free-text KPI tables into typed ones, once (the collaboration server, when it loads a plan):
 * columns found by their header move into the typed order (a unit column is added where the old template had
 * none, "%" when the numbers carried it), every cell keeps its content as typed (what parses is typed, the rest stays
 * as text and is flagged), columns that name no KPI field are kept after the typed ones, and each row gets the key
 * private.plan_kpis gives it. Typed tables only get keys their rows lack. Nothing typed is lost.
 */
export function convertPlanKpis(
  doc: PlanNode,
  capabilities: CapabilityLabels[],
  labels: KpiColumnLabels,
): KpiConversion {
  const content = JSON.parse(JSON.stringify(doc)) as PlanNode;
  const blocks = content.content ?? [];
  const give = keyGiver();
  let tables = 0;
  visitKpiTables(content, capabilities, ({ table, index, capability, typed }) => {
    let next: PlanNode = table;
    if (!typed) {
      tables++;
      const { columns, roles } = legacyColumns(table);
      const mapped = new Set(Object.values(columns).filter((column): column is number => column !== null));
      const width = Math.max(roles.length, ...(table.content ?? []).map((row) => row.content?.length ?? 0));
      const extra = Array.from({ length: width }, (_, column) => column).filter((column) => !mapped.has(column));
      const header: PlanNode = {
        type: "tableRow",
        content: [
          ...[labels.indicator, labels.unit, labels.baseline, labels.target, labels.date].map((label) =>
            emptyCell("tableHeader", label),
          ),
          ...extra.map(
            (column) => (table.content ?? []).find(isHeaderRow)?.content?.[column] ?? emptyCell("tableHeader", ""),
          ),
        ],
      };
      let headerReplaced = false;
      const rows: PlanNode[] = [];
      for (const row of table.content ?? []) {
        if (isHeaderRow(row)) {
          if (headerReplaced) rows.push(row);
          else rows.push(header);
          headerReplaced = true;
          continue;
        }
        const cellAt = (column: number | null) =>
          column === null ? emptyCell("tableCell") : (row.content?.[column] ?? emptyCell("tableCell"));
        const unit = cellAt(columns.unit);
        const percent = [columns.baseline, columns.target].some((column) =>
          /[%٪]\s*$/.test(column === null ? "" : (kpiCellText(row.content?.[column]) ?? "")),
        );
        rows.push({
          ...row,
          content: [
            cellAt(columns.indicator),
            hasText(unit) || !percent ? unit : emptyCell("tableCell", "%"),
            cellAt(columns.baseline),
            cellAt(columns.target),
            cellAt(columns.targetDate),
            ...extra.map((column) => row.content?.[column] ?? emptyCell("tableCell")),
          ],
        });
      }
      if (!headerReplaced) rows.unshift(header);
      next = { ...table, attrs: { ...table.attrs, kind: "kpi", capability }, content: rows };
    } else if (typeof table.attrs?.capability !== "string" || table.attrs.capability.trim() === "") {
      next = { ...table, attrs: { ...table.attrs, capability } };
    }
    next = {
      ...next,
      content: (next.content ?? []).map((row) => {
        if (isHeaderRow(row) || !hasText(row)) return row;
        const { key } = give(capability, row.attrs?.kpiKey);
        return row.attrs?.kpiKey === key ? row : { ...row, attrs: { ...row.attrs, kpiKey: key } };
      }),
    };
    blocks[index] = next;
  });
  const changed = JSON.stringify(content) !== JSON.stringify(doc);
  const flagged = readPlanKpis(content, capabilities)
    .filter((row) => row.problems.length > 0)
    .map((row) => ({ kpiKey: row.kpiKey, problems: row.problems }));
  return { content: changed ? content : doc, changed, tables, flagged };
}
