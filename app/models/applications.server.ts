import type { CollabControl } from "~/load-context";
import { callRpc, type RpcFailure } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { ApplicationForm, ApplicationListFilters, VoteChoice } from "~/validation/applications";
import { checkRead, databaseError } from "~/lib/db-read.server";

const applicationDetail = `id, eoi_id, organisation_id, status, centre_name, centre_type, scope, capabilities, governance,
  resources, partners, host_details, bdt_recommendation, bdt_recommended_outcome, sent_plan_version_id, submitted_at,
  decided_at, created_at, updated_at, revision_cycle,
  organisation:organisations(id, name, country_code),
  eoi:eois(id, centre_name, proposed_centre_type, proposed_scope, capabilities, call:calls(max_revision_cycles),
    validation:eoi_validations(recommended_centre_type, recommended_scope, recommended_capabilities, notes_to_applicant)),
  plan:action_plans(id),
  sent_version:plan_versions!centre_applications_sent_plan_version_fk(id, name, content_hash, created_at)`;

/** One application with what its page shows; null when it does not exist or RLS hides it. */
export async function getApplication(supabase: SupabaseServerClient, id: string) {
  const { data, error } = await supabase
    .from("centre_applications")
    .select(applicationDetail)
    .eq("id", id)
    .maybeSingle();
  if (error) throw databaseError("application", error);
  return data;
}

export type ApplicationDetail = NonNullable<Awaited<ReturnType<typeof getApplication>>>;

/** The Board's decisions on an application (one per packet it was in), newest first. */
export async function listDecisions(supabase: SupabaseServerClient, application: string) {
  const { data, error } = await supabase
    .from("board_packets")
    .select("id, decision:board_decisions(outcome, conditions, recorded_at, votes_counted, quorum_required)")
    .eq("application_id", application)
    .order("created_at", { ascending: false });
  if (error) throw databaseError("decisions", error);
  return data.flatMap((packet) => (packet.decision ? [{ packetId: packet.id, ...packet.decision }] : []));
}

/** BDT's checklist and internal notes (RLS: BDT only). */
export async function getBdtReview(supabase: SupabaseServerClient, application: string) {
  const { data, error } = await supabase
    .from("application_bdt_reviews")
    .select("checklist, internal_notes, updated_at")
    .eq("application_id", application)
    .maybeSingle();
  if (error) throw databaseError("bdt review", error);
  return data;
}

/** What happened to an application, oldest first: the audit entries the person may read (RLS). */
export async function getApplicationTimeline(supabase: SupabaseServerClient, application: string) {
  const { data, error } = await supabase
    .from("audit_log")
    .select("id, occurred_at, action, from_state, to_state, reason")
    .eq("entity_type", "application")
    .eq("entity_id", application)
    .order("id");
  if (error) throw databaseError("timeline", error);
  return data;
}

const listColumns =
  "id, centre_name, status, updated_at, submitted_at, revision_cycle, organisation:organisations(name)";

/** The applicant's list, filtered by organisation explicitly so the planner uses the index despite RLS. */
export async function listOrganisationApplications(supabase: SupabaseServerClient, organisationIds: string[]) {
  if (organisationIds.length === 0) return [];
  const { data, error } = await supabase
    .from("centre_applications")
    .select(listColumns)
    .in("organisation_id", organisationIds)
    .order("updated_at", { ascending: false })
    .limit(100);
  if (error) throw databaseError("applications", error);
  return data;
}

/** BDT's list of every application, optionally in one state, or only those whose BDT review `userId` started. */
export async function listAllApplications(
  supabase: SupabaseServerClient,
  filters: ApplicationListFilters,
  userId: string,
) {
  let query = filters.reviewer
    ? supabase
        .from("centre_applications")
        .select(`${listColumns}, bdt:application_bdt_reviews!inner(reviewer_id)`)
        .eq("bdt.reviewer_id", userId)
    : supabase.from("centre_applications").select(listColumns);
  if (filters.status) query = query.eq("status", filters.status);
  const { data, error } = await query.order("updated_at", { ascending: false }).limit(200);
  if (error) throw databaseError("applications", error);
  return data;
}

export const inviteApplication = (supabase: SupabaseServerClient, eoi: string) =>
  callRpc(supabase, "invite_application", { eoi });

/** Saves the applicant's answers; RLS only lets them write while the application is theirs to edit. */
export async function saveApplication(
  supabase: SupabaseServerClient,
  id: string,
  changes: ApplicationForm,
): Promise<RpcFailure | null> {
  const { data, error } = await supabase.from("centre_applications").update(changes).eq("id", id).select("id");
  if (error) return { code: error.hint || error.code || "unexpected", message: error.message };
  return data.length === 1 ? null : { code: "application_not_editable", message: "not editable" };
}

/**
 * Saves what the form holds, then submits it, so nothing typed is lost by submitting without saving first. The
 * database checks the plan's JSON copy, which the collaboration server writes up to two seconds after an edit: it
 * is written now, so a section completed a moment ago counts.
 */
export async function saveAndSubmitApplication(
  supabase: SupabaseServerClient,
  collab: CollabControl,
  id: string,
  changes: ApplicationForm,
) {
  const saved = await saveApplication(supabase, id, changes);
  if (saved) return saved;
  const plan = checkRead(
    "application plan",
    await supabase.from("action_plans").select("id").eq("application_id", id).maybeSingle(),
  );
  if (plan) await collab.flushContent(plan.id);
  return (await callRpc(supabase, "submit_application", { application: id })).error;
}

export const startBdtReview = (
  supabase: SupabaseServerClient,
  application: string,
  checklist: Record<string, boolean>,
  notes: string | null,
) => callRpc(supabase, "start_bdt_review", { application, checklist, internal_notes: notes ?? undefined });

/**
 * Sends the application to the Board. The live co-edited document is written to action_plans.content first, so the
 * version send_to_board records is what people see in the editor, not the last debounced save.
 */
export async function sendToBoard(
  supabase: SupabaseServerClient,
  collab: CollabControl,
  input: { application: string; recommendation: string; recommendedOutcome: VoteChoice },
) {
  const plan = checkRead(
    "application plan",
    await supabase.from("action_plans").select("id").eq("application_id", input.application).maybeSingle(),
  );
  if (plan) await collab.flushContent(plan.id);
  return callRpc(supabase, "send_to_board", {
    application: input.application,
    recommendation: input.recommendation,
    recommended_outcome: input.recommendedOutcome,
  });
}
