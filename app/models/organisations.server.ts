import { checkRead, databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { RpcArgs } from "~/lib/database.types";

/** The organisations the person acts for (RLS returns only those). */
export async function listMyOrganisations(supabase: SupabaseServerClient, userId: string) {
  const { data, error } = await supabase
    .from("organisation_members")
    .select("organisation:organisations(id, name, kind, country_code)")
    .eq("user_id", userId);
  if (error) throw databaseError("organisations", error);
  return data.flatMap((row) =>
    row.organisation
      ? [row.organisation as unknown as { id: string; name: string; kind: string; country_code: string }]
      : [],
  );
}

export const registerOrganisation = (supabase: SupabaseServerClient, input: RpcArgs<"create_organisation">) =>
  callRpc(supabase, "create_organisation", input);

export async function getOrganisation(supabase: SupabaseServerClient, id: string) {
  const { data, error } = await supabase
    .from("organisations")
    .select(
      "id, name, kind, country_code, website, contact_email, members:organisation_members(user_id, added_at), invitations:organisation_invitations(email, invited_at, accepted_at)",
    )
    .eq("id", id)
    .maybeSingle();
  if (error) throw databaseError("organisation", error);
  return data;
}

export const inviteColleague = (supabase: SupabaseServerClient, organisation: string, email: string) =>
  callRpc(supabase, "invite_colleague", { organisation, email });

/** Every organisation by name (the coordinator's list when registering on someone's behalf); a read error throws. */
export async function listAllOrganisations(supabase: SupabaseServerClient) {
  return checkRead("organisations", await supabase.from("organisations").select("id, name").order("name").limit(1000));
}
