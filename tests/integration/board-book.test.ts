import { extractText, getDocumentProxy } from "unpdf";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApplication, buildCast, rpc, type Cast } from "../support/factories";
import { getPage, signInCookie } from "../support/http";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 17, the Board book: one PDF per reader, made on the server from the reader's own RLS-scoped reads. Three
 * packets named in three scripts; a member who declared a conflict on one gets a book without it; people outside
 * the Board, unknown reviews and malformed ids are refused with a message, never a 500.
 */
let cast: Cast;
let chair: TestUser;
let member: TestUser;
let conflicted: TestUser;
const suffix = Math.random().toString(36).slice(2, 7);
const names = {
  arabic: `مركز دبي الرقمي ${suffix}`,
  chinese: `深圳数字创新加速中心 ${suffix}`,
  french: `Centre d'accélération de Dakar ${suffix}`,
};
let review = "";

/** The PDF's text as a maintained extractor (pdf.js, through unpdf) reads it. */
async function pdfText(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/pdf");
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
  const { text } = await extractText(await getDocumentProxy(bytes), { mergePages: true });
  return text;
}
// pdf.js leaves out the spaces between right-to-left words (they are positions, not glyphs, in our PDF) and its
// heuristic reorders some short right-to-left words ("دبي" comes out "ديب"): Arabic is checked word by word, without
// spaces, on words it extracts faithfully (the centre's first and last words).
const compact = (value: string) => value.replace(/\s+/g, "");
const arabicWords = (text: string) => ["مركز", "الرقمي", suffix].every((word) => compact(text).includes(word));

beforeAll(async () => {
  cast = await buildCast();
  [chair, member, conflicted] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair"),
    buildUser(["board_member"], `Member Reader ${suffix}`),
    buildUser(["board_member"], `Conflicted Reader ${suffix}`),
  ]);
  const applications: string[] = [];
  for (const name of [names.arabic, names.chinese, names.french]) {
    const { application } = await buildApplication(cast, "board_review");
    await withDatabase((db) =>
      db.query("update public.centre_applications set centre_name = $2 where id = $1", [application, name]),
    );
    applications.push(application);
  }
  review = await rpc<string>(chair.client, "open_board_review", {
    title: `Book review ${suffix}`,
    closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    applications,
  });
  const packets = await withDatabase(
    async (db) =>
      (
        await db.query<{ id: string; application_id: string }>(
          "select id, application_id from public.board_packets where review_id = $1",
          [review],
        )
      ).rows,
  );
  const packetOf = (application: string) => packets.find((row) => row.application_id === application)!.id;
  for (const application of applications) {
    await rpc(member.client, "declare_conflict", { packet: packetOf(application), has_conflict: false });
    await rpc(chair.client, "declare_conflict", { packet: packetOf(application), has_conflict: false });
  }
  await rpc(conflicted.client, "declare_conflict", { packet: packetOf(applications[0]!), has_conflict: false });
  await rpc(conflicted.client, "declare_conflict", {
    packet: packetOf(applications[1]!),
    has_conflict: true,
    reason: "I advise this centre's host.",
  });
  await rpc(conflicted.client, "declare_conflict", { packet: packetOf(applications[2]!), has_conflict: false });
}, 180_000);

describe("the Board book", () => {
  it("holds every packet the member may read, each centre named in its own language, and the reader's name", async () => {
    const text = await pdfText(await getPage(`/board/reviews/${review}/book`, { cookie: await signInCookie(member) }));
    expect(text).toContain(names.chinese);
    expect(text).toContain(names.french);
    expect(arabicWords(text)).toBe(true);
    expect(text).toContain(`Member Reader ${suffix}`);
    expect(text).toContain("Confidential");
    expect(text).toContain("Contents");
    // The application, the EoI, BDT's recommendation and the plan version (its template's KPI table) are all there.
    expect(text).toContain("BDT recommends approval.");
    expect(text).toContain("The Expression of Interest");
    expect(text).toContain("Answered.");
  }, 120_000);

  it("leaves out the packet the member declared a conflict on", async () => {
    const text = await pdfText(
      await getPage(`/board/reviews/${review}/book`, { cookie: await signInCookie(conflicted) }),
    );
    expect(text).not.toContain(names.chinese);
    expect(text).toContain(names.french);
    expect(arabicWords(text)).toBe(true);
    expect(text).toContain(`Conflicted Reader ${suffix}`);
    expect(text).toContain("Packets in this book: 2 of 3");
  }, 120_000);

  it("is written in the reader's language", async () => {
    const text = await pdfText(
      await getPage(`/board/reviews/${review}/book`, {
        cookie: await signInCookie(member),
        headers: { "accept-language": "zh" },
      }),
    );
    expect(text).toContain("机密");
    expect(text).toContain("目录");
  }, 120_000);

  it("streams its progress, then the PDF", async () => {
    const response = await getPage(`/board/reviews/${review}/book?progress=1`, { cookie: await signInCookie(member) });
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const events: { type: string; step?: string; done?: number; bytes?: number }[] = [];
    let offset = 0;
    for (;;) {
      const newline = bytes.indexOf(10, offset);
      const event = JSON.parse(new TextDecoder().decode(bytes.slice(offset, newline))) as (typeof events)[number];
      events.push(event);
      offset = newline + 1;
      if (event.type !== "progress") break;
    }
    expect(events.filter((event) => event.step === "read").map((event) => event.done)).toEqual([1, 2, 3]);
    expect(events.filter((event) => event.step === "render").map((event) => event.done)).toEqual([1, 2, 3]);
    const last = events[events.length - 1]!;
    expect(last.type).toBe("pdf");
    expect(bytes.length - offset).toBe(last.bytes);
    expect(new TextDecoder().decode(bytes.slice(offset, offset + 5))).toBe("%PDF-");
  }, 120_000);

  it("is refused to people outside the Board, and for reviews that do not exist, with a message", async () => {
    const outsider = await getPage(`/board/reviews/${review}/book`, { cookie: await signInCookie(cast.reviewer) });
    expect(outsider.status).toBe(403);
    expect(await outsider.text()).toContain("Only the chair and members of the Board");
    const cookie = await signInCookie(member);
    const unknown = await getPage(`/board/reviews/${crypto.randomUUID()}/book`, { cookie });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("This review does not exist");
    for (const path of [`/board/reviews/not-a-uuid/book`, `/board/reviews/${review}/book?progress=yes`]) {
      const bad = await getPage(path, { cookie });
      expect(bad.status).toBe(404);
    }
    const signedOut = await getPage(`/board/reviews/${review}/book`);
    expect(signedOut.status).toBe(302);
  }, 120_000);
});
