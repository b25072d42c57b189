import { z } from "zod";

/** Forms of reporting periods and progress reports (issue 16). Messages are i18n keys. */

export const kpiStatuses = ["on_track", "at_risk", "off_track", "achieved"] as const;
export type KpiStatus = (typeof kpiStatuses)[number];

export type ReportChange =
  | { field: "actual" | "status"; kpi: string; from: string | null; to: string | null }
  | { field: "narrative"; capability: string; from: string | null; to: string | null };

/** An actual value as people type it ("1 200", "12,5", "12.5"): a plain decimal for the database, or null. */
export function parseActual(value: string): string | null {
  const compact = value.replace(/[\s\u00a0\u202f]/g, "");
  const normalised = /^-?\d+,\d+$/.test(compact) ? compact.replace(",", ".") : compact;
  return /^-?\d{1,15}(\.\d{1,6})?$/.test(normalised) ? normalised : null;
}

const isoDate = z.iso.date("errors.dateInvalid");

export const openPeriodForm = z
  .object({
    intent: z.literal("open"),
    name: z.string().trim().min(1, "errors.required").max(200, "errors.tooLong"),
    covers_from: isoDate,
    covers_to: isoDate,
    due_on: isoDate,
  })
  .refine((form) => form.covers_from <= form.covers_to, {
    path: ["covers_to"],
    message: "progress.errors.periodOrder",
  })
  .refine((form) => form.due_on >= form.covers_from, { path: ["due_on"], message: "progress.errors.dueBeforeStart" });

const field = z.string().max(20000, "errors.tooLong");

/** The report page: the writers' fields (`actual:<kpi>`, `status:<kpi>`, `narrative:<capability>`) arrive as strings. */
export const reportForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save") }).catchall(field),
  z.object({ intent: z.literal("evidence") }),
  z.object({ intent: z.literal("remove-evidence"), attachment: z.uuid("errors.required") }),
  // Submitting saves what the writer changed first, so nothing typed is lost.
  z.object({ intent: z.literal("submit") }).catchall(field),
  z.object({ intent: z.literal("accept") }),
  z.object({
    intent: z.literal("request-changes"),
    reason: z.string().trim().min(1, "errors.required").max(20000, "errors.tooLong"),
  }),
]);
