import { beforeAll, describe, expect, it } from "vitest";
import { auditEntries, buildApplication, buildCast, rpc, type Cast } from "../support/factories";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

let cast: Cast;
let chair: TestUser;
let secondChair: TestUser;
let conflicted: TestUser;
let memberB: TestUser;
let memberC: TestUser;

beforeAll(async () => {
  cast = await buildCast();
  [chair, secondChair, conflicted, memberB, memberC] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair"),
    buildUser(["board_member", "board_chair"], "Co-chair"),
    buildUser(["board_member"], "Conflicted Member"),
    buildUser(["board_member"], "Member B"),
    buildUser(["board_member"], "Member C"),
  ]);
});

async function openReview(applications: string[], quorum: number | null = 2, allowPlanEditing = false) {
  const review = await rpc<string>(chair.client, "open_board_review", {
    title: "Board review, first round",
    closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    applications,
    quorum: quorum ?? undefined,
    allow_plan_editing: allowPlanEditing,
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
  return { review, packet: packets[0]!.id };
}

describe("from application to designated centre", () => {
  it("runs the whole pipeline with a conflicted member kept out, quorum enforced and the plan frozen", async () => {
    const { application, plan } = await buildApplication(cast, "bdt_review");

    // BDT sends it to the Board: the exact plan version is recorded with its hash.
    const version = await rpc<string>(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "Approve with a reporting condition.",
      recommended_outcome: "approve_with_conditions",
    });
    const sent = await withDatabase(
      async (db) =>
        (await db.query<Record<string, unknown>>("select * from public.plan_versions where id = $1", [version]))
          .rows[0]!,
    );
    expect(sent.kind).toBe("sent_to_board");
    expect(sent.content_hash).toMatch(/^[0-9a-f]{64}$/);

    const { review, packet } = await openReview([application], 2);

    // Declarations come first; before declaring, a member sees no application content.
    expect((await memberB.client.from("centre_applications").select("id").eq("id", application)).data).toEqual([]);
    await rpc(conflicted.client, "declare_conflict", {
      packet,
      has_conflict: true,
      reason: "I advise the host institution.",
    });
    await rpc(memberB.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(memberC.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(chair.client, "declare_conflict", { packet, has_conflict: false });
    expect((await memberB.client.from("centre_applications").select("id").eq("id", application)).data).toHaveLength(1);

    // The conflicted member sees neither the packet's content nor its discussion and cannot vote.
    await rpc(memberB.client, "cast_vote", { packet, choice: "approve", reason: "Strong plan." });
    expect(
      (await memberB.client.from("comments").insert({ packet_id: packet, body: "I support this." })).error,
    ).toBeNull();
    expect((await conflicted.client.from("centre_applications").select("id").eq("id", application)).data).toEqual([]);
    expect((await conflicted.client.from("comments").select("id").eq("packet_id", packet)).data).toEqual([]);
    expect((await conflicted.client.from("votes").select("member_id").eq("packet_id", packet)).data).toEqual([]);
    expect(
      (await conflicted.client.from("comments").insert({ packet_id: packet, body: "Let me in." })).error?.code,
    ).toBe("42501");
    const conflictedVote = await conflicted.client.rpc("cast_vote", { packet, choice: "reject", reason: "No." });
    expect(conflictedVote.error?.hint).toBe("conflict_undeclared_or_conflicted");
    expect(await conflicted.client.rpc("my_plan_access", { plan })).toMatchObject({ data: null });

    // Votes are hidden from a member until they have voted.
    expect((await memberC.client.from("votes").select("member_id").eq("packet_id", packet)).data).toEqual([]);
    expect((await memberB.client.from("votes").select("member_id").eq("packet_id", packet)).data).toEqual([
      { member_id: memberB.id },
    ]);

    // The chair sees who is conflicted.
    const declarations = await chair.client
      .from("conflict_declarations")
      .select("member_id, has_conflict")
      .eq("packet_id", packet);
    expect(declarations.data).toContainEqual({ member_id: conflicted.id, has_conflict: true });

    // One vote of two required: the database refuses the decision.
    const early = await chair.client.rpc("record_decision", {
      packet,
      outcome: "approve_with_conditions",
      conditions: "Report yearly.",
    });
    expect(early.error?.hint).toBe("quorum_not_met");

    await rpc(memberC.client, "cast_vote", {
      packet,
      choice: "approve_with_conditions",
      reason: "Needs yearly KPI reports.",
    });
    const visibleToC = await memberC.client.from("votes").select("member_id").eq("packet_id", packet);
    expect(visibleToC.data?.map((row) => row.member_id).sort()).toEqual([memberB.id, memberC.id].sort());
    // A member may change the vote until the review closes.
    await rpc(memberB.client, "cast_vote", {
      packet,
      choice: "approve_with_conditions",
      reason: "Agree with conditions.",
    });

    const noConditions = await chair.client.rpc("record_decision", { packet, outcome: "approve_with_conditions" });
    expect(noConditions.error?.hint).toBe("reason_required");
    const centre = await rpc<string>(chair.client, "record_decision", {
      packet,
      outcome: "approve_with_conditions",
      conditions: "Report KPIs to BDT every year.",
    });

    const result = await withDatabase(async (db) => ({
      application: (
        await db.query<Record<string, unknown>>("select status from public.centre_applications where id = $1", [
          application,
        ])
      ).rows[0]!,
      centre: (await db.query<Record<string, unknown>>("select * from public.centres where id = $1", [centre]))
        .rows[0]!,
      approved: (
        await db.query<Record<string, unknown>>(
          "select * from public.plan_versions where plan_id = $1 and kind = 'approved'",
          [plan],
        )
      ).rows,
    }));
    expect(result.application.status).toBe("approved_with_conditions");
    expect(result.approved).toHaveLength(1);
    expect(result.approved[0]!.content_hash).toBe(sent.content_hash);
    expect(result.centre).toMatchObject({
      plan_hash: sent.content_hash,
      approved_plan_version_id: result.approved[0]!.id,
      region_code: "AFR",
    });

    // Frozen: nobody may edit the approved plan any more, and its versions cannot be rewritten.
    expect((await cast.applicant.client.rpc("my_plan_access", { plan })).data).toBe("read");
    expect((await cast.reviewer.client.rpc("my_plan_access", { plan })).data).toBe("read");
    await expect(
      withDatabase((db) =>
        db.query<Record<string, unknown>>("update public.plan_versions set content = '{}' where plan_id = $1", [plan]),
      ),
    ).rejects.toThrow(/never rewritten/);

    // Public directory, decision visible to the applicant, audit and notifications written.
    const { anonClient } = await import("../support/supabase");
    expect((await anonClient().from("centres").select("id").eq("id", centre)).data).toHaveLength(1);
    const decision = await cast.applicant.client
      .from("board_decisions")
      .select("outcome, conditions")
      .eq("packet_id", packet)
      .single();
    expect(decision.data).toEqual({
      outcome: "approved_with_conditions",
      conditions: "Report KPIs to BDT every year.",
    });
    const actions = (await auditEntries(application)).map((entry) => entry.action);
    expect(actions).toEqual([
      "invite_application",
      "submit_application",
      "start_bdt_review",
      "send_to_board",
      "record_decision",
    ]);
    expect((await auditEntries(centre)).map((entry) => entry.action)).toEqual(["designate_centre"]);
    const notified = await cast.applicant.client.from("notifications").select("kind").eq("entity_id", application);
    expect(notified.data?.map((row) => row.kind)).toContain("board_decision_recorded");

    await rpc(chair.client, "close_board_review", { review });
  });

  it("refuses votes after the review closes or its closing date passes", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const { review, packet } = await openReview([application]);
    await rpc(memberB.client, "declare_conflict", { packet, has_conflict: false });
    await withDatabase((db) =>
      db.query<Record<string, unknown>>(
        "update public.board_reviews set closes_at = now() - interval '1 second' where id = $1",
        [review],
      ),
    );
    expect((await memberB.client.rpc("cast_vote", { packet, choice: "approve", reason: "Late." })).error?.hint).toBe(
      "review_closed",
    );
    await withDatabase((db) =>
      db.query<Record<string, unknown>>(
        "update public.board_reviews set closes_at = now() + interval '1 day' where id = $1",
        [review],
      ),
    );
    await rpc(chair.client, "close_board_review", { review });
    expect((await memberB.client.rpc("cast_vote", { packet, choice: "approve", reason: "Late." })).error?.hint).toBe(
      "review_closed",
    );
  });

  it("keeps votes and discussion from a conflicted member through supabase-js, embedded or not, even after the review closes", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const { review, packet } = await openReview([application], 1);
    await rpc(conflicted.client, "declare_conflict", {
      packet,
      has_conflict: true,
      reason: "Former employee of the host.",
    });
    await rpc(memberB.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(memberB.client, "cast_vote", { packet, choice: "approve", reason: "Ready." });
    expect(
      (await memberB.client.from("comments").insert({ packet_id: packet, body: "Strong governance." })).error,
    ).toBeNull();

    const probe = async () => ({
      votes: (await conflicted.client.from("votes").select("member_id, choice, reason").eq("packet_id", packet)).data,
      comments: (await conflicted.client.from("comments").select("id, body").eq("packet_id", packet)).data,
      // Embedding through the packet (which every member may list) is filtered by the same policies.
      embedded: (
        await conflicted.client
          .from("board_packets")
          .select("id, votes(choice), comments(body)")
          .eq("id", packet)
          .single()
      ).data,
      quorum: (await conflicted.client.rpc("packet_quorum_status", { packet })).error?.code,
    });
    const open = await probe();
    expect(open.votes).toEqual([]);
    expect(open.comments).toEqual([]);
    expect(open.embedded).toEqual({ id: packet, votes: [], comments: [] });
    // A conflicted member learns nothing about the packet, not even how many votes it has (issue 10).
    expect(open.quorum).toBe("42501");

    // Closing the review reveals the votes to members without a conflict, never to the conflicted one.
    await rpc(chair.client, "close_board_review", { review });
    const closed = await probe();
    expect(closed.votes).toEqual([]);
    expect(closed.comments).toEqual([]);
    expect(closed.embedded).toEqual({ id: packet, votes: [], comments: [] });
    expect((await memberC.client.from("votes").select("member_id").eq("packet_id", packet)).data).toEqual([]);
    // memberC never declared: closing does not open the packet to them either.
    expect((await memberC.client.from("comments").select("id").eq("packet_id", packet)).data).toEqual([]);
    expect((await memberB.client.from("votes").select("member_id").eq("packet_id", packet)).data).toEqual([
      { member_id: memberB.id },
    ]);
    // Declaring is refused once closed, so nobody can declare their way in afterwards.
    expect((await memberC.client.rpc("declare_conflict", { packet, has_conflict: false })).error?.hint).toBe(
      "review_closed",
    );
    expect((await conflicted.client.rpc("declare_conflict", { packet, has_conflict: false })).error?.hint).toBe(
      "review_closed",
    );
  });

  it("refuses a decision without quorum, with the numbers, and records nothing", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const { packet } = await openReview([application], 2);
    await rpc(memberB.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(memberB.client, "cast_vote", { packet, choice: "approve", reason: "Ready." });
    // A conflicted member's declaration neither counts as a vote nor lowers an explicit quorum.
    await rpc(conflicted.client, "declare_conflict", { packet, has_conflict: true, reason: "Related party." });
    const refused = await chair.client.rpc("record_decision", { packet, outcome: "approve" });
    expect(refused.error?.hint).toBe("quorum_not_met");
    expect(refused.error?.message).toBe("quorum not met: 1 of 2 votes");
    const state = await withDatabase(async (db) => ({
      decisions: Number(
        (
          await db.query<Record<string, unknown>>("select count(*) from public.board_decisions where packet_id = $1", [
            packet,
          ])
        ).rows[0]!.count,
      ),
      centres: Number(
        (
          await db.query<Record<string, unknown>>("select count(*) from public.centres where application_id = $1", [
            application,
          ])
        ).rows[0]!.count,
      ),
      status: (
        await db.query<Record<string, unknown>>("select status from public.centre_applications where id = $1", [
          application,
        ])
      ).rows[0]!.status,
    }));
    expect(state).toEqual({ decisions: 0, centres: 0, status: "board_review" });
    expect((await auditEntries(application)).map((entry) => entry.action)).not.toContain("record_decision");
  });

  it("lets exactly one of two concurrent decisions win", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const { packet } = await openReview([application], 1);
    await rpc(memberB.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(memberB.client, "cast_vote", { packet, choice: "reject", reason: "Not ready." });
    const results = await Promise.all([
      chair.client.rpc("record_decision", { packet, outcome: "reject" }),
      secondChair.client.rpc("record_decision", { packet, outcome: "request_changes", conditions: "Add KPIs." }),
    ]);
    expect(results.filter((result) => result.error === null)).toHaveLength(1);
    const decisions = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>("select outcome from public.board_decisions where packet_id = $1", [
            packet,
          ])
        ).rows,
    );
    expect(decisions).toHaveLength(1);
    expect((await auditEntries(application)).filter((entry) => entry.action === "record_decision")).toHaveLength(1);
  });

  it("sends requested changes back to the applicant, who edits and resubmits", async () => {
    const { application, plan } = await buildApplication(cast, "board_review");
    const { packet } = await openReview([application], 1);
    await rpc(memberB.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(memberB.client, "cast_vote", { packet, choice: "request_changes", reason: "Add KPIs." });
    // The applicant reads the Board's reasons: a request for changes without them is refused (issue 15).
    expect((await chair.client.rpc("record_decision", { packet, outcome: "request_changes" })).error?.hint).toBe(
      "reason_required",
    );
    await rpc(chair.client, "record_decision", { packet, outcome: "request_changes", conditions: "Add KPIs." });
    expect((await cast.applicant.client.rpc("my_plan_access", { plan })).data).toBe("edit");
    const edit = await cast.applicant.client
      .from("centre_applications")
      .update({ partners: "Added two partners." })
      .eq("id", application)
      .select("id");
    expect(edit.data).toHaveLength(1);
    await rpc(cast.applicant.client, "submit_application", { application });
  });

  it("uses a majority of members without a conflict as the default quorum", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const { packet } = await openReview([application], null);
    await rpc(conflicted.client, "declare_conflict", { packet, has_conflict: true, reason: "Former employee." });
    const row = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            `select q.quorum_required,
              ((select count(distinct user_id) from public.role_grants where role = 'board_member') - 1) / 2 + 1 as expected
       from private.packet_quorum($1) q`,
            [packet],
          )
        ).rows[0]!,
    );
    expect(row.quorum_required).toBe(Number(row.expected));
  });

  it("refuses each board and application step to the wrong role", async () => {
    const { application } = await buildApplication(cast, "bdt_review");
    const refusals = [
      await cast.applicant.client.rpc("send_to_board", {
        application,
        recommendation: "x",
        recommended_outcome: "approve",
      }),
      await memberB.client.rpc("send_to_board", { application, recommendation: "x", recommended_outcome: "approve" }),
      await cast.reviewer.client.rpc("open_board_review", {
        title: "Review",
        closes_at: new Date(Date.now() + 86_400_000).toISOString(),
        applications: [application],
      }),
      await memberB.client.rpc("open_board_review", {
        title: "Review",
        closes_at: new Date(Date.now() + 86_400_000).toISOString(),
        applications: [application],
      }),
    ];
    for (const { error } of refusals) expect(error?.hint).toBe("not_allowed");
    const early = await chair.client.rpc("open_board_review", {
      title: "Too early",
      closes_at: new Date(Date.now() + 86_400_000).toISOString(),
      applications: [application],
    });
    expect(early.error?.hint).toBe("invalid_transition");
    await rpc(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "Approve.",
      recommended_outcome: "approve",
    });
    const { packet } = await openReview([application], 1);
    expect((await cast.reviewer.client.rpc("cast_vote", { packet, choice: "approve", reason: "x" })).error?.hint).toBe(
      "not_allowed",
    );
    expect((await memberB.client.rpc("record_decision", { packet, outcome: "approve" })).error?.hint).toBe(
      "not_allowed",
    );
    expect((await memberB.client.rpc("cast_vote", { packet, choice: "approve", reason: "x" })).error?.hint).toBe(
      "conflict_undeclared_or_conflicted",
    );
    expect((await memberB.client.rpc("declare_conflict", { packet, has_conflict: true })).error?.hint).toBe(
      "reason_required",
    );
  });
});

describe("Board members' rights on the plan once the packet is decided (issue 15)", () => {
  it("a review that allows editing stops giving Board members edit rights after 'changes requested'", async () => {
    const { application, plan } = await buildApplication(cast, "board_review");
    const { review, packet } = await openReview([application], 1, true);
    await rpc(memberB.client, "declare_conflict", { packet, has_conflict: false });
    // While the packet awaits its decision, the review's setting lets members edit.
    expect((await memberB.client.rpc("my_plan_access", { plan })).data).toBe("edit");
    await rpc(memberB.client, "cast_vote", { packet, choice: "request_changes", reason: "Name the partners." });
    await rpc(chair.client, "record_decision", { packet, outcome: "request_changes", conditions: "Name them." });
    // The review stays open, but the plan is the applicant's again: Board members read it, nothing more.
    expect(
      (
        await withDatabase((db) =>
          db.query<{ status: string }>("select status from public.board_reviews where id = $1", [review]),
        )
      ).rows[0]?.status,
    ).toBe("open");
    expect((await memberB.client.rpc("my_plan_access", { plan })).data).toBe("read");
    const save = await memberB.client.rpc("save_plan_version", { plan, name: "The Board's edit" });
    expect(save.error?.hint).toBe("not_allowed");
    expect((await cast.applicant.client.rpc("my_plan_access", { plan })).data).toBe("edit");
  });
});
