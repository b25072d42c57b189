import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  buildApplication,
  buildCall,
  buildCast,
  buildOrganisation,
  buildPacket,
  rpc,
  type Cast,
} from "../support/factories";
import { anonClient, buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

// Issue 17, "Notifications people can steer": comments notify the people concerned, mentions only reach people who
// may read the thread, Board secrecy holds, each person steers how they are mailed, and the calendar feed's secret
// can be reset.

function anchor() {
  const doc = new Y.Doc();
  const paragraph = new Y.XmlElement("paragraph");
  doc.getXmlFragment("default").insert(0, [paragraph]);
  const text = new Y.XmlText("Two cohorts a year");
  paragraph.insert(0, [text]);
  const json = (position: Y.RelativePosition) => Y.relativePositionToJSON(position) as Record<string, unknown>;
  return {
    from: json(Y.createRelativePositionFromTypeIndex(text, 1)),
    to: json(Y.createRelativePositionFromTypeIndex(text, 5, -1)),
  };
}

interface Row {
  recipient_id: string;
  kind: string;
  entity_type: string;
  entity_id: string;
  mail_state: string;
  payload: { excerpt?: string; author?: string };
}

/** What the database stored for a thread, whoever may read it (the test checks who was notified). */
async function notificationsAbout(entity: string): Promise<Row[]> {
  return withDatabase(
    async (db) =>
      (
        await db.query<Row>(
          "select recipient_id::text, kind, entity_type, entity_id::text, mail_state, payload from public.notifications where entity_id = $1 order by id",
          [entity],
        )
      ).rows,
  );
}

const unique = () => Math.random().toString(36).slice(2, 8);

let cast: Cast;
let chair: TestUser;
let conflicted: TestUser;
let undeclared: TestUser;
let plan: string;
let packet: string;
let names: Record<string, string>;

beforeAll(async () => {
  cast = await buildCast();
  // Distinct names, so "@name" in one test never matches a person of another.
  names = {
    applicant: `Amina ${unique()}`,
    colleague: `Colin ${unique()}`,
    outsider: `Oscar ${unique()}`,
    reviewer: `Rita ${unique()}`,
    boardMember: `Bruno ${unique()}`,
    chair: `Chen ${unique()}`,
    conflicted: `Conrad ${unique()}`,
    undeclared: `Ursula ${unique()}`,
  };
  chair = await buildUser(["board_member", "board_chair"], names.chair);
  conflicted = await buildUser(["board_member"], names.conflicted);
  undeclared = await buildUser(["board_member"], names.undeclared);
  await withDatabase(async (db) => {
    for (const [role, name] of Object.entries(names)) {
      const people: Record<string, TestUser> = { ...cast, chair, conflicted, undeclared };
      const person = people[role]!;
      await db.query("update public.profiles set display_name = $2 where id = $1", [person.id, name]);
    }
  });
  const organisation = await buildOrganisation(cast.applicant, [cast.colleague]);
  let application: string;
  ({ plan, application } = await buildApplication(cast, "board_review", { organisation }));
  packet = await buildPacket(chair, application);
  for (const member of [cast.boardMember, chair])
    await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(conflicted.client, "declare_conflict", { packet, has_conflict: true, reason: "I advise the applicant." });
});

describe("comments notify the people concerned", () => {
  it("a plan comment reaches the organisation, the assigned reviewer and the Board members who may read it, never its author", async () => {
    const id = await rpc<number>(cast.applicant.client, "add_plan_comment", {
      plan,
      body: "Is the baseline for KPI 2 right?",
      anchor: anchor(),
    });
    const rows = (await notificationsAbout(plan)).filter((row) => row.kind === "plan_comment");
    const recipients = rows.map((row) => row.recipient_id);
    expect(recipients).toEqual(
      expect.arrayContaining([cast.colleague.id, cast.reviewer.id, cast.boardMember.id, chair.id]),
    );
    expect(recipients).not.toContain(cast.applicant.id);
    expect(recipients).not.toContain(conflicted.id);
    expect(recipients).not.toContain(undeclared.id);
    expect(recipients).not.toContain(cast.outsider.id);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(rows[0]!.payload).toMatchObject({ excerpt: "Is the baseline for KPI 2 right?", author: names.applicant });
    expect(rows.every((row) => row.entity_type === "plan")).toBe(true);
    void id;
  });

  it("an @mention reaches a reader as a mention; mentions of people who may not read the thread are ignored", async () => {
    const before = (await notificationsAbout(plan)).length;
    await rpc(cast.reviewer.client, "add_plan_comment", {
      plan,
      body: `@${names.colleague} and @${names.outsider} and @${names.conflicted} and @${names.undeclared}: see KPI 3.`,
      anchor: anchor(),
    });
    const rows = (await notificationsAbout(plan)).slice(before);
    const mentions = rows.filter((row) => row.kind === "mention").map((row) => row.recipient_id);
    expect(mentions).toEqual([cast.colleague.id]);
    const everyone = rows.map((row) => row.recipient_id);
    for (const outside of [cast.outsider, conflicted, undeclared, cast.reviewer])
      expect(everyone).not.toContain(outside.id);
    // The colleague is told once, as a mention, not also as a comment.
    expect(everyone.filter((person) => person === cast.colleague.id)).toHaveLength(1);
  });

  it("the conflicted and undeclared Board members get nothing about the packet's discussion, even when mentioned", async () => {
    const posted = await cast.boardMember.client.from("comments").insert({
      packet_id: packet,
      body: `Quorum soon? @${names.chair} @${names.conflicted} @${names.undeclared} @${names.applicant}`,
    });
    expect(posted.error).toBeNull();
    const rows = await notificationsAbout(packet);
    expect(rows.map((row) => [row.recipient_id, row.kind])).toEqual([[chair.id, "mention"]]);
    expect(rows[0]!.entity_type).toBe("board_packet");

    await chair.client.from("comments").insert({ packet_id: packet, body: "Yes, tomorrow." });
    const after = (await notificationsAbout(packet)).slice(1);
    expect(after.map((row) => [row.recipient_id, row.kind])).toEqual([[cast.boardMember.id, "packet_comment"]]);
  });

  it("the composer offers exactly the people a mention would reach: never a conflicted member; outsiders may not ask", async () => {
    const forApplicant = await rpc<{ id: string; display_name: string }[]>(
      cast.applicant.client,
      "mentionable_people",
      {
        plan,
      },
    );
    const offered = forApplicant.map((person) => person.id);
    expect(offered).toEqual(expect.arrayContaining([cast.colleague.id, cast.reviewer.id]));
    expect(offered).not.toContain(cast.applicant.id);
    expect(offered).not.toContain(cast.boardMember.id);
    // BDT is offered the Board members who may read the plan: not the conflicted one, nor one who has not declared.
    const forReviewer = (await rpc<{ id: string }[]>(cast.reviewer.client, "mentionable_people", { plan })).map(
      (person) => person.id,
    );
    expect(forReviewer).toEqual(expect.arrayContaining([cast.boardMember.id, chair.id, cast.colleague.id]));
    expect(forReviewer).not.toContain(conflicted.id);
    expect(forReviewer).not.toContain(undeclared.id);
    // The packet's discussion offers its readers only (issue 17: the picker and the notification agree).
    const forMember = (await rpc<{ id: string }[]>(cast.boardMember.client, "mentionable_people", { packet })).map(
      (person) => person.id,
    );
    expect(forMember).toEqual([chair.id]);
    const forChair = (await rpc<{ id: string }[]>(chair.client, "mentionable_people", { packet })).map(
      (person) => person.id,
    );
    expect(forChair).toEqual([cast.boardMember.id]);
    for (const stranger of [cast.outsider, conflicted]) {
      const refused = await stranger.client.rpc("mentionable_people", { packet });
      expect(refused.error?.hint).toBe("not_found");
    }
    expect((await cast.outsider.client.rpc("mentionable_people", { plan })).error?.hint).toBe("not_found");
    expect((await anonClient().rpc("mentionable_people", { plan })).error).not.toBeNull();
  });
});

describe("each person steers how they are mailed", () => {
  it("digest and no-mail choices decide each new notification's mail; in-app rows always appear", async () => {
    const person = cast.colleague;
    await rpc(person.client, "set_notification_preference", { category: "comment", delivery: "daily_digest" });
    await rpc(person.client, "set_notification_preference", { category: "mention", delivery: "no_mail" });
    const prefs = await person.client.from("notification_preferences").select("category, delivery").order("category");
    expect(prefs.data).toEqual([
      { category: "comment", delivery: "daily_digest" },
      { category: "mention", delivery: "no_mail" },
    ]);
    const before = (await notificationsAbout(plan)).length;
    await rpc(cast.reviewer.client, "add_plan_comment", { plan, body: "A plain comment.", anchor: anchor() });
    await rpc(cast.reviewer.client, "add_plan_comment", { plan, body: `@${names.colleague} look.`, anchor: anchor() });
    const mine = (await notificationsAbout(plan)).slice(before).filter((row) => row.recipient_id === person.id);
    expect(mine.map((row) => [row.kind, row.mail_state])).toEqual([
      ["plan_comment", "digest"],
      ["mention", "skipped"],
    ]);
    const inApp = await person.client.from("notifications").select("kind").eq("entity_id", plan);
    expect(inApp.data?.length).toBeGreaterThanOrEqual(2);
  });

  it("refuses unknown kinds, deliveries and time zones; nobody reads another person's preferences", async () => {
    const bad = await cast.applicant.client.rpc("set_notification_preference", {
      category: "everything",
      delivery: "immediately",
    });
    expect(bad.error?.hint).toBe("invalid_input");
    const badDelivery = await cast.applicant.client.rpc("set_notification_preference", {
      category: "eoi",
      delivery: "hourly" as never,
    });
    expect(badDelivery.error).not.toBeNull();
    const zone = await cast.applicant.client.rpc("set_my_time_zone", { zone: "Mars/Olympus" });
    expect(zone.error?.hint).toBe("invalid_time_zone");
    await rpc(cast.applicant.client, "set_my_time_zone", { zone: "Asia/Tokyo" });
    const profile = await cast.applicant.client
      .from("profiles")
      .select("time_zone")
      .eq("id", cast.applicant.id)
      .single();
    expect(profile.data?.time_zone).toBe("Asia/Tokyo");
    const others = await cast.applicant.client
      .from("notification_preferences")
      .select("person_id")
      .neq("person_id", cast.applicant.id);
    expect(others.data).toEqual([]);
    const direct = await cast.applicant.client
      .from("notification_preferences")
      .insert({ person_id: cast.applicant.id, category: "eoi", delivery: "no_mail" });
    expect(direct.error).not.toBeNull();
    const digests = await cast.applicant.client
      .from("notification_digests")
      .select("id")
      .neq("person_id", cast.applicant.id);
    expect(digests.data).toEqual([]);
    const anon = await anonClient().rpc("set_notification_preference", { category: "eoi", delivery: "no_mail" });
    expect(anon.error).not.toBeNull();
  });
});

describe("calendar", () => {
  it("a call's iCalendar file parses back with its deadline", async () => {
    const call = await buildCall(cast.coordinator, { closesInSeconds: 5 * 86_400 });
    const response = await fetch(`${stack().url}/calls/${call}/calendar.ics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/calendar/);
    const calendar = new ICAL.Component(ICAL.parse(await response.text()) as unknown[]);
    const events = calendar.getAllSubcomponents("vevent").map((event) => new ICAL.Event(event));
    const closes = (await anonClient().from("calls").select("closes_at").eq("id", call).single()).data!.closes_at;
    // iCalendar keeps whole seconds.
    expect(events.map((event) => event.startDate.toJSDate().getTime())).toContain(
      Math.floor(new Date(closes).getTime() / 1000) * 1000,
    );
    const missing = await fetch(`${stack().url}/calls/00000000-0000-4000-8000-000000000000/calendar.ics`);
    expect(missing.status).toBe(404);
    const bad = await fetch(`${stack().url}/calls/not-a-call/calendar.ics`);
    expect(bad.status).toBe(404);
  });

  it("the personal feed carries the person's deadlines; resetting the secret invalidates the old address", async () => {
    const first = await rpc<string>(chair.client, "reset_calendar_feed", {});
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const stored = await withDatabase(
      async (db) =>
        (
          await db.query<{ token_hash: string }>("select token_hash from public.calendar_feeds where person_id = $1", [
            chair.id,
          ])
        ).rows[0]!.token_hash,
    );
    expect(stored).not.toContain(first);
    const feed = await fetch(`${stack().url}/calendar/${first}.ics`);
    expect(feed.status).toBe(200);
    const calendar = new ICAL.Component(ICAL.parse(await feed.text()) as unknown[]);
    const summaries = calendar.getAllSubcomponents("vevent").map((event) => new ICAL.Event(event).summary);
    expect(summaries.some((summary) => summary.includes("Board review"))).toBe(true);

    const second = await rpc<string>(chair.client, "reset_calendar_feed", {});
    expect(second).not.toBe(first);
    expect((await fetch(`${stack().url}/calendar/${first}.ics`)).status).toBe(404);
    expect((await fetch(`${stack().url}/calendar/${second}.ics`)).status).toBe(200);
    expect((await fetch(`${stack().url}/calendar/nonsense.ics`)).status).toBe(404);
    // The hash is nobody's to read, the owner's neither.
    const own = await chair.client.from("calendar_feeds").select("token_hash");
    expect(own.error).not.toBeNull();
    const anyone = await anonClient().rpc("calendar_feed_deadlines", { token: first });
    expect(anyone.error?.hint).toBe("not_found");
  });
});
