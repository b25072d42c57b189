import { databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { DirectoryFilters } from "~/validation/centres";

/**
 * The public directory of designated centres. The organisations table is not public, so the host institution's name
 * comes from list_directory_centres() (migration 001000), which exposes only the directory's columns.
 */
export async function listDirectoryCentres(supabase: SupabaseServerClient, filters: DirectoryFilters) {
  // The function takes no arguments (nothing for callRpc's schema to check); the filters are PostgREST's, on its rows.
  let query = supabase.rpc("list_directory_centres");
  if (filters.region) query = query.eq("region_code", filters.region);
  if (filters.country) query = query.eq("country_code", filters.country);
  if (filters.type) query = query.eq("centre_type", filters.type);
  if (filters.scope) query = query.eq("scope", filters.scope);
  if (filters.capability) query = query.contains("capabilities", [filters.capability]);
  const { data, error } = await query.order("name").limit(500);
  if (error) throw databaseError("directory", error);
  return data;
}

/** One designated centre with its approved, frozen plan version; null when there is no such centre. */
export async function getCentre(supabase: SupabaseServerClient, id: string) {
  const [centre, plan] = await Promise.all([
    supabase.rpc("list_directory_centres").eq("id", id).maybeSingle(),
    callRpc(supabase, "get_centre_plan", { centre: id }),
  ]);
  if (centre.error) throw databaseError("centre", centre.error);
  if (plan.error) throw databaseError("centre plan", plan.error);
  if (!centre.data) return null;
  return { ...centre.data, plan: plan.data?.[0] ?? null };
}
