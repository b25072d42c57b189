import { databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { Database } from "~/lib/database.types";

export type Call = Database["public"]["Tables"]["calls"]["Row"];
export type CallInput = Pick<Call, "title" | "description" | "opens_at" | "closes_at" | "allowed_centre_types">;

/** Calls the person may see: published ones for everyone, drafts too for BDT (RLS decides). */
export async function listCalls(supabase: SupabaseServerClient): Promise<Call[]> {
  const { data, error } = await supabase.from("calls").select("*").order("closes_at", { ascending: false });
  if (error) throw databaseError("calls", error);
  return data;
}

/** Calls as filter options (id and title): the queue's payload grows with every call, so it carries no more. */
export async function listCallOptions(supabase: SupabaseServerClient): Promise<Pick<Call, "id" | "title">[]> {
  const { data, error } = await supabase.from("calls").select("id, title").order("closes_at", { ascending: false });
  if (error) throw databaseError("calls", error);
  return data;
}

export async function getCall(supabase: SupabaseServerClient, id: string): Promise<Call | null> {
  const { data, error } = await supabase.from("calls").select("*").eq("id", id).maybeSingle();
  if (error) throw databaseError("call", error);
  return data;
}

/** Creating and editing a call are audited transitions (issue 10: one write path for every audited table). */
export async function createCall(supabase: SupabaseServerClient, input: CallInput): Promise<string> {
  const { data, error } = await callRpc(supabase, "create_call", input);
  if (error) throw databaseError("create call", error);
  if (!data) throw new Error("create call: no id returned");
  return data;
}

export async function updateCall(supabase: SupabaseServerClient, id: string, input: CallInput) {
  const { error } = await callRpc(supabase, "update_call", { call: id, ...input });
  if (error) throw databaseError("update call", error);
}

export const openCall = (supabase: SupabaseServerClient, call: string) => callRpc(supabase, "open_call", { call });
export const closeCall = (supabase: SupabaseServerClient, call: string) => callRpc(supabase, "close_call", { call });
export const extendDeadline = (
  supabase: SupabaseServerClient,
  input: { call: string; new_closes_at: string; organisation?: string; reason?: string },
) => callRpc(supabase, "extend_call_deadline", input);

/** EoIs per state in one call, for the coordinator's overview (RLS: BDT sees submitted ones). */
export async function countEoisByStatus(supabase: SupabaseServerClient, call: string): Promise<Record<string, number>> {
  const { data, error } = await supabase.from("eois").select("status").eq("call_id", call).neq("status", "draft");
  if (error) throw databaseError("counts", error);
  const counts: Record<string, number> = {};
  for (const row of data) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}
