import type { TFunction } from "i18next";
import type { ChartData } from "~/components/charts";
import { chartCsvHref } from "~/lib/chart-csv.server";
import { databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { ReferenceData } from "~/models/reference.server";
import { OVERDUE_DAYS } from "~/validation/queue";
import { regionCodes, type DashboardFilters } from "~/validation/dashboards";

export const eoiStates = [
  "submitted",
  "under_validation",
  "clarification_requested",
  "resubmitted",
  "validated",
  "declined",
  "withdrawn",
] as const;
export const applicationStates = [
  "draft",
  "submitted",
  "bdt_review",
  "board_review",
  "changes_requested",
  "approved",
  "approved_with_conditions",
  "rejected",
] as const;
const developmentCodes = ["ldc", "lldc", "sids"] as const;
const scopeCodes = ["global", "regional", "national"] as const;

/** A chart ready to render: its data (labels translated on the server) and the CSV link of the same cells. */
export interface PreparedChart {
  data: ChartData;
  csvHref: string;
  csvFileName: string;
  description?: string;
  format?: Intl.NumberFormatOptions;
}

const prepare = (data: ChartData, csvFileName: string, extra: Partial<PreparedChart> = {}): PreparedChart => ({
  data,
  csvHref: chartCsvHref(data),
  csvFileName,
  ...extra,
});

function rpcFailure(what: string, error: { code: string; message: string }) {
  // A refusal (not BDT, unknown filter) is the caller's; anything else is a database fault, logged as a 500.
  if (error.code === "not_allowed") throw new Response("Forbidden", { status: 403 });
  if (error.code === "invalid_reference" || error.code === "not_found" || error.code === "invalid_input") {
    throw new Response("Not found", { status: 404 });
  }
  return databaseError(what, error);
}

/** The pipeline of one call (or every call) for BDT: four charts, each with its table and CSV. */
export async function loadPipeline(
  supabase: SupabaseServerClient,
  filters: DashboardFilters,
  t: TFunction,
  formatWeek: (isoDate: string) => string,
) {
  const args = {
    ...(filters.call ? { call: filters.call } : {}),
    ...(filters.region ? { region: filters.region } : {}),
    ...(filters.type ? { centre_type: filters.type } : {}),
  };
  const [pipeline, durations, submissions, workload] = await Promise.all([
    callRpc(supabase, "dashboard_pipeline", { ...args, overdue_days: OVERDUE_DAYS }),
    callRpc(supabase, "dashboard_state_durations", args),
    callRpc(supabase, "dashboard_submissions", args),
    callRpc(supabase, "reviewer_workload", { overdue_days: OVERDUE_DAYS }),
  ]);
  for (const [what, result] of [
    ["pipeline", pipeline],
    ["state durations", durations],
    ["submissions", submissions],
    ["reviewer workload", workload],
  ] as const) {
    if (result.error) throw rpcFailure(what, result.error);
  }
  const rows = pipeline.data ?? [];
  const count = (kind: string, status: string, field: "items" | "overdue") =>
    rows.find((row) => row.kind === kind && row.status === status)?.[field] ?? 0;
  const byState = (kind: "eoi" | "application", states: readonly string[], title: string, file: string) =>
    prepare(
      {
        title,
        categoryLabel: t("dashboards.state"),
        categories: states.map((state) => t(`status.${state}`)),
        series: [
          { key: "items", label: t("dashboards.items"), values: states.map((s) => count(kind, s, "items")) },
          { key: "overdue", label: t("dashboards.overdue"), values: states.map((s) => count(kind, s, "overdue")) },
        ],
      },
      file,
      { description: t("dashboards.overdueHelp", { days: OVERDUE_DAYS }) },
    );
  const durationRows = durations.data ?? [];
  const stays = (["eoi", "application"] as const).flatMap((kind) =>
    (kind === "eoi" ? ["draft", ...eoiStates] : applicationStates)
      .map((state) => durationRows.find((row) => row.kind === kind && row.status === state))
      .filter((row) => row !== undefined),
  );
  const load = workload.data ?? [];
  return {
    totals: {
      eois: rows.filter((row) => row.kind === "eoi").reduce((sum, row) => sum + row.items, 0),
      applications: rows.filter((row) => row.kind === "application").reduce((sum, row) => sum + row.items, 0),
      overdue: rows.reduce((sum, row) => sum + row.overdue, 0),
    },
    eois: byState("eoi", eoiStates, t("dashboards.eoisByState"), "eois-by-state.csv"),
    applications: byState("application", applicationStates, t("dashboards.applicationsByState"), "applications.csv"),
    durations: prepare(
      {
        title: t("dashboards.timeInState"),
        categoryLabel: t("dashboards.state"),
        categories: stays.map((row) =>
          t(row.kind === "eoi" ? "dashboards.eoiState" : "dashboards.applicationState", {
            state: t(`status.${row.status}`),
          }),
        ),
        series: [
          { key: "median", label: t("dashboards.median"), values: stays.map((row) => Number(row.median_days)) },
          { key: "p90", label: t("dashboards.p90"), values: stays.map((row) => Number(row.p90_days)) },
          { key: "stays", label: t("dashboards.stays"), values: stays.map((row) => row.stays) },
        ],
      },
      "time-in-state.csv",
      { description: t("dashboards.timeInStateHelp"), format: { maximumFractionDigits: 1 } },
    ),
    submissions: prepare(
      {
        title: t("dashboards.submissionsOverTime"),
        categoryLabel: t("dashboards.week"),
        categories: (submissions.data ?? []).map((row) => formatWeek(row.week)),
        series: [
          {
            key: "eois",
            label: t("dashboards.eoisSubmitted"),
            values: (submissions.data ?? []).map((row) => row.eois),
          },
        ],
      },
      "submissions-per-week.csv",
      { description: t("dashboards.submissionsHelp") },
    ),
    reviewerLoad: prepare(
      {
        title: t("dashboards.reviewerLoad"),
        categoryLabel: t("dashboards.reviewer"),
        categories: load.map((row) => row.name),
        series: [
          { key: "eois", label: t("dashboards.openEois"), values: load.map((row) => row.open_eois) },
          { key: "overdue", label: t("dashboards.overdue"), values: load.map((row) => row.overdue_eois) },
          {
            key: "applications",
            label: t("dashboards.openApplications"),
            values: load.map((row) => row.open_applications),
          },
        ],
      },
      "reviewer-load.csv",
      { description: t("dashboards.reviewerLoadHelp") },
    ),
  };
}

/**
 * The balance of the network: designated centres, stacked with those under review (every application before the
 * Board, or one review's undecided packets when `review` is given and the toggle is on).
 */
export async function loadPortfolio(
  supabase: SupabaseServerClient,
  options: { review?: string; includeReview: boolean },
  t: TFunction,
  reference: ReferenceData,
) {
  const { data, error } = await callRpc(
    supabase,
    "dashboard_portfolio",
    options.review ? { review: options.review } : {},
  );
  if (error) throw rpcFailure("portfolio", error);
  const rows = data ?? [];
  const value = (dimension: string, category: string, field: "designated" | "under_review") =>
    rows.find((row) => row.dimension === dimension && row.category === category)?.[field] ?? 0;
  const reviewLabel = options.review ? t("dashboards.inThisReview") : t("dashboards.beforeTheBoard");
  const chart = (dimension: string, categories: { code: string; label: string }[], title: string, file: string) =>
    prepare(
      {
        title,
        categoryLabel: t(`dashboards.dimension.${dimension}`),
        categories: categories.map((category) => category.label),
        series: [
          {
            key: "designated",
            label: t("dashboards.designated"),
            values: categories.map((c) => value(dimension, c.code, "designated")),
          },
          ...(options.includeReview
            ? [
                {
                  key: "review",
                  label: reviewLabel,
                  values: categories.map((c) => value(dimension, c.code, "under_review")),
                },
              ]
            : []),
        ],
      },
      file,
    );
  return {
    designated: value("total", "all", "designated"),
    underReview: value("total", "all", "under_review"),
    hidden: value("hidden", "applications", "under_review"),
    charts: [
      chart(
        "region",
        regionCodes.map((code) => ({ code, label: t(`regions.${code}`) })),
        t("dashboards.byRegion"),
        "centres-by-region.csv",
      ),
      chart(
        "development",
        developmentCodes.map((code) => ({ code, label: t(`dashboards.development.${code}`) })),
        t("dashboards.byDevelopment"),
        "centres-by-development-status.csv",
      ),
      chart("centre_type", reference.centreTypes, t("dashboards.byType"), "centres-by-type.csv"),
      chart(
        "scope",
        scopeCodes.map((code) => ({ code, label: t(`scopes.${code}`) })),
        t("dashboards.byScope"),
        "centres-by-scope.csv",
      ),
      chart("capability", reference.capabilities, t("dashboards.byCapability"), "centres-by-capability.csv"),
    ],
  };
}

/** Reviewers' regions and load, for the people page and the auto-assignment preview. */
export async function listReviewerWorkload(supabase: SupabaseServerClient) {
  const { data, error } = await callRpc(supabase, "reviewer_workload", { overdue_days: OVERDUE_DAYS });
  if (error) throw databaseError("reviewer workload", error);
  return data ?? [];
}

/** The review a portfolio is shown for (Board and BDT read reviews); a review the caller cannot read is a 404. */
export async function getReviewTitle(supabase: SupabaseServerClient, id: string) {
  const { data, error } = await supabase.from("board_reviews").select("id, title").eq("id", id).maybeSingle();
  if (error) throw databaseError("board review", error);
  if (!data) throw new Response("Not found", { status: 404 });
  return data;
}
