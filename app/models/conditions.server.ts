import { MAX_ATTACHMENT_BYTES, sniffFileType } from "~/lib/file-type";
import { checkRead } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { PlanNode } from "~/lib/plan-schema";

/** Issue 15: the conditions of a Board decision, tracked to closure. RLS decides who reads them. */
const conditionColumns =
  "id, packet_id, position, centre_id, organisation_id, body, due_on, plan_version_id, anchor, quote, status, closed_by_role, review_reason, reviewed_at, closed_at, close_reason, created_at";

export async function listCentreConditions(supabase: SupabaseServerClient, centre: string) {
  return (
    checkRead(
      "centre conditions",
      await supabase
        .from("decision_conditions")
        .select(conditionColumns)
        .eq("centre_id", centre)
        .order("created_at")
        .order("position"),
    ) ?? []
  );
}

/** A condition with its responses (each with its files) and the approved version's text when the reader may see it. */
export async function getCondition(supabase: SupabaseServerClient, id: string) {
  const condition = checkRead(
    "condition",
    await supabase
      .from("decision_conditions")
      .select(
        `${conditionColumns}, centre:centres(id, name), responses:condition_responses(id, body, created_at, attachments(id, file_name, size_bytes))`,
      )
      .eq("id", id)
      .order("created_at", { referencedTable: "condition_responses" })
      .maybeSingle(),
  );
  if (!condition) return null;
  const version = condition.anchor
    ? checkRead(
        "condition plan version",
        await supabase
          .from("plan_versions")
          .select("id, plan_id, content")
          .eq("id", condition.plan_version_id)
          .maybeSingle(),
      )
    : null;
  return {
    ...condition,
    version: version
      ? { id: version.id, planId: version.plan_id, content: version.content as unknown as PlanNode }
      : null,
  };
}

/** Conditions due for the centres of the person's organisations (home to-do list): not met yet, by due date. */
export async function listConditionsToAnswer(supabase: SupabaseServerClient, organisations: string[]) {
  if (organisations.length === 0) return [];
  return (
    checkRead(
      "conditions to answer",
      await supabase
        .from("decision_conditions")
        .select("id, body, due_on, status, centre:centres(name)")
        .in("organisation_id", organisations)
        .in("status", ["open", "not_met"])
        .order("due_on")
        .limit(10),
    ) ?? []
  );
}

/** For BDT and the Board: how many conditions each centre still has open ("designated, conditions open"). */
export async function centreConditionCounts(supabase: SupabaseServerClient) {
  const { data, error } = await callRpc(supabase, "list_centre_condition_counts", {});
  if (error) return new Map<string, number>();
  return new Map((data ?? []).map((row) => [row.centre_id, row.open_conditions]));
}

/** The centre answers: each file is checked from its bytes here, and again by the database. */
export async function respondToCondition(
  supabase: SupabaseServerClient,
  condition: string,
  body: string,
  files: File[],
): Promise<{ error: { code: string } | null }> {
  const payload = [];
  for (const file of files.filter((item) => item.size > 0 || item.name)) {
    if (file.size === 0) return { error: { code: "file_empty" } };
    if (file.size > MAX_ATTACHMENT_BYTES) return { error: { code: "file_too_large" } };
    const bytes = new Uint8Array(await file.arrayBuffer());
    const type = sniffFileType(bytes);
    if (!type) return { error: { code: "file_type_not_allowed" } };
    payload.push({
      file_name: file.name || "attachment",
      content_type: type,
      content_base64: Buffer.from(bytes).toString("base64"),
    });
  }
  const result = await callRpc(supabase, "respond_to_condition", { condition, body, files: payload });
  return { error: result.error };
}

export const reviewCondition = (supabase: SupabaseServerClient, condition: string, met: boolean, reason: string) =>
  callRpc(supabase, "review_condition", { condition, met, reason });

export const closeCondition = (supabase: SupabaseServerClient, condition: string, reason?: string) =>
  callRpc(supabase, "close_condition", { condition, reason: reason || undefined });
