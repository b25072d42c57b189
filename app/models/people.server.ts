import { databaseError } from "~/lib/db-read.server";
import { getAppEnv } from "~/lib/env.server";
import { callRpc } from "~/lib/rpc.server";
import { createSupabaseAdminClient } from "~/lib/supabase-admin.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { AppRole } from "~/models/profile.server";

export async function listPeople(supabase: SupabaseServerClient) {
  const { data, error } = await callRpc(supabase, "people_directory", {});
  if (error) throw databaseError("people", error);
  return data ?? [];
}

export const grantRole = (supabase: SupabaseServerClient, person: string, role: AppRole) =>
  callRpc(supabase, "grant_role", { person, role });
export const revokeRole = (supabase: SupabaseServerClient, person: string, role: AppRole) =>
  callRpc(supabase, "revoke_role", { person, role });
export const setAccountActive = (supabase: SupabaseServerClient, person: string, active: boolean) =>
  callRpc(supabase, "set_account_active", { person, active });

/**
 * Invites a staff or board member: the account is created and mailed by the auth service (service role, as
 * only it may create accounts), then the role is granted by the coordinator's own audited call. An existing
 * account simply receives the role.
 */
export async function invitePerson(
  supabase: SupabaseServerClient,
  input: { email: string; name: string; role: AppRole },
  requestId: string,
) {
  const existing = (await listPeople(supabase)).find(
    (person) => person.email.toLowerCase() === input.email.toLowerCase(),
  );
  let personId = existing?.id;
  if (!personId) {
    const admin = createSupabaseAdminClient(requestId);
    const { data, error } = await admin.auth.admin.inviteUserByEmail(input.email, {
      data: { display_name: input.name },
      redirectTo: new URL("/home", getAppEnv().SITE_URL).toString(),
    });
    if (error || !data.user) return { error: { code: error?.code ?? "unexpected" }, invited: false };
    personId = data.user.id;
  }
  const granted = await grantRole(supabase, personId, input.role);
  return { error: granted.error, invited: !existing };
}
