import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PlanNode } from "~/lib/plan-schema";
import { buildApplication, buildCast, buildPacket, rpc } from "../support/factories";
import { buildUser, withDatabase } from "../support/supabase";

/*
 * Issue 18: a plan with open suggestions is neither sent to the Board nor approved; the transition names how many,
 * counted by the database from the stored plan. Accepting or rejecting a suggestion is audited, by editors only, for
 * suggestions that are open in the stored plan.
 */

function suggestion(type: "suggestionInsert" | "suggestionDelete", author: string, text: string, id: string): PlanNode {
  return { type: "text", text, marks: [{ type, attrs: { id, author, at: new Date().toISOString() } }] };
}

/** Adds suggestion marks to the stored plan of `application` (a paragraph at its end) and returns their ids. */
async function addSuggestions(application: string, author: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID().replaceAll("-", "").slice(0, 16));
  await withDatabase(async (db) => {
    const { rows } = await db.query<{ content: PlanNode }>(
      "select content from public.action_plans where application_id = $1",
      [application],
    );
    const content = rows[0]!.content;
    const paragraph: PlanNode = {
      type: "paragraph",
      content: ids.flatMap((id, index) => [
        suggestion(index % 2 === 0 ? "suggestionInsert" : "suggestionDelete", author, `part ${index} `, id),
        // The same suggestion may span several runs (here split by a bold word): it counts once.
        {
          type: "text",
          text: "bold",
          marks: [
            { type: "bold" },
            { type: "suggestionInsert", attrs: { id: ids[0], author, at: new Date().toISOString() } },
          ],
        },
      ]),
    };
    await db.query("update public.action_plans set content = $2 where application_id = $1", [
      application,
      { ...content, content: [...(content.content ?? []), paragraph] },
    ]);
  });
  return ids;
}

async function clearSuggestions(application: string): Promise<void> {
  await withDatabase((db) =>
    db.query(
      `update public.action_plans set content = jsonb_set(content, '{content}', (content -> 'content') - (jsonb_array_length(content -> 'content') - 1))
       where application_id = $1`,
      [application],
    ),
  );
}

describe("open suggestions block sending and approving", () => {
  it("refuses to send a plan to the Board while suggestions are open, naming how many", async () => {
    const cast = await buildCast();
    const { application } = await buildApplication(cast, "bdt_review");
    await addSuggestions(application, cast.applicant.id, 3);
    const refused = await cast.reviewer.client.rpc("send_to_board", {
      application,
      recommendation: "Approve.",
      recommended_outcome: "approve",
    });
    expect(refused.error?.hint).toBe("suggestions_open");
    expect(refused.error?.details).toBe("3");
    expect(refused.error?.message).toContain("3 suggestion(s)");
    const status = await withDatabase(
      async (db) =>
        (
          await db.query<{ status: string }>("select status from public.centre_applications where id = $1", [
            application,
          ])
        ).rows[0]!.status,
    );
    expect(status).toBe("bdt_review");

    await clearSuggestions(application);
    await rpc(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "Approve.",
      recommended_outcome: "approve",
    });
  });

  it("refuses to approve (freeze) a plan whose live copy gained suggestions during the Board review", async () => {
    const cast = await buildCast();
    const chair = await buildUser(["board_member", "board_chair"], "Chair");
    const { application } = await buildApplication(cast, "board_review");
    const packet = await buildPacket(chair, application);
    await rpc(chair.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(chair.client, "cast_vote", { packet, choice: "approve", reason: "Sound plan." });
    await addSuggestions(application, chair.id, 2);
    const refused = await chair.client.rpc("record_decision", { packet, outcome: "approve" });
    expect(refused.error?.hint).toBe("suggestions_open");
    expect(refused.error?.details).toBe("2");
    const centres = await withDatabase(
      async (db) => (await db.query("select 1 from public.centres where application_id = $1", [application])).rowCount,
    );
    expect(centres).toBe(0);
  });
});

describe("recording accept and reject", () => {
  it("audits each decided suggestion with its author read from the stored plan, for editors only", async () => {
    const cast = await buildCast();
    const { application, plan } = await buildApplication(cast, "submitted");
    const [first, second] = await addSuggestions(application, cast.applicant.id, 2);

    // The applicant has comment rights on a submitted plan: it may suggest, never decide.
    const applicant = await cast.applicant.client.rpc("record_suggestion_decision", {
      plan,
      decision: "accept",
      suggestions: [first!],
    });
    expect(applicant.error?.hint).toBe("not_allowed");
    // An id that is not open in the stored plan is refused: nothing is audited for a suggestion that does not exist.
    const unknown = await cast.reviewer.client.rpc("record_suggestion_decision", {
      plan,
      decision: "reject",
      suggestions: ["notasuggestion"],
    });
    expect(unknown.error?.hint).toBe("suggestion_not_found");

    expect(
      await rpc<number>(cast.reviewer.client, "record_suggestion_decision", {
        plan,
        decision: "accept",
        suggestions: [first!],
      }),
    ).toBe(1);
    expect(
      await rpc<number>(cast.reviewer.client, "record_suggestion_decision", {
        plan,
        decision: "reject",
        suggestions: [second!],
      }),
    ).toBe(1);
    const entries = await withDatabase(
      async (db) =>
        (
          await db.query<{ actor_id: string; action: string; to_state: string; details: Record<string, string> }>(
            "select actor_id, action, to_state, details from public.audit_log where entity_id = $1 and action like '%_suggestion' order by id",
            [plan],
          )
        ).rows,
    );
    expect(entries).toMatchObject([
      {
        actor_id: cast.reviewer.id,
        action: "accept_suggestion",
        to_state: "accepted",
        details: { suggestion_id: first, kind: "insert", author_id: cast.applicant.id },
      },
      {
        actor_id: cast.reviewer.id,
        action: "reject_suggestion",
        to_state: "rejected",
        details: { suggestion_id: second, kind: "delete", author_id: cast.applicant.id },
      },
    ]);
  });
});

describe("who sees the names of suggestion authors (plan_people, 20261205000300)", () => {
  it("break-it, per role: every reader of the plan sees the author's name; anyone who may not read it sees nobody", async () => {
    const cast = await buildCast();
    const [chair, conflicted, undeclared] = await Promise.all([
      buildUser(["board_member", "board_chair"], "Chair"),
      buildUser(["board_member"], "Conflicted"),
      buildUser(["board_member"], "Undeclared"),
    ]);
    const { application, plan } = await buildApplication(cast, "board_review");
    const packet = await buildPacket(chair, application);
    for (const member of [cast.boardMember, chair])
      await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(conflicted.client, "declare_conflict", { packet, has_conflict: true, reason: "I advise the applicant." });
    // The Board member never commented nor saved a version: only their suggestion mark names them.
    await addSuggestions(application, cast.boardMember.id, 1);
    const namedFor = async (person: { client: (typeof cast)["applicant"]["client"] }) => {
      const { data, error } = await person.client.rpc("plan_people", { plan });
      expect(error).toBeNull();
      return (data ?? []).map((row) => row.id);
    };
    const readers = { ...cast, chair };
    for (const role of [
      "applicant",
      "colleague",
      "reviewer",
      "otherReviewer",
      "coordinator",
      "boardMember",
      "chair",
    ] as const)
      expect(await namedFor(readers[role]), role).toContain(cast.boardMember.id);
    for (const [role, person] of Object.entries({ outsider: cast.outsider, conflicted, undeclared }))
      expect(await namedFor(person), role).toEqual([]);
    // A reader who is deactivated sees nobody either.
    await rpc(cast.coordinator.client, "set_account_active", {
      person: cast.colleague.id,
      active: false,
      reason: "Left",
    });
    const deactivated = await cast.colleague.client.rpc("plan_people", { plan });
    expect(deactivated.data ?? []).toEqual([]);
  });
});
