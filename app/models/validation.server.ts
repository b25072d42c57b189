import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { RpcArgs } from "~/lib/database.types";
import { awaitingBdt, OVERDUE_DAYS, QUEUE_PAGE_SIZE, type QueueFilters } from "~/validation/queue";
import { checkRead, databaseError } from "~/lib/db-read.server";

const queueColumns = `id, centre_name, status, submitted_at, proposed_centre_type, capabilities, assigned_reviewer_id,
  organisation:organisations!inner(name, country_code, country:countries!inner(region_code)), call:calls(title)`;

/** Builds the queue query from the filters; shared by the page and the CSV export, so both show the same rows. */
function queueQuery(supabase: SupabaseServerClient, filters: QueueFilters, userId: string, count: boolean) {
  let query = supabase.from("eois").select(queueColumns, count ? { count: "exact" } : undefined);
  query = filters.status ? query.eq("status", filters.status) : query.in("status", [...awaitingBdt]);
  if (filters.call) query = query.eq("call_id", filters.call);
  if (filters.type) query = query.eq("proposed_centre_type", filters.type);
  if (filters.capability) query = query.contains("capabilities", [filters.capability]);
  if (filters.country) query = query.eq("organisation.country_code", filters.country);
  if (filters.region) query = query.eq("organisation.country.region_code", filters.region);
  if (filters.assignee === "me") query = query.eq("assigned_reviewer_id", userId);
  else if (filters.assignee === "unassigned") query = query.is("assigned_reviewer_id", null);
  else if (filters.assignee) query = query.eq("assigned_reviewer_id", filters.assignee);
  if (filters.overdue) {
    query = query
      .in("status", [...awaitingBdt])
      .lt("submitted_at", new Date(Date.now() - OVERDUE_DAYS * 86_400_000).toISOString());
  }
  if (filters.q) query = query.textSearch("search", filters.q, { type: "websearch", config: "simple" });
  if (filters.sort === "name") query = query.order("centre_name", { ascending: true });
  else query = query.order("submitted_at", { ascending: filters.sort === "oldest" });
  return query.order("id");
}

/** One page of the queue; a page past the end (`?page=999`) shows the last page instead (issue 11). */
export async function listValidationQueue(supabase: SupabaseServerClient, filters: QueueFilters, userId: string) {
  const from = (filters.page - 1) * QUEUE_PAGE_SIZE;
  const { data, count, error } = await queueQuery(supabase, filters, userId, true).range(
    from,
    from + QUEUE_PAGE_SIZE - 1,
  );
  // PGRST103: the range starts past the last row.
  if (error?.code === "PGRST103" && filters.page > 1) {
    const total = await countValidationQueue(supabase, filters, userId);
    const lastPage = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
    return listValidationQueue(supabase, { ...filters, page: Math.min(lastPage, filters.page - 1) }, userId);
  }
  if (error) throw databaseError("queue", error);
  return { rows: data, total: count ?? 0, page: filters.page };
}

/** All rows of the filtered queue, page by page, for the CSV export. */
export async function* exportValidationQueue(supabase: SupabaseServerClient, filters: QueueFilters, userId: string) {
  const pageSize = 1000;
  for (let from = 0; ; from += pageSize) {
    const { data, error } = await queueQuery(supabase, filters, userId, false).range(from, from + pageSize - 1);
    if (error) throw databaseError("export", error);
    yield data;
    if (data.length < pageSize) return;
  }
}

export async function countValidationQueue(supabase: SupabaseServerClient, filters: QueueFilters, userId: string) {
  const { count, error } = await queueQuery(supabase, filters, userId, true).range(0, 0);
  if (error?.code === "PGRST103") return 0;
  if (error) throw databaseError("queue count", error);
  return count ?? 0;
}

/** BDT staff who can be assigned EoIs, with their names (coordinators read every profile). */
/** Who an EoI can be assigned to (reviewers and coordinators), by name; one read, whatever their number. */
export async function listReviewers(supabase: SupabaseServerClient) {
  const data = checkRead("reviewer names", await supabase.rpc("staff_reviewers"));
  return data.map((person) => ({ id: person.id, name: person.name ?? "" }));
}

export const assignEois = (supabase: SupabaseServerClient, eoiIds: string[], reviewer: string) =>
  callRpc(supabase, "assign_eois", { eoi_ids: eoiIds, reviewer });
export const startValidation = (supabase: SupabaseServerClient, eoi: string) =>
  callRpc(supabase, "start_validation", { eoi });
export const requestClarification = (supabase: SupabaseServerClient, eoi: string, question: string) =>
  callRpc(supabase, "request_clarification", { eoi, question });
export const validateEoi = (supabase: SupabaseServerClient, args: RpcArgs<"validate_eoi">) =>
  callRpc(supabase, "validate_eoi", args);
export const declineEoi = (supabase: SupabaseServerClient, args: RpcArgs<"decline_eoi">) =>
  callRpc(supabase, "decline_eoi", args);

export async function listInternalNotes(supabase: SupabaseServerClient, eoi: string) {
  const { data, error } = await supabase
    .from("eoi_internal_notes")
    .select("id, body, created_at, author_id")
    .eq("eoi_id", eoi)
    .order("id");
  if (error) throw databaseError("notes", error);
  return data;
}

export async function addInternalNote(supabase: SupabaseServerClient, eoi: string, body: string) {
  const { error } = await supabase.from("eoi_internal_notes").insert({ eoi_id: eoi, body });
  return { error: error ? { code: error.hint ?? error.code } : null };
}

/** Names of the BDT staff who acted on an EoI (its validator, its notes' authors), for BDT only (migration 000600). */
export async function listEoiPeople(supabase: SupabaseServerClient, eoi: string) {
  const { data, error } = await callRpc(supabase, "eoi_people", { eoi });
  if (error) throw databaseError("eoi people", error);
  return data ?? [];
}
