import { databaseError } from "~/lib/db-read.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";

import { appRoles, type AppRole } from "~/lib/roles";

export { appRoles, type AppRole };

export interface Profile {
  id: string;
  email: string;
  display_name: string;
  locale: string;
}

/** The signed-in person's own profile; RLS returns no other. */
export async function getOwnProfile(supabase: SupabaseServerClient, userId: string): Promise<Profile | null> {
  const { data, error } = await supabase
    .from("profiles")
    .select("id, email, display_name, locale")
    .eq("id", userId)
    .maybeSingle();
  if (error) throw databaseError("profiles", error);
  return data;
}

/** The caller's roles, in the order the home page shows them. */
export async function listOwnRoles(supabase: SupabaseServerClient): Promise<AppRole[]> {
  const { data, error } = await supabase.rpc("my_roles");
  if (error) throw databaseError("my_roles", error);
  const granted = new Set((data ?? []) as string[]);
  return appRoles.filter((role) => granted.has(role));
}
