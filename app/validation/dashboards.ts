import { z } from "zod";

/**
 * The dashboards' filters, read from the URL so a view can be bookmarked (issue 17). A value that is not one of the
 * choices is dropped, never a 500 (issue 11); a centre type is also checked against the reference data.
 */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional().catch(undefined));

/** The ITU regions (BDT's regional presence), in the order the dashboards list them. */
export const regionCodes = ["AFR", "AMS", "ARB", "ASP", "CIS", "EUR"] as const;

export const dashboardFilterSchema = z.object({
  call: optional(z.uuid()),
  region: optional(z.enum(regionCodes)),
  type: optional(z.string().regex(/^[a-z0-9_]{1,100}$/)),
  /** In a Board review's portfolio: add the review's packets to the designated centres. */
  with: optional(z.literal("review")),
  review: optional(z.uuid()),
});

export type DashboardFilters = z.infer<typeof dashboardFilterSchema>;

export function parseDashboardFilters(url: URL, centreTypes: string[]): DashboardFilters {
  const filters = dashboardFilterSchema.parse(Object.fromEntries(url.searchParams));
  return { ...filters, type: filters.type && centreTypes.includes(filters.type) ? filters.type : undefined };
}

/** The automatic assignment form: a cap per reviewer and, optionally, one call; the page of proposed assignments. */
export const autoAssignQuerySchema = z.object({
  call: optional(z.uuid()),
  cap: z.coerce.number().int().min(1).max(500).catch(10),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

/** How many proposed assignments one page of the preview shows. */
export const autoAssignPageSize = 50;

/**
 * Applying an automatic assignment posts what was previewed: the cap, the call and the plan's fingerprint (the md5 the
 * database computed over its ordered pairs), never the pairs themselves, so any number of EoIs can be applied.
 */
export const autoAssignApplySchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("apply"),
    cap: z.coerce.number().int().min(1).max(500),
    call: z.preprocess((value) => (value === "" ? undefined : value), z.uuid().optional()),
    fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
  }),
]);
