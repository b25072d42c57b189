import type { AppRole } from "~/lib/roles";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import { checkRead, databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import { awaitingBdt, OVERDUE_DAYS } from "~/validation/queue";
import { listMyOrganisations } from "~/models/organisations.server";
import { listBoardAgenda } from "~/models/board.server";
import { listReviewers } from "~/models/validation.server";

/**
 * The home page's to-do list, one part per role the person holds (issue 17). Every read goes through the person's
 * own client, so RLS decides what appears: nothing here can show what the person could not open. Each count is the
 * total of the very filter its link opens (`homeLinks`), so the number on the home page and the list it leads to
 * cannot disagree.
 */

/** How many items of a list the home page shows before "see all". */
export const HOME_LIST_LIMIT = 10;
/** A call closing within this many days is "closing soon" for the coordinator. */
export const CLOSING_SOON_DAYS = 14;
/** The fields `submit_eoi` requires (migration 000400), so a draft's completeness is what submission checks. */
const requiredEoiFields = [
  "centre_name",
  "request_kind",
  "proposed_centre_type",
  "proposed_scope",
  "capabilities",
  "motivation",
  "contact_email",
] as const;

const dayMs = 86_400_000;
const ageInDays = (since: string | null, now: number) =>
  since ? Math.max(0, Math.floor((now - new Date(since).getTime()) / dayMs)) : 0;

type EoiRow = Record<(typeof requiredEoiFields)[number], unknown>;
function completeness(row: EoiRow) {
  const filled = requiredEoiFields.filter((field) => {
    const value = row[field];
    if (Array.isArray(value)) return value.length > 0;
    return typeof value === "string" ? value.trim() !== "" : value !== null && value !== undefined;
  }).length;
  return { filled, required: requiredEoiFields.length };
}

async function applicantTodo(supabase: SupabaseServerClient, userId: string, now: number) {
  const organisations = await listMyOrganisations(supabase, userId);
  const nowIso = new Date(now).toISOString();
  const calls = checkRead(
    "open calls",
    await supabase
      .from("calls")
      .select("id, title, closes_at")
      .eq("status", "open")
      .lte("opens_at", nowIso)
      .order("closes_at"),
  );
  if (organisations.length === 0) {
    return { organisations: 0, register: true, startEoi: [], drafts: [], clarifications: [], applications: [] };
  }
  const orgIds = organisations.map((org) => org.id);
  const [eois, extensions, applications] = await Promise.all([
    supabase
      .from("eois")
      .select(
        "id, organisation_id, call_id, status, updated_at, centre_name, request_kind, proposed_centre_type, proposed_scope, capabilities, motivation, contact_email, call:calls(id, title, closes_at), clarifications:eoi_clarifications(question, asked_at, answered_at)",
      )
      .in("organisation_id", orgIds)
      .in("status", ["draft", "submitted", "under_validation", "clarification_requested", "resubmitted", "validated"])
      .order("updated_at", { ascending: false })
      .limit(200),
    supabase.from("call_extensions").select("call_id, organisation_id, closes_at").in("organisation_id", orgIds),
    supabase
      .from("centre_applications")
      .select("id, centre_name, status, updated_at")
      .in("organisation_id", orgIds)
      .in("status", ["draft", "changes_requested"])
      .order("updated_at", { ascending: false }),
  ]);
  const eoiRows = checkRead("home eois", eois);
  const extensionRows = checkRead("home extensions", extensions);
  const deadline = (call: { id: string; closes_at: string }, organisation: string) => {
    const extension = extensionRows.find((row) => row.call_id === call.id && row.organisation_id === organisation);
    return extension && extension.closes_at > call.closes_at ? extension.closes_at : call.closes_at;
  };
  // Start an EoI: each open call still accepting this institution that has no live EoI from it yet.
  const startEoi = calls.flatMap((call) =>
    organisations
      .filter((org) => deadline(call, org.id) > nowIso)
      .filter((org) => !eoiRows.some((eoi) => eoi.call_id === call.id && eoi.organisation_id === org.id))
      .map((org) => ({
        callId: call.id,
        callTitle: call.title,
        organisation: org.name,
        deadline: deadline(call, org.id),
      })),
  );
  const drafts = eoiRows
    .filter((eoi) => eoi.status === "draft" && eoi.call)
    .map((eoi) => ({
      id: eoi.id,
      name: eoi.centre_name,
      callTitle: eoi.call.title,
      deadline: deadline(eoi.call, eoi.organisation_id),
      ...completeness(eoi),
    }))
    .sort((a, b) => a.deadline.localeCompare(b.deadline));
  const clarifications = eoiRows
    .filter((eoi) => eoi.status === "clarification_requested")
    .map((eoi) => {
      const open = eoi.clarifications.filter((item) => !item.answered_at);
      return {
        id: eoi.id,
        name: eoi.centre_name,
        askedAt: open.map((item) => item.asked_at).sort()[0] ?? null,
      };
    });
  return {
    organisations: organisations.length,
    register: false,
    startEoi,
    drafts,
    clarifications,
    applications: checkRead("home applications", applications),
  };
}

async function reviewerTodo(supabase: SupabaseServerClient, userId: string, now: number) {
  const [eois, applications, submitted] = await Promise.all([
    // Exactly the queue's `assignee=me` view: awaiting BDT, assigned to me, oldest first.
    supabase
      .from("eois")
      .select("id, centre_name, status, submitted_at, organisation:organisations(name)", { count: "exact" })
      .in("status", [...awaitingBdt])
      .eq("assigned_reviewer_id", userId)
      .order("submitted_at", { ascending: true })
      .order("id")
      .limit(HOME_LIST_LIMIT),
    supabase
      .from("centre_applications")
      .select("id, centre_name, status, submitted_at, bdt:application_bdt_reviews!inner(reviewer_id)", {
        count: "exact",
      })
      .eq("status", "bdt_review")
      .eq("bdt.reviewer_id", userId)
      .order("submitted_at", { ascending: true })
      .limit(HOME_LIST_LIMIT),
    supabase.from("centre_applications").select("id", { count: "exact", head: true }).eq("status", "submitted"),
  ]);
  for (const result of [eois, applications, submitted]) checkRead("reviewer home", result);
  return {
    targetDays: OVERDUE_DAYS,
    eoiCount: eois.count ?? 0,
    eois: (eois.data ?? []).map((row) => ({
      id: row.id,
      name: row.centre_name,
      status: row.status,
      institution: row.organisation?.name ?? "",
      submittedAt: row.submitted_at,
      ageDays: ageInDays(row.submitted_at, now),
    })),
    applicationCount: applications.count ?? 0,
    applications: (applications.data ?? []).map((row) => ({
      id: row.id,
      name: row.centre_name,
      submittedAt: row.submitted_at,
      ageDays: ageInDays(row.submitted_at, now),
    })),
    submittedApplications: submitted.count ?? 0,
  };
}

async function countEois(
  supabase: SupabaseServerClient,
  filter: (query: ReturnType<typeof eoiCountQuery>) => ReturnType<typeof eoiCountQuery>,
) {
  const { count, error } = await filter(eoiCountQuery(supabase));
  if (error) throw databaseError("coordinator home", error);
  return count ?? 0;
}
const eoiCountQuery = (supabase: SupabaseServerClient) =>
  supabase
    .from("eois")
    .select("id", { count: "exact", head: true })
    .in("status", [...awaitingBdt]);

async function coordinatorTodo(supabase: SupabaseServerClient, now: number) {
  const overdueBefore = new Date(now - OVERDUE_DAYS * dayMs).toISOString();
  const nowIso = new Date(now).toISOString();
  const soon = new Date(now + CLOSING_SOON_DAYS * dayMs).toISOString();
  const [unassigned, overdue, calls, reviewers] = await Promise.all([
    supabase
      .from("eois")
      .select("id, centre_name, submitted_at, organisation:organisations(name)", { count: "exact" })
      .in("status", [...awaitingBdt])
      .is("assigned_reviewer_id", null)
      .order("submitted_at", { ascending: true })
      .order("id")
      .limit(HOME_LIST_LIMIT),
    countEois(supabase, (query) => query.lt("submitted_at", overdueBefore)),
    supabase
      .from("calls")
      .select("id, title, closes_at")
      .eq("status", "open")
      .gt("closes_at", nowIso)
      .lte("closes_at", soon)
      .order("closes_at"),
    listReviewers(supabase),
  ]);
  for (const result of [unassigned, calls]) checkRead("coordinator home", result);
  const load = await Promise.all(
    reviewers.map(async (reviewer) => ({
      ...reviewer,
      count: await countEois(supabase, (query) => query.eq("assigned_reviewer_id", reviewer.id)),
    })),
  );
  return {
    unassignedCount: unassigned.count ?? 0,
    unassigned: (unassigned.data ?? []).map((row) => ({
      id: row.id,
      name: row.centre_name,
      institution: row.organisation?.name ?? "",
      submittedAt: row.submitted_at,
      ageDays: ageInDays(row.submitted_at, now),
    })),
    overdueCount: overdue,
    targetDays: OVERDUE_DAYS,
    closingSoon: calls.data ?? [],
    closingSoonDays: CLOSING_SOON_DAYS,
    load: load.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
  };
}

/** The open packets (open review, before its closing time, not yet decided), each with the caller's own part. */
async function openPackets(supabase: SupabaseServerClient, userId: string, now: number) {
  const reviews = checkRead(
    "open reviews",
    await supabase
      .from("board_reviews")
      .select("id, title, closes_at, packets:board_packets(id, application_id)")
      .eq("status", "open")
      .gt("closes_at", new Date(now).toISOString())
      .order("closes_at"),
  );
  const packets = reviews.flatMap((review) =>
    review.packets.map((packet) => ({ ...packet, reviewTitle: review.title, closesAt: review.closes_at })),
  );
  if (packets.length === 0) return [];
  const ids = packets.map((packet) => packet.id);
  const [agenda, declarations, votes] = await Promise.all([
    listBoardAgenda(supabase),
    supabase
      .from("conflict_declarations")
      .select("packet_id, has_conflict")
      .eq("member_id", userId)
      .in("packet_id", ids),
    supabase.from("votes").select("packet_id").eq("member_id", userId).in("packet_id", ids),
  ]);
  const declared = new Map(
    checkRead("home declarations", declarations).map((row) => [row.packet_id, row.has_conflict]),
  );
  const voted = new Set(checkRead("home votes", votes).map((row) => row.packet_id));
  return packets.flatMap((packet) => {
    const heading = agenda.find((item) => item.application_id === packet.application_id);
    // A decided application has left "board_review": nothing is left to do on its packet.
    if (!heading || heading.status !== "board_review") return [];
    return [
      {
        id: packet.id,
        reviewTitle: packet.reviewTitle,
        closesAt: packet.closesAt,
        centre: heading.centre_name,
        institution: heading.host_institution,
        declaration: declared.has(packet.id) ? (declared.get(packet.id) ? "conflict" : "none") : null,
        voted: voted.has(packet.id),
      },
    ];
  });
}

async function boardMemberTodo(supabase: SupabaseServerClient, userId: string, now: number) {
  const packets = await openPackets(supabase, userId, now);
  return {
    packets: packets
      .filter((packet) => packet.declaration === null || (packet.declaration === "none" && !packet.voted))
      .map((packet) => ({ ...packet, action: packet.declaration === null ? "declare" : "vote" })),
  };
}

async function chairTodo(supabase: SupabaseServerClient, userId: string, now: number) {
  const packets = await openPackets(supabase, userId, now);
  const withQuorum = await Promise.all(
    packets.map(async (packet) => {
      // Quorum progress is for members who declared no conflict (private.can_see_packet), the chair included.
      if (packet.declaration !== "none") return { ...packet, quorum: null };
      const { data, error } = await callRpc(supabase, "packet_quorum_status", { packet: packet.id });
      if (error) throw databaseError("home quorum", error);
      const tally = data?.[0];
      return { ...packet, quorum: tally ? { votes: tally.votes_counted, required: tally.quorum_required } : null };
    }),
  );
  return {
    packets: withQuorum.map((packet) => ({
      ...packet,
      ready: packet.quorum !== null && packet.quorum.votes >= packet.quorum.required,
    })),
  };
}

export async function loadHomeTodo(supabase: SupabaseServerClient, userId: string, roles: AppRole[], now = Date.now()) {
  const has = (role: AppRole) => roles.includes(role);
  const [applicant, reviewer, coordinator, boardMember, chair] = await Promise.all([
    has("applicant") ? applicantTodo(supabase, userId, now) : null,
    has("reviewer") ? reviewerTodo(supabase, userId, now) : null,
    has("coordinator") ? coordinatorTodo(supabase, now) : null,
    has("board_member") ? boardMemberTodo(supabase, userId, now) : null,
    has("board_chair") ? chairTodo(supabase, userId, now) : null,
  ]);
  return { applicant, reviewer, coordinator, board_member: boardMember, board_chair: chair };
}

export type HomeTodo = Awaited<ReturnType<typeof loadHomeTodo>>;
