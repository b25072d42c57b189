import { z } from "zod";
import { databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import { autoAssignPageSize } from "~/validation/dashboards";

/** What `auto_assignment_preview` returns (one JSON object), checked at the boundary. */
const previewSchema = z.object({
  total: z.number().int().min(0),
  fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
  reviewers: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      regions: z.array(z.string()),
      before: z.number().int(),
      added: z.number().int(),
      after: z.number().int(),
      in_region: z.number().int(),
    }),
  ),
  assignments: z.array(
    z.object({
      seq: z.number().int(),
      eoi_id: z.uuid(),
      reviewer_id: z.uuid(),
      reviewer: z.string(),
      region_match: z.boolean(),
      centre: z.string(),
      institution: z.string(),
      country: z.string(),
      region: z.string(),
    }),
  ),
});

/**
 * What "Assign automatically" would do now (issue 17), computed once by the database (`auto_assignment_preview`):
 * the total, each active reviewer's load before, added (and how many in their regions) and after, one page of the
 * proposed assignments, and the plan's fingerprint, which applying sends back. Nothing changes.
 */
export async function previewAutoAssignment(
  supabase: SupabaseServerClient,
  input: { cap: number; call?: string; page: number },
) {
  const { data, error } = await callRpc(supabase, "auto_assignment_preview", {
    cap: input.cap,
    page: input.page,
    page_size: autoAssignPageSize,
    ...(input.call ? { call: input.call } : {}),
  });
  if (error) throw databaseError("auto-assignment preview", error);
  const preview = previewSchema.parse(data);
  return {
    total: preview.total,
    fingerprint: preview.fingerprint,
    pages: Math.max(1, Math.ceil(preview.total / autoAssignPageSize)),
    assignments: preview.assignments.map((row) => ({
      seq: row.seq,
      eoiId: row.eoi_id,
      reviewerId: row.reviewer_id,
      reviewer: row.reviewer,
      regionMatch: row.region_match,
      centre: row.centre,
      institution: row.institution,
      country: row.country,
      region: row.region,
    })),
    reviewers: preview.reviewers.map((reviewer) => ({
      id: reviewer.id,
      name: reviewer.name,
      regions: reviewer.regions,
      before: reviewer.before,
      added: reviewer.added,
      inRegion: reviewer.in_region,
      after: reviewer.after,
    })),
  };
}

/** Applies exactly the previewed plan (by its fingerprint), or fails with `assignment_changed` if the data moved. */
export const applyAutoAssignment = (
  supabase: SupabaseServerClient,
  input: { cap: number; call?: string; fingerprint: string },
) =>
  callRpc(supabase, "apply_auto_assignment", {
    cap: input.cap,
    fingerprint: input.fingerprint,
    ...(input.call ? { call: input.call } : {}),
  });

/** Coordinators set a reviewer's regions on the people page. */
export const setReviewerRegions = (supabase: SupabaseServerClient, person: string, regions: string[]) =>
  callRpc(supabase, "set_reviewer_regions", { person, regions });
