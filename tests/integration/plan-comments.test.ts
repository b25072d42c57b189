import type { SupabaseClient } from "@supabase/supabase-js";
import { beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { commentAnchor } from "~/validation/rpc";
import { auditEntries, buildApplication, buildCast, buildPacket, rpc, type Cast } from "../support/factories";
import { anonClient, buildUser, withDatabase, type TestUser } from "../support/supabase";

/** Anchors as the editor makes them: Yjs relative positions inside the plan's "default" fragment. */
function editorAnchors() {
  const doc = new Y.Doc();
  const fragment = doc.getXmlFragment("default");
  const paragraph = new Y.XmlElement("paragraph");
  fragment.insert(0, [paragraph]);
  const text = new Y.XmlText("Two cohorts a year");
  paragraph.insert(0, [text]);
  const json = (position: Y.RelativePosition) => Y.relativePositionToJSON(position) as Record<string, unknown>;
  return {
    inText: {
      from: json(Y.createRelativePositionFromTypeIndex(text, 1)),
      to: json(Y.createRelativePositionFromTypeIndex(text, 5, -1)),
    },
    atRoot: {
      from: json(Y.createRelativePositionFromTypeIndex(fragment, 0)),
      to: json(Y.createRelativePositionFromTypeIndex(fragment, 1)),
    },
  };
}

const valid = { tname: "default", assoc: 0 };
const id = { client: 1234, clock: 5 };
let deep: unknown = 0;
for (let level = 0; level < 5000; level++) deep = [deep];

const malformed: [string, unknown][] = [
  ["null positions", { from: null, to: null }],
  ["no positions", {}],
  ["empty positions", { from: {}, to: {} }],
  ["an array", [valid, valid]],
  ["a string", "from here to there"],
  ["an extra key", { from: valid, to: valid, note: "x" }],
  ["an extra key in a position", { from: { ...valid, evil: true }, to: valid }],
  ["both type and tname", { from: { type: id, tname: "default", assoc: 0 }, to: valid }],
  ["neither type nor tname", { from: { item: id, assoc: 0 }, to: valid }],
  ["another root type", { from: { tname: "other" }, to: valid }],
  ["a string client", { from: { type: { client: "1234", clock: 5 } }, to: valid }],
  ["a fractional clock", { from: { type: { client: 1234, clock: 5.5 } }, to: valid }],
  ["a negative client", { from: { item: { client: -1, clock: 0 }, tname: "default" }, to: valid }],
  ["a client beyond 32 bits", { from: { type: { client: 2 ** 40, clock: 0 } }, to: valid }],
  ["an ID with an extra key", { from: { type: { ...id, more: 1 } }, to: valid }],
  ["a string assoc", { from: { tname: "default", assoc: "0" }, to: valid }],
  ["5,000 levels deep", { from: deep, to: deep }],
  [
    "a huge value",
    { from: { tname: "default", assoc: 0, item: { client: 1, clock: 1, pad: "x".repeat(20_000) } }, to: valid },
  ],
];

let cast: Cast;
let chair: TestUser;
let plan: string;
let application: string;

const commentCount = () =>
  withDatabase(async (db) =>
    Number(
      (await db.query<Record<string, unknown>>("select count(*) from public.plan_comments where plan_id = $1", [plan]))
        .rows[0]!.count,
    ),
  );

async function comment(user: TestUser, body = "Is the baseline right?"): Promise<number> {
  return rpc<number>(user.client, "add_plan_comment", { plan, body, anchor: editorAnchors().inText });
}

async function reply(user: TestUser, parent: number, body = "Yes, from the 2026 survey."): Promise<number> {
  return rpc<number>(user.client, "add_plan_comment", { plan, body, parent });
}

const visibleTo = async (client: SupabaseClient, commentId: number) =>
  ((await client.from("plan_comments").select("id").eq("id", commentId)).data ?? []).length;

beforeAll(async () => {
  cast = await buildCast();
  chair = await buildUser(["board_member", "board_chair"], "Chair");
  // In board review everyone here may comment: the applicant's people, BDT, and a member who declared no conflict.
  ({ plan, application } = await buildApplication(cast, "board_review"));
  const packet = await buildPacket(chair, application);
  await rpc(cast.boardMember.client, "declare_conflict", { packet, has_conflict: false });
});

describe("comment anchors", () => {
  it("accepts the anchors the editor writes, and the app's schema agrees", async () => {
    for (const anchor of Object.values(editorAnchors())) {
      expect(commentAnchor.safeParse(anchor).success).toBe(true);
      const { error } = await cast.applicant.client.rpc("add_plan_comment", {
        plan,
        body: "Anchored.",
        anchor: anchor as never,
      });
      expect(error).toBeNull();
    }
  });

  for (const [name, anchor] of malformed) {
    it(`refuses an anchor with ${name}, storing nothing`, async () => {
      const before = await commentCount();
      const { error } = await cast.applicant.client.rpc("add_plan_comment", {
        plan,
        body: "Hostile.",
        anchor: anchor as never,
      });
      expect(error).not.toBeNull();
      if (name !== "5,000 levels deep") expect(error?.hint).toBe("invalid_anchor");
      expect(await commentCount()).toBe(before);
      expect(commentAnchor.safeParse(anchor).success).toBe(false);
    });
  }
});

describe("removing a comment", () => {
  it("lets the author remove their comment: nobody reads it any more, and the audit trail says who", async () => {
    const thread = await comment(cast.applicant);
    expect(await visibleTo(cast.reviewer.client, thread)).toBe(1);
    await rpc(cast.applicant.client, "remove_plan_comment", { comment: thread, reason: "Posted twice." });
    for (const user of [cast.applicant, cast.colleague, cast.reviewer, cast.coordinator, cast.boardMember]) {
      expect(await visibleTo(user.client, thread)).toBe(0);
    }
    const names = await cast.reviewer.client.rpc("plan_people", { plan });
    expect(names.error).toBeNull();
    const entry = (await auditEntries(plan)).find((row) => row.action === "remove_comment_thread");
    expect(entry).toMatchObject({ actor_id: cast.applicant.id, reason: "Posted twice." });
  });

  it("lets BDT reviewers and coordinators remove anyone's comment, a thread with its replies", async () => {
    const thread = await comment(cast.boardMember, "A hostile remark.");
    const answer = await reply(cast.applicant, thread);
    await rpc(cast.reviewer.client, "remove_plan_comment", { comment: thread });
    expect(await visibleTo(cast.applicant.client, thread)).toBe(0);
    expect(await visibleTo(cast.applicant.client, answer)).toBe(0);
    const other = await comment(cast.applicant);
    await rpc(cast.coordinator.client, "remove_plan_comment", { comment: other });
    expect(await visibleTo(cast.applicant.client, other)).toBe(0);
  });

  it("lets a Board member remove their own comment, never someone else's", async () => {
    const own = await comment(cast.boardMember, "Mine to remove.");
    const reviewers = await comment(cast.reviewer, "BDT's question.");
    expect((await cast.boardMember.client.rpc("remove_plan_comment", { comment: reviewers })).error?.hint).toBe(
      "not_allowed",
    );
    await rpc(cast.boardMember.client, "remove_plan_comment", { comment: own });
    expect(await visibleTo(cast.reviewer.client, own)).toBe(0);
    expect(await visibleTo(cast.reviewer.client, reviewers)).toBe(1);
  });

  it("refuses everyone else: a colleague of the author, a Board member, a stranger, the public, and direct writes", async () => {
    const thread = await comment(cast.applicant, "Keep me.");
    const answer = await reply(cast.reviewer, thread);
    expect((await cast.colleague.client.rpc("remove_plan_comment", { comment: thread })).error?.hint).toBe(
      "not_allowed",
    );
    expect((await cast.applicant.client.rpc("remove_plan_comment", { comment: answer })).error?.hint).toBe(
      "not_allowed",
    );
    expect((await cast.boardMember.client.rpc("remove_plan_comment", { comment: thread })).error?.hint).toBe(
      "not_allowed",
    );
    expect((await cast.outsider.client.rpc("remove_plan_comment", { comment: thread })).error?.hint).toBe("not_found");
    expect((await anonClient().rpc("remove_plan_comment", { comment: thread })).error).not.toBeNull();
    expect((await chair.client.rpc("remove_plan_comment", { comment: thread })).error?.hint).toBe("not_found");
    const direct = await cast.applicant.client
      .from("plan_comments")
      .update({ removed_at: new Date().toISOString() })
      .eq("id", thread)
      .select("id");
    expect(direct.data ?? []).toHaveLength(0);
    const deleted = await cast.reviewer.client.from("plan_comments").delete().eq("id", thread).select("id");
    expect(deleted.data ?? []).toHaveLength(0);
    expect(await visibleTo(cast.applicant.client, thread)).toBe(1);
    expect(await visibleTo(cast.applicant.client, answer)).toBe(1);
  });

  it("keeps a removed thread closed: no reply, no resolve, no second removal", async () => {
    const thread = await comment(cast.applicant);
    await rpc(cast.reviewer.client, "remove_plan_comment", { comment: thread });
    expect(
      (await cast.applicant.client.rpc("add_plan_comment", { plan, body: "Late reply.", parent: thread })).error?.hint,
    ).toBe("not_found");
    expect(
      (await cast.applicant.client.rpc("resolve_plan_comment", { comment: thread, resolved: true })).error?.hint,
    ).toBe("not_found");
    expect((await cast.reviewer.client.rpc("remove_plan_comment", { comment: thread })).error?.hint).toBe("not_found");
  });

  it("lets the author remove only while they may still comment; BDT may remove after the plan is frozen", async () => {
    const cast2 = await buildCast();
    const { plan: frozenPlan, application: frozenApplication } = await buildApplication(cast2, "board_review");
    const authored = await rpc<number>(cast2.applicant.client, "add_plan_comment", {
      plan: frozenPlan,
      body: "Before approval.",
      anchor: editorAnchors().inText,
    });
    const second = await rpc<number>(cast2.applicant.client, "add_plan_comment", {
      plan: frozenPlan,
      body: "Another.",
      anchor: editorAnchors().inText,
    });
    const packet = await buildPacket(chair, frozenApplication);
    await rpc(chair.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(chair.client, "cast_vote", { packet, choice: "approve", reason: "Ready." });
    await rpc(chair.client, "record_decision", { packet, outcome: "approve" });
    expect((await cast2.applicant.client.rpc("my_plan_access", { plan: frozenPlan })).data).toBe("read");
    expect((await cast2.applicant.client.rpc("remove_plan_comment", { comment: authored })).error?.hint).toBe(
      "not_allowed",
    );
    await rpc(cast2.reviewer.client, "remove_plan_comment", { comment: second });
    expect(await visibleTo(cast2.applicant.client, second)).toBe(0);
    expect(await visibleTo(cast2.applicant.client, authored)).toBe(1);
  });
});
