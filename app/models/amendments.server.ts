import type { AppLoadContext } from "@remix-run/node";
import { checkRead, databaseError } from "~/lib/db-read.server";
import { diffPlans } from "~/lib/plan-diff";
import type { PlanNode } from "~/lib/plan-schema";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { AmendmentDecision } from "~/validation/amendments";

/**
 * Amendments to a designated centre's approved plan (issue 15). Each has its own co-edited document (a plan like
 * any other, so the editor, comments, versions and the collaboration server's access checks apply unchanged); the
 * transitions are SQL functions (migration 20261203000200) and RLS decides who reads what.
 */

const amendmentColumns =
  "id, centre_id, plan_id, base_version_id, sent_version_id, approved_version_id, reason, status, major_reasons, bdt_reason, created_at, decided_at";

/** The public history of a centre's approved baselines, oldest first. */
export async function listBaselines(supabase: SupabaseServerClient, centre: string) {
  return checkRead(
    "centre baselines",
    await supabase
      .from("centre_baselines")
      .select("id, plan_hash, approving_body, approved_by_name, reason, amendment_id, approved_at")
      .eq("centre_id", centre)
      .order("approved_at"),
  );
}

/**
 * What the centre page shows about amendments: the ones the reader may see (RLS: the centre's people, BDT, Board
 * members on their packet) and whether the reader may propose one (a member of the centre's organisation: the
 * database decides again when they do).
 */
export async function getCentreAmendments(supabase: SupabaseServerClient, centre: string, signedIn: boolean) {
  if (!signedIn) return { amendments: [], canPropose: false };
  const [amendments, centreRow, roles] = await Promise.all([
    supabase
      .from("plan_amendments")
      .select("id, reason, status, created_at")
      .eq("centre_id", centre)
      .order("created_at", { ascending: false }),
    supabase.from("centres").select("organisation_id").eq("id", centre).maybeSingle(),
    supabase.rpc("my_roles"),
  ]);
  const organisation = checkRead("centre", centreRow)?.organisation_id;
  const isApplicant = (checkRead("my roles", roles) ?? []).includes("applicant");
  const member =
    organisation && isApplicant
      ? checkRead(
          "centre organisation",
          await supabase.from("organisations").select("id").eq("id", organisation).maybeSingle(),
        )
      : null;
  const list = checkRead("amendments", amendments);
  const inProgress = list.some((item) =>
    ["draft", "submitted", "board_review", "changes_requested"].includes(item.status),
  );
  return { amendments: list, canPropose: Boolean(member) && !inProgress };
}

export const proposeAmendment = (supabase: SupabaseServerClient, centre: string, reason: string) =>
  callRpc(supabase, "propose_amendment", { centre, reason });

/**
 * An amendment with its centre, and the diff against the approved baseline it started from: the live document while
 * it is being written (written to the database first, so the diff shows what the editors see), then the version
 * submitted for approval.
 */
export async function getAmendment(supabase: SupabaseServerClient, collab: AppLoadContext["collab"], id: string) {
  const amendment = checkRead(
    "amendment",
    await supabase.from("plan_amendments").select(amendmentColumns).eq("id", id).maybeSingle(),
  );
  if (!amendment) return null;
  const editing = amendment.status === "draft" || amendment.status === "changes_requested";
  if (editing) await collab.flushContent(amendment.plan_id);
  const [centre, base, current, access] = await Promise.all([
    supabase.rpc("list_directory_centres").eq("id", amendment.centre_id).maybeSingle(),
    supabase.from("plan_versions").select("content, content_hash").eq("id", amendment.base_version_id).maybeSingle(),
    editing || !amendment.sent_version_id
      ? supabase.from("action_plans").select("content").eq("id", amendment.plan_id).maybeSingle()
      : supabase.from("plan_versions").select("content").eq("id", amendment.sent_version_id).maybeSingle(),
    supabase.rpc("my_plan_access", { plan: amendment.plan_id }),
  ]);
  if (centre.error) throw databaseError("amendment centre", centre.error);
  const baseline = checkRead("amendment baseline", base);
  const now = checkRead("amendment content", current);
  const blocks = diffPlans(baseline?.content as PlanNode | undefined, now?.content as PlanNode | undefined);
  return {
    amendment,
    centre: centre.data ? { id: centre.data.id, name: centre.data.name, host: centre.data.host_institution } : null,
    baseHash: baseline?.content_hash ?? null,
    diff: blocks,
    changed: blocks.filter((block) => block.kind !== "same").length,
    access: checkRead("plan access", access) ?? null,
  };
}

/** Submits the amendment; the live document is written first, so the submitted version is what the editors see. */
export async function submitAmendment(supabase: SupabaseServerClient, collab: AppLoadContext["collab"], id: string) {
  const plan = checkRead(
    "amendment plan",
    await supabase.from("plan_amendments").select("plan_id").eq("id", id).maybeSingle(),
  );
  if (plan) await collab.flushContent(plan.plan_id);
  return callRpc(supabase, "submit_amendment", { amendment: id });
}

export const decideAmendment = (
  supabase: SupabaseServerClient,
  amendment: string,
  decision: AmendmentDecision,
  reason: string,
) => callRpc(supabase, "decide_amendment", { amendment, decision, reason });

export const withdrawAmendment = (supabase: SupabaseServerClient, amendment: string) =>
  callRpc(supabase, "withdraw_amendment", { amendment });

/** Major amendments BDT sent to the Board and not yet in an open review: what the chair may put before it. */
export async function listAmendmentCandidates(supabase: SupabaseServerClient) {
  const { data, error } = await callRpc(supabase, "list_amendment_agenda", {});
  if (error) throw databaseError("amendment agenda", error);
  return (data ?? []).filter((item) => item.status === "board_review" && !item.in_open_review);
}

/** For a Board packet that carries an amendment: its reasons and the diff of the sent version against the baseline. */
export async function getPacketAmendment(supabase: SupabaseServerClient, amendmentId: string) {
  const amendment = checkRead(
    "packet amendment",
    await supabase.from("plan_amendments").select(amendmentColumns).eq("id", amendmentId).maybeSingle(),
  );
  if (!amendment) return null;
  const [base, sent] = await Promise.all([
    supabase.from("plan_versions").select("content").eq("id", amendment.base_version_id).maybeSingle(),
    supabase
      .from("plan_versions")
      .select("content")
      .eq("id", amendment.sent_version_id ?? amendment.base_version_id)
      .maybeSingle(),
  ]);
  const blocks = diffPlans(
    checkRead("baseline", base)?.content as PlanNode | undefined,
    checkRead("sent amendment", sent)?.content as PlanNode | undefined,
  );
  return { ...amendment, diff: blocks, changed: blocks.filter((block) => block.kind !== "same").length };
}
