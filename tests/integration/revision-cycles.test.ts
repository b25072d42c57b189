import { beforeAll, describe, expect, it } from "vitest";
import { auditEntries, buildApplication, buildCast, buildPacket, rpc, type Cast } from "../support/factories";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 15, "Revise and resubmit, capped": "changes requested" returns the application with the Board's reasons;
 * the applicant edits and resubmits; BDT sends it back. Each call caps the cycles (default 2); past the cap the
 * database refuses another "changes requested", as a vote or a decision, whoever asks.
 */

let cast: Cast;
let chair: TestUser;
let member: TestUser;
let conflicted: TestUser;

beforeAll(async () => {
  cast = await buildCast();
  [chair, member, conflicted] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair"),
    buildUser(["board_member"], "Member"),
    buildUser(["board_member"], "Conflicted"),
  ]);
});

const row = (sql: string, params: unknown[]) =>
  withDatabase(async (db) => (await db.query<Record<string, unknown>>(sql, params)).rows[0]);

const cycleOf = async (application: string) =>
  (await row("select revision_cycle, status from public.centre_applications where id = $1", [application]))!;

/** A packet of the application before the Board, with the member's "no conflict" declaration and vote. */
async function votedPacket(application: string, choice = "approve") {
  const packet = await buildPacket(chair, application, 1);
  await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(member.client, "cast_vote", { packet, choice, reason: "My reasons." });
  return packet;
}

async function requestChanges(application: string, reasons: string) {
  const packet = await votedPacket(application, "request_changes");
  await rpc(chair.client, "record_decision", { packet, outcome: "request_changes", conditions: reasons });
  const review = (await row("select review_id from public.board_packets where id = $1", [packet]))!.review_id;
  await rpc(chair.client, "close_board_review", { review });
  return packet;
}

/** The applicant changes an answer and the plan, resubmits; BDT reviews and sends it back to the Board. */
async function reviseAndSend(application: string, round: number) {
  const edit = await cast.applicant.client
    .from("centre_applications")
    .update({ partners: `Partners, revised in round ${round}.` })
    .eq("id", application)
    .select("id");
  expect(edit.data).toHaveLength(1);
  await withDatabase((db) =>
    db.query(
      `update public.action_plans set content = replace(content::text, 'Answered.', $2)::jsonb where application_id = $1`,
      [application, `Answered, revised in round ${round}.`],
    ),
  );
  await rpc(cast.applicant.client, "submit_application", { application });
  await rpc(cast.reviewer.client, "start_bdt_review", { application });
  await rpc(cast.reviewer.client, "send_to_board", {
    application,
    recommendation: `BDT checked round ${round}.`,
    recommended_outcome: "approve",
  });
}

describe("revise and resubmit", () => {
  it("counts the cycles, refuses a third 'changes requested' under the default cap of two, and takes a final decision", async () => {
    const { application } = await buildApplication(cast, "board_review");
    expect(await cycleOf(application)).toEqual({ revision_cycle: 0, status: "board_review" });

    await requestChanges(application, "Add baselines to the KPIs.");
    expect(await cycleOf(application)).toEqual({ revision_cycle: 1, status: "changes_requested" });
    // The applicant reads the Board's reasons.
    const told = await cast.applicant.client
      .from("board_decisions")
      .select("outcome, conditions, packet:board_packets!inner(application_id)")
      .eq("packet.application_id", application);
    expect(told.data?.map((decision) => decision.conditions)).toEqual(["Add baselines to the KPIs."]);

    await reviseAndSend(application, 1);
    await requestChanges(application, "Name the partners.");
    expect(await cycleOf(application)).toEqual({ revision_cycle: 2, status: "changes_requested" });

    await reviseAndSend(application, 2);
    const last = await buildPacket(chair, application, 1);
    expect(
      (await row("select revision_cycle from public.board_packet_contents where packet_id = $1", [last]))!
        .revision_cycle,
    ).toBe(2);
    await rpc(member.client, "declare_conflict", { packet: last, has_conflict: false });

    // Past the cap: neither a vote nor a decision for "request changes".
    const vote = await member.client.rpc("cast_vote", { packet: last, choice: "request_changes", reason: "Again." });
    expect(vote.error?.hint).toBe("revision_cap_reached");
    await rpc(member.client, "cast_vote", { packet: last, choice: "reject", reason: "Still not ready." });
    const before = await auditEntries(application);
    const refused = await chair.client.rpc("record_decision", {
      packet: last,
      outcome: "request_changes",
      conditions: "One more round.",
    });
    expect(refused.error?.hint).toBe("revision_cap_reached");
    expect(refused.error?.message).toMatch(/2 of 2 used/);
    expect(await cycleOf(application)).toEqual({ revision_cycle: 2, status: "board_review" });
    expect(await auditEntries(application)).toEqual(before);
    expect((await row("select count(*)::int as n from public.board_decisions where packet_id = $1", [last]))!.n).toBe(
      0,
    );

    await rpc(chair.client, "record_decision", { packet: last, outcome: "reject" });
    expect(await cycleOf(application)).toEqual({ revision_cycle: 2, status: "rejected" });
  });

  it("follows the cap set on the call: 0 allows no 'changes requested' at all; the call form refuses a cap outside 0 to 10", async () => {
    const { application, eoi } = await buildApplication(cast, "board_review");
    const call = (await row("select call_id from public.eois where id = $1", [eoi]))!.call_id as string;
    expect((await row("select max_revision_cycles from public.calls where id = $1", [call]))!.max_revision_cycles).toBe(
      2,
    );
    await withDatabase((db) => db.query("update public.calls set max_revision_cycles = 0 where id = $1", [call]));
    const packet = await votedPacket(application);
    const refused = await chair.client.rpc("record_decision", {
      packet,
      outcome: "request_changes",
      conditions: "Rework the plan.",
    });
    expect(refused.error?.hint).toBe("revision_cap_reached");
    await rpc(chair.client, "record_decision", { packet, outcome: "approve_with_conditions", conditions: "Report." });

    for (const cap of [-1, 11]) {
      const { error } = await cast.coordinator.client.rpc("create_call", {
        title: "Capped call",
        opens_at: new Date().toISOString(),
        closes_at: new Date(Date.now() + 86_400_000).toISOString(),
        max_revision_cycles: cap,
      });
      expect(error?.hint, String(cap)).toBe("invalid_input");
    }
    const capped = await rpc<string>(cast.coordinator.client, "create_call", {
      title: "Capped call",
      opens_at: new Date().toISOString(),
      closes_at: new Date(Date.now() + 86_400_000).toISOString(),
      max_revision_cycles: 3,
    });
    expect(
      (await row("select max_revision_cycles from public.calls where id = $1", [capped]))!.max_revision_cycles,
    ).toBe(3);
  });
});

describe("'changes requested': role × state", () => {
  const roles = ["applicant", "reviewer", "coordinator", "boardMember", "chair"] as const;
  for (const atCap of [false, true]) {
    it(`${atCap ? "at" : "below"} the cap, only the chair ${atCap ? "is refused too" : "records it"}`, async () => {
      for (const role of roles) {
        const { application, eoi } = await buildApplication(cast, "board_review");
        if (atCap) {
          await withDatabase((db) =>
            db.query(
              "update public.calls set max_revision_cycles = 0 where id = (select call_id from public.eois where id = $1)",
              [eoi],
            ),
          );
        }
        const packet = await votedPacket(application);
        const who = role === "chair" ? chair : cast[role];
        const before = await auditEntries(application);
        const { error } = await who.client.rpc("record_decision", {
          packet,
          outcome: "request_changes",
          conditions: "Rework the KPIs.",
        });
        const allowed = role === "chair" && !atCap;
        if (allowed) {
          expect(error, role).toBeNull();
          expect(await cycleOf(application)).toEqual({ revision_cycle: 1, status: "changes_requested" });
          expect((await auditEntries(application)).at(-1)).toMatchObject({
            actor_id: chair.id,
            action: "record_decision",
            from_state: "board_review",
            to_state: "changes_requested",
            reason: "Rework the KPIs.",
          });
        } else {
          expect(error?.hint, role).toBe(role === "chair" ? "revision_cap_reached" : "not_allowed");
          expect(await cycleOf(application)).toEqual({ revision_cycle: 0, status: "board_review" });
          expect(await auditEntries(application)).toEqual(before);
        }
      }
    });
  }

  it("is refused once the application has left board review, and by a chair who declared a conflict", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const packet = await requestChanges(application, "Rework.");
    const again = await chair.client.rpc("record_decision", { packet, outcome: "request_changes", conditions: "x" });
    expect(again.error?.hint).toBe("invalid_transition");
    expect(await cycleOf(application)).toEqual({ revision_cycle: 1, status: "changes_requested" });

    const other = (await buildApplication(cast, "board_review")).application;
    const otherPacket = await votedPacket(other);
    await rpc(chair.client, "declare_conflict", { packet: otherPacket, has_conflict: true, reason: "Related." });
    const conflictedChair = await chair.client.rpc("record_decision", {
      packet: otherPacket,
      outcome: "request_changes",
      conditions: "x",
    });
    expect(conflictedChair.error?.hint).toBe("not_allowed");
  });
});

describe("what changed since the Board last saw it", () => {
  it("gives members who declared no conflict the answers as sent then and now and both plan versions; nobody else", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const first = await requestChanges(application, "Name the partners.");
    const firstVersion = (await row("select plan_version_id from public.board_packets where id = $1", [first]))!
      .plan_version_id;
    await reviseAndSend(application, 1);
    const second = await buildPacket(chair, application, 1);
    await rpc(member.client, "declare_conflict", { packet: second, has_conflict: false });
    await rpc(conflicted.client, "declare_conflict", { packet: second, has_conflict: true, reason: "Related." });

    const { data, error } = await member.client.rpc("get_packet_revision", { packet: second });
    expect(error).toBeNull();
    expect(data).toHaveLength(1);
    const revision = data![0]!;
    expect(revision).toMatchObject({
      revision_cycle: 1,
      max_revision_cycles: 2,
      previous_packet_id: first,
      previous_plan_version_id: firstVersion,
      previous_reasons: "Name the partners.",
    });
    expect((revision.previous_answers as Record<string, string>).partners).toBe(
      "Three universities, the national regulator, two incubators.",
    );
    const now = await member.client
      .from("board_packet_contents")
      .select("answers, revision_cycle")
      .eq("packet_id", second)
      .single();
    expect(now.data).toMatchObject({ revision_cycle: 1, answers: { partners: "Partners, revised in round 1." } });
    // Both sent plan versions are readable by the member, so the diff can be drawn.
    const versions = await member.client
      .from("plan_versions")
      .select("id, content")
      .in("id", [firstVersion as string, revision.previous_plan_version_id]);
    expect(versions.data).toHaveLength(1);
    expect(JSON.stringify(versions.data![0]!.content)).not.toContain("revised in round 1");

    for (const outsider of [conflicted, cast.applicant, cast.outsider])
      expect((await outsider.client.rpc("get_packet_revision", { packet: second })).error?.hint).toBe("not_allowed");
    expect((await cast.reviewer.client.rpc("get_packet_revision", { packet: second })).error).toBeNull();
  });
});
