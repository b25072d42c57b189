import type { z } from "zod";
import { parseEachField } from "~/lib/field-parse";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { Database } from "~/lib/database.types";
import { checkRead, databaseError } from "~/lib/db-read.server";
import type { FieldErrors } from "~/lib/forms";
import { eoiStepSchemas, type EoiFormStep } from "~/validation/eoi";

export type Eoi = Database["public"]["Tables"]["eois"]["Row"];
export type EoiUpdate = Database["public"]["Tables"]["eois"]["Update"];

const eoiDetail = `*, organisation:organisations(id, name, kind, country_code, website),
  call:calls(id, title, opens_at, closes_at, status, allowed_centre_types),
  validation:eoi_validations(recommended_centre_type, recommended_scope, recommended_capabilities, reasons,
    notes_to_applicant, checklist, validated_by, updated_at),
  clarifications:eoi_clarifications(id, question, asked_at, answer, answered_at),
  attachments(id, file_name, content_type, size_bytes, created_at)`;

export async function getEoi(supabase: SupabaseServerClient, id: string) {
  const { data, error } = await supabase.from("eois").select(eoiDetail).eq("id", id).maybeSingle();
  if (error) throw databaseError("eoi", error);
  return data;
}

export type EoiDetail = NonNullable<Awaited<ReturnType<typeof getEoi>>>;

/** The applicant's own list: filtered by organisation explicitly so the planner uses the index despite RLS. */
export async function listOrganisationEois(supabase: SupabaseServerClient, organisationIds: string[]) {
  if (organisationIds.length === 0) return [];
  const { data, error } = await supabase
    .from("eois")
    .select("id, centre_name, status, updated_at, submitted_at, call:calls(id, title, closes_at)")
    .in("organisation_id", organisationIds)
    .order("updated_at", { ascending: false })
    .limit(100);
  if (error) throw databaseError("eois", error);
  return data;
}

export const startEoi = (supabase: SupabaseServerClient, call: string, organisation: string) =>
  callRpc(supabase, "create_eoi", { call, organisation });

/** Saves one step of the draft; RLS only lets the applicant write while the EoI is theirs to edit. */
export async function saveEoiDraft(supabase: SupabaseServerClient, id: string, changes: EoiUpdate) {
  const { data, error } = await supabase.from("eois").update(changes).eq("id", id).select("id");
  if (error) return { error: error.hint ?? error.code ?? "unexpected" };
  return { error: data.length === 1 ? null : "not_editable" };
}

/**
 * Saves the fields of one step that pass validation and reports the others, so an over-long paste in one field
 * never stops the rest from being saved (issue 11). `only` makes it a partial save (fields absent stay as stored).
 */
export async function saveEoiStep(
  supabase: SupabaseServerClient,
  id: string,
  step: EoiFormStep,
  formData: FormData,
  only?: readonly string[],
): Promise<{ fieldErrors: FieldErrors; error: string | null; saved: string[] }> {
  const schema = eoiStepSchemas[step] as unknown as z.ZodObject<z.ZodRawShape>;
  const { data, fieldErrors } = parseEachField(schema, formData, only);
  const saved = Object.keys(data);
  if (saved.length === 0) return { fieldErrors, error: null, saved };
  const { error } = await saveEoiDraft(supabase, id, data);
  return { fieldErrors, error, saved: error ? [] : saved };
}

export const submitEoi = (supabase: SupabaseServerClient, eoi: string) => callRpc(supabase, "submit_eoi", { eoi });
export const withdrawEoi = (supabase: SupabaseServerClient, eoi: string, reason?: string) =>
  callRpc(supabase, "withdraw_eoi", { eoi, reason });
export const answerClarification = (supabase: SupabaseServerClient, eoi: string, answer: string) =>
  callRpc(supabase, "resubmit_eoi", { eoi, answer });

/** What happened to an EoI, oldest first: the audit entries the person may read (RLS). */
export async function getTimeline(supabase: SupabaseServerClient, eoi: string) {
  const { data, error } = await supabase
    .from("audit_log")
    .select("id, occurred_at, action, from_state, to_state, reason, actor_roles")
    .eq("entity_type", "eoi")
    .eq("entity_id", eoi)
    .order("id");
  if (error) throw databaseError("timeline", error);
  return data;
}

/** The deadline that applies to this organisation (the call's, or its extension). */
export async function effectiveDeadline(
  supabase: SupabaseServerClient,
  call: { id: string; closes_at: string },
  organisation: string,
) {
  const data = checkRead(
    "call extension",
    await supabase
      .from("call_extensions")
      .select("closes_at")
      .eq("call_id", call.id)
      .eq("organisation_id", organisation)
      .maybeSingle(),
  );
  return data && data.closes_at > call.closes_at ? data.closes_at : call.closes_at;
}

export async function findApplicationForEoi(supabase: SupabaseServerClient, eoi: string) {
  return checkRead(
    "application of the EoI",
    await supabase.from("centre_applications").select("id, status").eq("eoi_id", eoi).maybeSingle(),
  );
}
