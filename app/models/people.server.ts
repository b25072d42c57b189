import { databaseError } from "~/lib/db-read.server";
import type { Database } from "~/lib/database.types";
import { getAppEnv } from "~/lib/env.server";
import { callRpc } from "~/lib/rpc.server";
import { createSupabaseAdminClient } from "~/lib/supabase-admin.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { AppRole } from "~/models/profile.server";
import { PEOPLE_PAGE_SIZE, type PeopleQuery } from "~/validation/people";

/** One page of the people a search finds (name or email, a role), with how many it finds in all. */
export async function findPeople(
  supabase: SupabaseServerClient,
  query: PeopleQuery,
): Promise<{ people: PersonRow[]; total: number; pages: number; page: number }> {
  const { data, error } = await callRpc(supabase, "people_directory_page", {
    search: query.q,
    role: query.role,
    page_size: PEOPLE_PAGE_SIZE,
    page_offset: (query.page - 1) * PEOPLE_PAGE_SIZE,
  });
  if (error) throw databaseError("people", error);
  const people = data ?? [];
  // A page past the end (an old link, a hand-typed URL) shows the first page rather than an empty list.
  if (people.length === 0 && query.page > 1) return findPeople(supabase, { ...query, page: 1 });
  const total = Number(people[0]?.total ?? 0);
  return { people, total, pages: Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE)), page: query.page };
}

type PersonRow = Database["public"]["Functions"]["people_directory_page"]["Returns"][number];

/** The account with this email, if there is one (the search matches substrings; the email must match whole). */
async function findByEmail(supabase: SupabaseServerClient, email: string) {
  const { data, error } = await callRpc(supabase, "people_directory_page", { search: email, page_size: 200 });
  if (error) throw databaseError("people", error);
  return (data ?? []).find((person) => person.email.toLowerCase() === email.toLowerCase());
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
  const existing = await findByEmail(supabase, input.email);
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
