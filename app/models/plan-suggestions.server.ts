import type { AppLoadContext } from "@remix-run/node";
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "~/lib/database.types";
import { callRpc } from "~/lib/rpc.server";

/**
 * Accepts or rejects suggestions (issue 18): the collaboration server first writes the live plan's JSON copy, the
 * database checks edit rights and that each suggestion is open there and writes the audit trail, and only then does
 * the collaboration server change the live document (README, Decisions).
 */
export async function decidePlanSuggestions(
  supabase: SupabaseClient<Database>,
  collab: AppLoadContext["collab"],
  planId: string,
  decision: "accept" | "reject",
  suggestions: string[],
) {
  await collab.flushContent(planId);
  const result = await callRpc(supabase, "record_suggestion_decision", { plan: planId, decision, suggestions });
  if (!result.error) await collab.decideSuggestions(planId, suggestions, decision);
  return result;
}
