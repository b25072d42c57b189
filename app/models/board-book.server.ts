import { checkRead, databaseError } from "~/lib/db-read.server";
import type { PlanNode } from "~/lib/plan-schema";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import { answersOf, listBoardAgenda } from "~/models/board.server";
import { getOwnProfile } from "~/models/profile.server";
import { applicationFields, type ApplicationField } from "~/validation/applications";

/**
 * The Board book (issue 17): every packet of a review that the reader may read, for one PDF. Every read goes through
 * the reader's own client, the same tables and RLS as the packet page, so the book can hold nothing the packet page
 * would not show: a packet whose content RLS withholds (no declaration yet, or a conflict on it or on another packet
 * of the same application; migration 20261201000100) is left out, by construction.
 */

const eoiColumns = `contact_name, contact_email, centre_name, request_kind, proposed_centre_type, proposed_scope,
  capabilities, regional_initiatives, kigali_priorities, alignment, motivation, ecosystem, resources, governance,
  submitted_at, attachments(file_name)`;

/** The review and its packets' headings (centre, institution, country), as every Board member sees the agenda. */
export async function getBookReview(supabase: SupabaseServerClient, reviewId: string) {
  const { data: review, error } = await supabase
    .from("board_reviews")
    .select("id, title, status, closes_at, packets:board_packets(id, application_id, plan_version_id, created_at)")
    .eq("id", reviewId)
    .maybeSingle();
  if (error) throw databaseError("book review", error);
  if (!review) return null;
  const agenda = await listBoardAgenda(supabase);
  const packets = [...review.packets]
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
    .map((packet) => {
      const heading = agenda.find((item) => item.application_id === packet.application_id);
      return {
        id: packet.id,
        applicationId: packet.application_id,
        planVersionId: packet.plan_version_id,
        centreName: heading?.centre_name ?? "",
        hostInstitution: heading?.host_institution ?? "",
        countryCode: heading?.country_code ?? "",
      };
    });
  return { id: review.id, title: review.title, status: review.status, closesAt: review.closes_at, packets };
}
export type BookReview = NonNullable<Awaited<ReturnType<typeof getBookReview>>>;
export type BookPacketHeading = BookReview["packets"][number];

/** The reader's name, printed on every page. */
export async function getBookReader(supabase: SupabaseServerClient, userId: string, fallback: string) {
  const profile = await getOwnProfile(supabase, userId);
  return profile?.display_name?.trim() || profile?.email || fallback;
}

/**
 * One packet's content as the reader may read it, or null when RLS withholds it. BDT's recommendation is read first:
 * its table answers only members who declared no conflict (and BDT), so nothing else is asked for otherwise.
 */
export async function getBookPacket(supabase: SupabaseServerClient, heading: BookPacketHeading) {
  const recommendation = checkRead(
    "book recommendation",
    await supabase
      .from("board_packet_contents")
      .select("bdt_recommendation, bdt_recommended_outcome, answers")
      .eq("packet_id", heading.id)
      .maybeSingle(),
  );
  if (!recommendation) return null;
  const [application, version] = await Promise.all([
    supabase
      .from("centre_applications")
      .select(
        `centre_name, centre_type, scope, capabilities, governance, resources, partners, host_details,
        attachments(file_name), eoi:eois(${eoiColumns})`,
      )
      .eq("id", heading.applicationId)
      .maybeSingle(),
    supabase
      .from("plan_versions")
      .select("name, content, content_hash, created_at")
      .eq("id", heading.planVersionId)
      .maybeSingle(),
  ]);
  checkRead("book application", application);
  checkRead("book plan version", version);
  if (!application.data) return null;
  const kept = answersOf(recommendation.answers);
  const answers = Object.fromEntries(
    applicationFields.map((field) => [field, kept ? kept[field] : application.data![field]]),
  ) as Record<ApplicationField, string | null>;
  return {
    heading,
    profile: {
      centreType: application.data.centre_type,
      scope: application.data.scope,
      capabilities: application.data.capabilities,
    },
    answers,
    applicationFiles: application.data.attachments.map((file) => file.file_name),
    eoi: application.data.eoi
      ? {
          ...application.data.eoi,
          files: application.data.eoi.attachments.map((file) => file.file_name),
        }
      : null,
    recommendation: {
      outcome: recommendation.bdt_recommended_outcome,
      text: recommendation.bdt_recommendation,
    },
    plan: version.data
      ? {
          name: version.data.name,
          createdAt: version.data.created_at,
          hash: version.data.content_hash,
          content: version.data.content as unknown as PlanNode,
        }
      : null,
  };
}
export type BookPacket = NonNullable<Awaited<ReturnType<typeof getBookPacket>>>;

/**
 * Reads the book packet by packet, telling `onProgress` after each one (the download page shows it), and returns the
 * packets the reader may read.
 */
export async function loadBookPackets(
  supabase: SupabaseServerClient,
  review: BookReview,
  onProgress: (done: number, total: number) => void | Promise<void>,
) {
  const packets: BookPacket[] = [];
  let done = 0;
  for (const heading of review.packets) {
    const packet = await getBookPacket(supabase, heading);
    if (packet) packets.push(packet);
    done++;
    await onProgress(done, review.packets.length);
  }
  return packets;
}
