import type { AppLoadContext } from "@remix-run/node";
import { callRpc } from "~/lib/rpc.server";
import { comparePlanVersions } from "~/models/plans.server";
import { applicationFields, type ApplicationField } from "~/validation/applications";
import type { RpcArgs } from "~/lib/database.types";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import type { VoteChoice } from "~/validation/applications";
import { checkRead, databaseError } from "~/lib/db-read.server";
import { getPacketAmendment, listAmendmentCandidates } from "~/models/amendments.server";

/**
 * The Digital Innovation Board's pages (issue 5). Every read goes through the member's own client: RLS hides a
 * packet's content, discussion and votes from a member who has not declared "no conflict", and votes from a member
 * who has not voted yet. The agenda and the members' names come from two narrow functions (migration 001000).
 */

/**
 * Every application that reached the Board, named (centre, institution, country), with nothing of its content. The
 * status is null once decided for a member who may not see the application (issue 10: the outcome is content too).
 */
export async function listBoardAgenda(supabase: SupabaseServerClient) {
  const { data, error } = await callRpc(supabase, "list_board_agenda", {});
  if (error) throw databaseError("agenda", error);
  return (data ?? []).map((item) => ({ ...item, status: item.status }));
}

export async function listBoardPeople(supabase: SupabaseServerClient) {
  const { data, error } = await callRpc(supabase, "list_board_people", {});
  if (error) throw databaseError("board people", error);
  return data ?? [];
}

/** Reviews, newest first, with how many packets each holds. */
export async function listReviews(supabase: SupabaseServerClient) {
  const { data, error } = await supabase
    .from("board_reviews")
    .select("id, title, status, closes_at, opened_at, closed_at, packets:board_packets(count)")
    .order("opened_at", { ascending: false })
    .limit(100);
  if (error) throw databaseError("reviews", error);
  return data.map(({ packets, ...review }) => ({
    ...review,
    packetCount: (packets as unknown as { count: number }[])[0]?.count ?? 0,
  }));
}

/** The applications the chair may put before the Board: sent by BDT and not already in an open review. */
export async function listReviewCandidates(supabase: SupabaseServerClient) {
  const [agenda, amendments] = await Promise.all([listBoardAgenda(supabase), listAmendmentCandidates(supabase)]);
  return [
    ...agenda
      .filter((item) => item.status === "board_review" && !item.in_open_review)
      .map((item) => ({ ...item, amendment: false })),
    // Major amendments sent by BDT (issue 15): open_board_review takes their ids beside applications'.
    ...amendments.map((item) => ({
      application_id: item.amendment_id,
      centre_name: item.centre_name,
      host_institution: item.host_institution,
      country_code: "",
      sent_at: item.sent_at,
      revision_cycle: null,
      amendment: true,
    })),
  ].sort((a, b) => a.sent_at.localeCompare(b.sent_at));
}

export const openReview = (supabase: SupabaseServerClient, input: RpcArgs<"open_board_review">) =>
  callRpc(supabase, "open_board_review", input);
export const closeReview = (supabase: SupabaseServerClient, review: string) =>
  callRpc(supabase, "close_board_review", { review });

/** A review with its packets, each named from the agenda and with the caller's own declaration on it. */
export async function getReview(supabase: SupabaseServerClient, id: string, userId: string) {
  const { data: review, error } = await supabase
    .from("board_reviews")
    .select(
      "id, title, status, closes_at, quorum, allow_plan_editing, opened_at, closed_at, packets:board_packets(id, application_id, created_at)",
    )
    .eq("id", id)
    .maybeSingle();
  if (error) throw databaseError("review", error);
  if (!review) return null;
  const packetIds = review.packets.map((packet) => packet.id);
  const [agenda, declarations] = await Promise.all([
    listBoardAgenda(supabase),
    supabase
      .from("conflict_declarations")
      .select("packet_id, has_conflict")
      .eq("member_id", userId)
      .in("packet_id", packetIds),
  ]);
  checkRead("declarations", declarations);
  const mine = new Map((declarations.data ?? []).map((row) => [row.packet_id, row.has_conflict]));
  return {
    ...review,
    packets: review.packets.map((packet) => ({
      id: packet.id,
      heading: agenda.find((item) => item.application_id === packet.application_id) ?? null,
      declared: mine.has(packet.id) ? (mine.get(packet.id) ? ("conflict" as const) : ("none" as const)) : null,
    })),
  };
}

/**
 * A packet as the caller may see it. Before a "no conflict" declaration only its heading (centre and institution)
 * is returned; the content, discussion, votes and quorum come afterwards, each read under RLS.
 */
export async function getPacket(
  supabase: SupabaseServerClient,
  collab: AppLoadContext["collab"],
  id: string,
  userId: string,
  isChair: boolean,
) {
  // One round trip of parallel reads (issue 14: the page was four waves and fifteen reads deep). The packet's row
  // brings what hangs off it (the review, the application and the plan version sent, declarations, BDT's
  // recommendation, the discussion, votes and the decision) as embeds, which RLS answers row by row exactly as
  // separate reads: nothing of the content before a "no conflict" declaration, only one's own declaration unless
  // one chairs, others' votes once one has voted. The content is used only once the declaration says "no conflict".
  const [packetResult, agenda, people, reads] = await Promise.all([
    supabase
      .from("board_packets")
      .select(
        `id, application_id, plan_version_id, amendment_id,
        review:board_reviews(id, title, status, closes_at, quorum, allow_plan_editing),
        application:centre_applications(${packetApplicationColumns}),
        version:plan_versions(id, plan_id, name, content, content_hash, created_at),
        declarations:conflict_declarations(member_id, has_conflict, reason, declared_at),
        recommendation:board_packet_contents(bdt_recommendation, bdt_recommended_outcome, revision_cycle, answers),
        comments(id, author_id, body, created_at),
        votes(member_id, choice, reason, updated_at),
        decision:board_decisions(outcome, conditions, recorded_at, votes_counted, quorum_required)`,
      )
      .eq("id", id)
      .order("declared_at", { referencedTable: "declarations" })
      .order("id", { referencedTable: "comments" })
      .order("cast_at", { referencedTable: "votes" })
      .maybeSingle(),
    listBoardAgenda(supabase),
    listBoardPeople(supabase),
    readPacketContent(supabase, id),
  ]);
  const { data: packet, error } = packetResult;
  if (error) throw databaseError("packet", error);
  if (!packet?.review) return null;
  const own = packet.declarations.find((row) => row.member_id === userId);
  const declaration = {
    data: own ? { has_conflict: own.has_conflict, reason: own.reason, declared_at: own.declared_at } : null,
  };
  // Only the chair reads the others' declarations (RLS), and only the chair is shown them.
  const declarations = { data: isChair ? packet.declarations : [] };
  const nameOf = (member: string | null) => people.find((person) => person.id === member)?.name ?? "";
  const agendaHeading = agenda.find((item) => item.application_id === packet.application_id) ?? null;
  const readable = !!declaration.data && !declaration.data.has_conflict;
  // A major amendment's packet (issue 15) is before the Board while the amendment is, whatever its application's status.
  const [amendmentItem, amendment] = packet.amendment_id
    ? await Promise.all([
        callRpc(supabase, "list_amendment_agenda", {}).then(({ data }) =>
          (data ?? []).find((item) => item.amendment_id === packet.amendment_id),
        ),
        readable ? getPacketAmendment(supabase, packet.amendment_id) : null,
      ])
    : [null, null];
  const heading =
    agendaHeading && packet.amendment_id
      ? { ...agendaHeading, status: amendmentItem?.status === "board_review" ? ("board_review" as const) : null }
      : agendaHeading;
  const base = {
    amendmentId: packet.amendment_id,
    id: packet.id,
    review: packet.review,
    // Declaring, voting and discussing stop at the closing time even before the chair closes the review, and at the
    // decision (lock_open_packet); a decided application has left "board_review".
    open:
      packet.review.status === "open" &&
      new Date(packet.review.closes_at).getTime() > Date.now() &&
      heading?.status === "board_review",
    heading,
    declaration: declaration.data,
    declarations: (declarations.data ?? []).map((row) => ({ ...row, name: nameOf(row.member_id) })),
    undeclared: isChair
      ? people
          .filter((person) => !(declarations.data ?? []).some((row) => row.member_id === person.id))
          .map((person) => person.name)
      : [],
  };
  if (!readable) return { ...base, content: null };
  const content = await getPacketContent(supabase, collab, packet, reads, userId, nameOf);
  return { ...base, open: base.open && !content.decision, content: { ...content, amendment } };
}

const attachmentColumns = "id, file_name, content_type, size_bytes, created_at";
/** Every answer of the EoI behind a packet (issue 15); the institution's name and country are in the packet's heading. */
const packetEoiColumns = `id, contact_name, contact_email, centre_name, request_kind, proposed_centre_type, proposed_scope,
  capabilities, regional_initiatives, kigali_priorities, alignment, motivation, ecosystem, resources, governance,
  submitted_at`;
const packetApplicationColumns = `id, status, centre_name, centre_type, scope, capabilities, governance, resources,
  partners, host_details, revision_cycle, plan:action_plans(id), attachments(${attachmentColumns}),
  eoi:eois(${packetEoiColumns}, attachments(${attachmentColumns}))`;

/** The packet's counts and people, from functions that take its id (each answers the member as RLS would). */
function readPacketContent(supabase: SupabaseServerClient, packetId: string) {
  return Promise.all([
    callRpc(supabase, "packet_quorum_status", { packet: packetId }),
    callRpc(supabase, "get_packet_revision", { packet: packetId }),
    // Whom the discussion's composer offers for "@name" (issue 17); BDT, who read but do not discuss, get none.
    callRpc(supabase, "mentionable_people", { packet: packetId }),
  ]);
}

async function getPacketContent<
  Application extends Record<ApplicationField, string | null> | null,
  Version extends { id: string; plan_id: string } | null,
  Recommendation extends { answers: unknown } | null,
  Comment extends { author_id: string | null },
  Vote extends { member_id: string },
  Decision,
>(
  supabase: SupabaseServerClient,
  collab: AppLoadContext["collab"],
  packet: {
    application: Application;
    version: Version;
    recommendation: Recommendation;
    comments: Comment[];
    votes: Vote[];
    decision: Decision;
  },
  reads: Awaited<ReturnType<typeof readPacketContent>>,
  userId: string,
  nameOf: (member: string | null) => string,
) {
  const [quorum, revision, mentionable] = reads;
  const [application, version, recommendation, comments, votes, decision] = [
    { data: packet.application },
    { data: packet.version },
    { data: packet.recommendation },
    { data: packet.comments },
    { data: packet.votes },
    { data: packet.decision },
  ] as const;
  if (quorum.error) throw databaseError("packet quorum", quorum.error);
  if (revision.error) throw databaseError("packet revision", revision.error);
  const cycle = revision.data?.[0] ?? null;
  // The answers as sent with this packet; packets opened before issue 15 kept none, so the application's are shown.
  const answers = answersOf(recommendation.data?.answers) ?? application.data;
  const previous = cycle?.previous_plan_version_id && version.data ? cycle : null;
  const changes = previous
    ? {
        reasons: previous.previous_reasons,
        answers: sideBySide(answersOf(previous.previous_answers), answers),
        plan: await comparePlanVersions(
          supabase,
          collab,
          version.data!.plan_id,
          previous.previous_plan_version_id,
          version.data!.id,
        ),
        fromVersion: previous.previous_plan_version_id,
      }
    : null;
  const allVotes = (votes.data ?? []).map((vote) => ({ ...vote, name: nameOf(vote.member_id) }));
  const tally = quorum.data?.[0] ?? null;
  return {
    application: application.data,
    answers,
    recommendation: recommendation.data,
    revision: cycle ? { cycle: cycle.revision_cycle, cap: cycle.max_revision_cycles } : null,
    changes,
    version: version.data,
    comments: (comments.data ?? []).map((comment) => ({ ...comment, author: nameOf(comment.author_id) })),
    mentionable: (mentionable.data ?? []).map((person) => person.display_name),
    myVote: allVotes.find((vote) => vote.member_id === userId) ?? null,
    otherVotes: allVotes.filter((vote) => vote.member_id !== userId),
    quorum: tally,
    decision: decision.data,
  };
}

/** The answers kept with a packet (a JSON object of the application's fields), or null when none were kept. */
export function answersOf(value: unknown): Record<ApplicationField, string | null> | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    applicationFields.map((field) => [field, typeof record[field] === "string" ? record[field] : null]),
  ) as Record<ApplicationField, string | null>;
}

/** Each answer as the Board last saw it beside the answer now, and whether it changed. */
function sideBySide(
  before: Record<ApplicationField, string | null> | null,
  now: Record<ApplicationField, string | null> | null,
) {
  return applicationFields.map((field) => {
    const was = before?.[field] ?? null;
    const is = now?.[field] ?? null;
    return { field, before: was, now: is, changed: (was ?? "").trim() !== (is ?? "").trim() };
  });
}

export const declareConflict = (
  supabase: SupabaseServerClient,
  packet: string,
  hasConflict: boolean,
  reason?: string,
) =>
  callRpc(supabase, "declare_conflict", {
    packet,
    has_conflict: hasConflict,
    reason: hasConflict ? reason : undefined,
  });

export const castVote = (supabase: SupabaseServerClient, packet: string, choice: VoteChoice, reason: string) =>
  callRpc(supabase, "cast_vote", { packet, choice, reason });

/** Records the Board's decision: on an application, or on a major amendment (issue 15), each by its own function. */
export async function recordDecision(
  supabase: SupabaseServerClient,
  packet: string,
  outcome: VoteChoice,
  conditions?: string,
  conditionItems?: { text: string; due_on: string; quote?: string }[],
  closedByBdt = false,
) {
  const row = checkRead(
    "packet",
    await supabase.from("board_packets").select("amendment_id").eq("id", packet).maybeSingle(),
  );
  if (row?.amendment_id)
    return callRpc(supabase, "record_amendment_decision", { packet, outcome, reasons: conditions || undefined });
  return callRpc(supabase, "record_decision", {
    packet,
    outcome,
    conditions: conditions || undefined,
    // Each condition is its own record (issue 15), only for "approve with conditions".
    ...(outcome === "approve_with_conditions"
      ? { condition_items: conditionItems, conditions_closed_by_bdt: closedByBdt }
      : {}),
  });
}

/** Joins the packet's discussion; RLS refuses a member who has not declared "no conflict" (42501). */
export async function addPacketComment(supabase: SupabaseServerClient, packet: string, userId: string, body: string) {
  const { error } = await supabase.from("comments").insert({ packet_id: packet, author_id: userId, body });
  return {
    error: error
      ? {
          code: error.code === "42501" ? "conflict_undeclared_or_conflicted" : error.hint || error.code || "unexpected",
        }
      : null,
  };
}
