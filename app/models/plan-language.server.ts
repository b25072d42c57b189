import type { LanguageCode } from "~/i18n/config";
import { planLanguageOf } from "~/lib/plan-language";
import { databaseError } from "~/lib/db-read.server";
import { callRpc, type RpcFailure } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";

/**
 * The application's plan language and whether the plan has been written yet (its JSON copy has blocks: the
 * collaboration server writes the template on first open). Only a plan not yet written may change language; the
 * database decides (set_plan_language), this only decides whether to offer the choice.
 */
export async function getApplicationPlanLanguage(supabase: SupabaseServerClient, application: string) {
  const { data, error } = await supabase
    .from("centre_applications")
    .select("plan_language, plan:action_plans(first:content->content->0->>type)")
    .eq("id", application)
    .maybeSingle();
  if (error) throw databaseError("plan language", error);
  if (!data) return null;
  const plan = data.plan as unknown as { first: string | null } | { first: string | null }[] | null;
  const first = Array.isArray(plan) ? plan[0]?.first : plan?.first;
  return { ...planLanguageOf(data.plan_language), started: Boolean(first) };
}

export async function setPlanLanguage(
  supabase: SupabaseServerClient,
  application: string,
  language: LanguageCode,
): Promise<RpcFailure | null> {
  return (await callRpc(supabase, "set_plan_language", { application, language })).error;
}

/** The language of a plan the caller may read (through its application); English when it cannot be read. */
export async function getPlanLanguage(supabase: SupabaseServerClient, planId: string) {
  const { data, error } = await supabase
    .from("action_plans")
    .select("application:centre_applications(plan_language)")
    .eq("id", planId)
    .maybeSingle();
  if (error) throw databaseError("plan language", error);
  return planLanguageOf(data?.application?.plan_language);
}

/** The language of a designated centre's approved plan (public). */
export async function getCentrePlanLanguage(supabase: SupabaseServerClient, centre: string) {
  const { data, error } = await callRpc(supabase, "centre_plan_language", { centre });
  if (error) throw databaseError("centre plan language", error);
  return planLanguageOf(data);
}
