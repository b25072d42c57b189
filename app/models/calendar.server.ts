import ical from "ical-generator";
import type { TFunction } from "i18next";
import { databaseError } from "~/lib/db-read.server";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";

/**
 * iCalendar for deadlines (issue 17), built with ical-generator (README, Decisions): one file per call, and a
 * personal feed behind a secret address. Times are written in UTC ("Z"), so every calendar shows them in its
 * owner's own zone. A deadline is an instant: a 30-minute event ending at the deadline would move it, so each
 * event starts at the deadline and lasts 30 minutes.
 */
interface Deadline {
  uid: string;
  summary: string;
  dueAt: string;
  url: string;
  description?: string;
}

const EVENT_MINUTES = 30;

function calendarText(name: string, deadlines: Deadline[]): string {
  const calendar = ical({ name, prodId: { company: "ITU BDT", product: "Accelerator Network", language: "EN" } });
  for (const deadline of deadlines) {
    const start = new Date(deadline.dueAt);
    calendar.createEvent({
      id: deadline.uid,
      start,
      end: new Date(start.getTime() + EVENT_MINUTES * 60_000),
      summary: deadline.summary,
      description: deadline.description ?? null,
      url: deadline.url,
      stamp: new Date(),
    });
  }
  return calendar.toString();
}

export function calendarResponse(text: string, fileName: string): Response {
  return new Response(text, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `inline; filename="${fileName}"`,
      "Cache-Control": "private, no-store",
    },
  });
}

/** A call's opening and deadline, for anyone who may read the call (RLS decides); null when they may not. */
export async function callCalendar(supabase: SupabaseServerClient, callId: string, t: TFunction, siteUrl: string) {
  const { data, error } = await supabase
    .from("calls")
    .select("id, title, opens_at, closes_at")
    .eq("id", callId)
    .maybeSingle();
  if (error) throw databaseError("call calendar", error);
  if (!data) return null;
  const url = new URL(`/calls/${data.id}`, siteUrl).toString();
  return calendarText(data.title, [
    {
      uid: `call-${data.id}-opens@accelerator-network`,
      summary: t("calendar.callOpens", { title: data.title }),
      dueAt: data.opens_at,
      url,
    },
    {
      uid: `call-${data.id}-closes@accelerator-network`,
      summary: t("calendar.callCloses", { title: data.title }),
      dueAt: data.closes_at,
      url,
    },
  ]);
}

/** The deadlines of the feed's owner, or null when the secret is unknown (or was reset). */
export async function personalFeed(
  supabase: SupabaseServerClient,
  token: string,
  siteUrl: string,
  translatorFor: (language: string | null) => TFunction,
) {
  const { data, error } = await callRpc(supabase, "calendar_feed_deadlines", { token });
  if (error?.code === "not_found") return null;
  if (error) throw databaseError("calendar feed", { message: error.message, code: error.code });
  // Written in the feed owner's language (a calendar app sends no cookie).
  const t = translatorFor(data?.[0]?.locale ?? null);
  const deadlines = (data ?? []).map((row) => ({
    uid: `${row.uid}@accelerator-network`,
    summary: t(row.kind === "review_closes" ? "calendar.reviewCloses" : "calendar.callCloses", { title: row.title }),
    dueAt: row.due_at,
    url: new URL(
      row.kind === "review_closes" ? `/board/reviews/${row.entity_id}` : `/calls/${row.entity_id}`,
      siteUrl,
    ).toString(),
  }));
  return calendarText(t("calendar.feedName"), deadlines);
}

/** Whether the signed-in person has a feed, and since when (the secret itself is never shown again). */
export async function getOwnFeed(supabase: SupabaseServerClient, userId: string) {
  const { data, error } = await supabase
    .from("calendar_feeds")
    .select("created_at")
    .eq("person_id", userId)
    .maybeSingle();
  if (error) throw databaseError("calendar feed", error);
  return data;
}

export const resetFeed = (supabase: SupabaseServerClient) => callRpc(supabase, "reset_calendar_feed", {});
