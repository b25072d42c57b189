import type { ChartData } from "~/components/charts";
import { chartCsvHref } from "~/lib/chart-csv.server";
import { MAX_ATTACHMENT_BYTES, sniffFileType } from "~/lib/file-type";
import { checkRead, databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { FieldErrors } from "~/lib/forms";
import { kpiStatuses, parseActual, type ReportChange } from "~/validation/progress-reports";

/** Issue 16: reporting periods and progress reports. RLS decides who reads them; functions decide who writes. */

export async function listReportingPeriods(supabase: SupabaseServerClient) {
  const [periods, reports] = await Promise.all([
    supabase
      .from("reporting_periods")
      .select("id, name, covers_from, covers_to, due_on, created_at")
      .order("covers_to", {
        ascending: false,
      }),
    supabase
      .from("progress_reports")
      .select("id, period_id, status, updated_at, centre:centres(id, name)")
      .order("created_at")
      .limit(2000),
  ]);
  const rows = checkRead("reporting periods", reports) ?? [];
  return (checkRead("reporting periods", periods) ?? []).map((period) => ({
    ...period,
    reports: rows.filter((report) => report.period_id === period.id),
  }));
}

export const openReportingPeriod = (
  supabase: SupabaseServerClient,
  period: { name: string; covers_from: string; covers_to: string; due_on: string },
) => callRpc(supabase, "open_reporting_period", period);

/**
 * One report with its period, centre, KPI lines, narratives, evidence and the baseline it measures against, and
 * whether `userId` is one of the centre's people (who write it).
 */
export async function getProgressReport(supabase: SupabaseServerClient, id: string, userId: string) {
  const report = checkRead(
    "progress report",
    await supabase
      .from("progress_reports")
      .select(
        `id, status, version, review_reason, reviewed_at, submitted_at, updated_at, organisation_id, baseline_id,
         period:reporting_periods(id, name, covers_from, covers_to, due_on),
         centre:centres(id, name, capabilities),
         baseline:centre_baselines(id, approved_at, approving_body, amendment_id),
         kpis:progress_report_kpis(kpi_key, capability, position, indicator, unit, baseline, target, target_date, actual, status),
         narratives:progress_report_narratives(capability, body),
         evidence:attachments(id, file_name, size_bytes, created_at)`,
      )
      .eq("id", id)
      .maybeSingle(),
  );
  if (!report) return null;
  // The reader's own membership: members see all of their organisation's people and BDT sees every membership, so
  // without the user filter a centre of two people read as "not a member" (no inputs: the first e2e's missing rows)
  // and BDT read as a member of a one-person centre.
  const member = checkRead(
    "report membership",
    await supabase
      .from("organisation_members")
      .select("organisation_id")
      .eq("organisation_id", report.organisation_id)
      .eq("user_id", userId)
      .maybeSingle(),
  );
  return {
    ...report,
    kpis: [...report.kpis].sort((a, b) => a.capability.localeCompare(b.capability) || a.position - b.position),
    isMember: Boolean(member),
  };
}

/**
 * The fields a writer changed, from the form: `actual:<kpi>`, `status:<kpi>` and `narrative:<capability>`, each with
 * the value the page showed (`was-…`). Unchanged fields are not sent, so two people writing different parts of the
 * same report never overwrite each other.
 */
export function reportChanges(values: Record<string, string>): { changes: ReportChange[]; errors: FieldErrors } {
  const changes: ReportChange[] = [];
  const errors: FieldErrors = {};
  const blank = (value: string | undefined) => (value ?? "").trim() || null;
  for (const [name, raw] of Object.entries(values)) {
    const [field, ...rest] = name.split(":");
    const key = rest.join(":");
    if (!key || !(field === "actual" || field === "status" || field === "narrative")) continue;
    const before = blank(values[`was-${name}`]);
    let to = blank(raw);
    if (field === "actual" && to !== null) {
      const parsed = parseActual(to);
      if (parsed === null) {
        errors[name] = { key: "progress.errors.actualNumber" };
        continue;
      }
      to = parsed;
      if (before !== null && Number(before) === Number(parsed)) continue;
    }
    if (field === "status" && to !== null && !(kpiStatuses as readonly string[]).includes(to)) {
      errors[name] = { key: "progress.errors.statusUnknown" };
      continue;
    }
    if (to === before) continue;
    changes.push(
      field === "narrative" ? { field, capability: key, from: before, to } : { field, kpi: key, from: before, to },
    );
  }
  return { changes, errors };
}

export async function saveProgressReport(supabase: SupabaseServerClient, report: string, changes: ReportChange[]) {
  const result = await callRpc(supabase, "save_progress_report", { report, changes });
  const conflicts = result.error?.code === "report_conflict" ? (result.error.details ?? "").split(",") : [];
  return { ...result, conflicts };
}

export const submitProgressReport = (supabase: SupabaseServerClient, report: string) =>
  callRpc(supabase, "submit_progress_report", { report });

export const reviewProgressReport = (
  supabase: SupabaseServerClient,
  report: string,
  accept: boolean,
  reason?: string,
) => callRpc(supabase, "review_progress_report", { report, accept, reason: reason || undefined });

/** Evidence: size and type checked from the bytes here, and again by the database. */
export async function addReportEvidence(supabase: SupabaseServerClient, report: string, file: File) {
  if (file.size === 0) return { error: { code: "file_empty" } };
  if (file.size > MAX_ATTACHMENT_BYTES) return { error: { code: "file_too_large" } };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = sniffFileType(bytes);
  if (!type) return { error: { code: "file_type_not_allowed" } };
  const result = await callRpc(supabase, "add_report_evidence", {
    report,
    file_name: file.name || "evidence",
    content_type: type,
    content_base64: Buffer.from(bytes).toString("base64"),
  });
  return { error: result.error };
}

export const removeReportEvidence = (supabase: SupabaseServerClient, attachment: string) =>
  callRpc(supabase, "remove_report_evidence", { attachment });

/** The KPI summary of a centre's latest accepted report: public (the centre's page). */
export async function getPublicCentreProgress(supabase: SupabaseServerClient, centre: string) {
  const { data, error } = await callRpc(supabase, "public_centre_progress", { centre });
  if (error) throw databaseError("centre progress", error);
  const rows = data ?? [];
  if (rows.length === 0) return null;
  return {
    periodName: rows[0]!.period_name,
    coversFrom: rows[0]!.covers_from,
    coversTo: rows[0]!.covers_to,
    kpis: rows,
  };
}

/** The reports a person's organisations are writing (home to-do list). */
export async function listReportsToWrite(supabase: SupabaseServerClient, organisations: string[]) {
  if (organisations.length === 0) return [];
  return (
    checkRead(
      "reports to write",
      await supabase
        .from("progress_reports")
        .select("id, status, centre:centres(name), period:reporting_periods(name, due_on)")
        .in("organisation_id", organisations)
        .in("status", ["draft", "changes_requested"])
        .limit(10),
    ) ?? []
  );
}

type Translate = (key: string, options?: Record<string, unknown>) => string;
interface ProgressReference {
  capabilities: { code: string; label: string }[];
  centreTypes: { code: string; label: string }[];
}

/** One chart's props, its CSV built here from the very cells the page shows. */
function chart(data: ChartData, csvFileName: string, description?: string, format?: Intl.NumberFormatOptions) {
  return { data, description, csvHref: chartCsvHref(data), csvFileName, format, showTotal: data.series.length > 1 };
}

/**
 * The Network's progress for BDT and the Board (issue 16): the share of KPIs on track (or achieved) per period, and the
 * latest period's KPIs per capability, region and centre type by status. Counts come from accepted reports only.
 */
export async function loadNetworkProgress(supabase: SupabaseServerClient, t: Translate, reference: ProgressReference) {
  const { data, error } = await callRpc(supabase, "list_network_progress", {});
  if (error) throw databaseError("network progress", error);
  const rows = data ?? [];
  if (rows.length === 0) return null;
  const periods = [...new Map(rows.map((row) => [row.period_id, row])).values()].sort((a, b) =>
    a.covers_to.localeCompare(b.covers_to),
  );
  const share = periods.map((period) => {
    const of = rows.filter((row) => row.period_id === period.period_id);
    const total = of.reduce((sum, row) => sum + row.kpis, 0);
    const good = of
      .filter((row) => ["on_track", "achieved"].includes(row.status))
      .reduce((sum, row) => sum + row.kpis, 0);
    return total > 0 ? Math.round((1000 * good) / total) / 10 : 0;
  });
  const overTime = chart(
    {
      title: t("progress.network.overTime"),
      categoryLabel: t("progress.network.period"),
      categories: periods.map((period) => period.period_name),
      series: [{ key: "share", label: t("progress.network.share"), values: share }],
    },
    "network-progress-over-time.csv",
    undefined,
    { maximumFractionDigits: 1 },
  );
  const latest = periods[periods.length - 1]!;
  const latestRows = rows.filter((row) => row.period_id === latest.period_id);
  const byStatus = (
    title: string,
    categoryLabel: string,
    keyOf: (row: (typeof rows)[number]) => string,
    labelOf: (key: string) => string,
    file: string,
  ) => {
    const keys = [...new Set(latestRows.map(keyOf))].sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
    return chart(
      {
        title,
        categoryLabel,
        categories: keys.map(labelOf),
        series: kpiStatuses.map((status) => ({
          key: status,
          label: t(`progress.kpiStatuses.${status}`),
          values: keys.map((key) =>
            latestRows
              .filter((row) => keyOf(row) === key && row.status === status)
              .reduce((sum, row) => sum + row.kpis, 0),
          ),
        })),
      },
      file,
      t("progress.network.countsHelp"),
    );
  };
  const labelIn = (list: { code: string; label: string }[]) => (code: string) =>
    code === "general" ? t("progress.network.general") : (list.find((item) => item.code === code)?.label ?? code);
  return {
    overTime,
    byCapability: byStatus(
      t("progress.network.byCapability", { period: latest.period_name }),
      t("progress.capability"),
      (row) => row.capability,
      labelIn(reference.capabilities),
      "network-progress-by-capability.csv",
    ),
    byRegion: byStatus(
      t("progress.network.byRegion", { period: latest.period_name }),
      t("progress.network.region"),
      (row) => row.region_code,
      (code) => t(`regions.${code}`),
      "network-progress-by-region.csv",
    ),
    byType: byStatus(
      t("progress.network.byType", { period: latest.period_name }),
      t("progress.network.type"),
      (row) => row.centre_type,
      labelIn(reference.centreTypes),
      "network-progress-by-centre-type.csv",
    ),
  };
}
