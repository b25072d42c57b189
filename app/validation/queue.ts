import { z } from "zod";

/**
 * The validation queue's filters, read from the URL so a filtered view can be bookmarked and shared. A value that
 * is not one of the choices (`status=bogus`, `region=XX`, a page past the end) is dropped, never a 500 (issue 11).
 */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional().catch(undefined));
/** Reference-data codes (centre types, capabilities) are snake_case words. */
const code = z.string().regex(/^[a-z0-9_]{1,100}$/);

export const queueStatuses = [
  "submitted",
  "under_validation",
  "clarification_requested",
  "resubmitted",
  "validated",
  "declined",
  "withdrawn",
] as const;
export const awaitingBdt = ["submitted", "under_validation", "clarification_requested", "resubmitted"] as const;

export const queueFilterSchema = z.object({
  call: optional(z.uuid()),
  status: optional(z.enum(queueStatuses)),
  region: optional(z.enum(["AFR", "AMS", "ARB", "ASP", "CIS", "EUR"])),
  country: optional(z.string().regex(/^[A-Z]{2}$/)),
  type: optional(code),
  capability: optional(code),
  assignee: optional(z.union([z.literal("me"), z.literal("unassigned"), z.uuid()])),
  overdue: optional(z.literal("1")),
  q: optional(z.string().trim().max(200)),
  sort: z.enum(["newest", "oldest", "name"]).catch("newest"),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

export type QueueFilters = z.infer<typeof queueFilterSchema>;

export const QUEUE_PAGE_SIZE = 25;
/** An EoI waiting on BDT for longer than this is overdue (BDT's service level for a first answer). */
export const OVERDUE_DAYS = 30;

export function parseQueueFilters(url: URL): QueueFilters {
  return queueFilterSchema.parse(Object.fromEntries(url.searchParams));
}
