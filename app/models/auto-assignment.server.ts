import { checkRead, databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import { listReviewerWorkload } from "~/models/dashboards.server";

/**
 * What "Assign automatically" would do now (issue 17): each EoI with the reviewer it would go to, and each
 * reviewer's load before and after. Nothing changes; the database computes the plan (`preview_auto_assignment`).
 */
export async function previewAutoAssignment(supabase: SupabaseServerClient, input: { cap: number; call?: string }) {
  const [plan, reviewers] = await Promise.all([
    callRpc(supabase, "preview_auto_assignment", input),
    listReviewerWorkload(supabase),
  ]);
  if (plan.error) throw databaseError("auto-assignment preview", plan.error);
  const pairs = plan.data ?? [];
  const eois = new Map<string, { centre: string; institution: string; country: string; region: string }>();
  // Ids go in the query string: read them in slices so a large plan never makes an over-long URL.
  for (let start = 0; start < pairs.length; start += 100) {
    const slice = pairs.slice(start, start + 100).map((pair) => pair.eoi_id);
    const rows = checkRead(
      "auto-assignment EoIs",
      await supabase
        .from("eois")
        .select("id, centre_name, organisation:organisations(name, country_code, country:countries(region_code))")
        .in("id", slice),
    );
    for (const row of rows)
      eois.set(row.id, {
        centre: row.centre_name ?? "",
        institution: row.organisation?.name ?? "",
        country: row.organisation?.country_code ?? "",
        region: row.organisation?.country?.region_code ?? "",
      });
  }
  const names = new Map(reviewers.map((reviewer) => [reviewer.reviewer_id, reviewer.name]));
  const added = new Map<string, number>();
  for (const pair of pairs) added.set(pair.reviewer_id, (added.get(pair.reviewer_id) ?? 0) + 1);
  return {
    assignments: pairs.map((pair) => ({
      eoiId: pair.eoi_id,
      reviewerId: pair.reviewer_id,
      reviewer: names.get(pair.reviewer_id) ?? "",
      regionMatch: pair.region_match,
      ...(eois.get(pair.eoi_id) ?? { centre: "", institution: "", country: "", region: "" }),
    })),
    reviewers: reviewers
      .filter((reviewer) => reviewer.active)
      .map((reviewer) => ({
        id: reviewer.reviewer_id,
        name: reviewer.name,
        regions: reviewer.regions,
        before: reviewer.open_eois,
        after: reviewer.open_eois + (added.get(reviewer.reviewer_id) ?? 0),
      })),
  };
}

/** Applies exactly the previewed plan, or fails with `assignment_changed` if the data moved since. */
export const applyAutoAssignment = (
  supabase: SupabaseServerClient,
  input: { cap: number; call?: string; eoiIds: string[]; reviewerIds: string[] },
) =>
  callRpc(supabase, "apply_auto_assignment", {
    cap: input.cap,
    eoi_ids: input.eoiIds,
    reviewer_ids: input.reviewerIds,
    ...(input.call ? { call: input.call } : {}),
  });

/** Coordinators set a reviewer's regions on the people page. */
export const setReviewerRegions = (supabase: SupabaseServerClient, person: string, regions: string[]) =>
  callRpc(supabase, "set_reviewer_regions", { person, regions });
