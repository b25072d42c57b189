import { databaseError } from "~/lib/db-read.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";

export async function countUnread(supabase: SupabaseServerClient, userId: string): Promise<number> {
  const { count, error } = await supabase
    .from("notifications")
    .select("id", { count: "exact", head: true })
    .eq("recipient_id", userId)
    .is("read_at", null);
  if (error) throw databaseError("unread count", error);
  return count ?? 0;
}

export async function listNotifications(supabase: SupabaseServerClient, userId: string) {
  const { data, error } = await supabase
    .from("notifications")
    .select("id, kind, entity_type, entity_id, created_at, read_at, payload")
    .eq("recipient_id", userId)
    .order("id", { ascending: false })
    .limit(100);
  if (error) throw databaseError("notifications", error);
  return data;
}

export async function markAllRead(supabase: SupabaseServerClient, userId: string) {
  const { error } = await supabase
    .from("notifications")
    .update({ read_at: new Date().toISOString() })
    .eq("recipient_id", userId)
    .is("read_at", null);
  if (error) throw databaseError("mark read", error);
}
