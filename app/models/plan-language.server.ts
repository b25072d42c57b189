import { defaultLanguage, isLanguageCode, textDirection, type LanguageCode } from "~/i18n/config";
import { databaseError } from "~/lib/db-read.server";
import { callRpc, type RpcFailure } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";

export interface PlanLanguage {
  language: LanguageCode;
  dir: "ltr" | "rtl";
}

/** `lang` and `dir` for a plan's content (issue 18): the plan's language, whatever the reader's page language. */
export function planLanguageOf(code: string | null | undefined): PlanLanguage {
  const language = isLanguageCode(code) ? code : defaultLanguage;
  return { language, dir: textDirection(language) };
}

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
