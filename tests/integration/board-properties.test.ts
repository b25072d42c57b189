import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApplication, buildCast, rpc, type Cast } from "../support/factories";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

let cast: Cast;
let chair: TestUser;
let members: TestUser[];

beforeAll(async () => {
  cast = await buildCast();
  chair = await buildUser(["board_member", "board_chair"], "Chair");
  members = await Promise.all([1, 2, 3, 4].map((n) => buildUser(["board_member"], `Member ${n}`)));
});

const step = fc.record({
  member: fc.integer({ min: 0, max: 3 }),
  action: fc.constantFrom("declare_none", "declare_conflict", "vote", "change_vote", "comment"),
});

describe("board packets under random sequences of member actions", () => {
  it("never let a conflicted member see or cast a vote, and hide votes until one has voted", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const { application } = await buildApplication(cast, "board_review");
        const review = await rpc<string>(chair.client, "open_board_review", {
          title: "Property review",
          closes_at: new Date(Date.now() + 86_400_000).toISOString(),
          applications: [application],
          quorum: 1,
        });
        const packet = await withDatabase(
          async (db) =>
            (
              await db.query<Record<string, unknown>>("select id from public.board_packets where review_id = $1", [
                review,
              ])
            ).rows[0]!.id as string,
        );
        for (const { member, action } of steps) {
          const client = members[member]!.client;
          if (action === "declare_none") await client.rpc("declare_conflict", { packet, has_conflict: false });
          if (action === "declare_conflict")
            await client.rpc("declare_conflict", { packet, has_conflict: true, reason: "Related party." });
          if (action === "vote") await client.rpc("cast_vote", { packet, choice: "approve", reason: "Good." });
          if (action === "change_vote")
            await client.rpc("cast_vote", { packet, choice: "reject", reason: "Changed my mind." });
          if (action === "comment") await client.from("comments").insert({ packet_id: packet, body: "A thought." });

          const state = await withDatabase(async (db) => ({
            conflicted: new Set(
              (
                await db.query<Record<string, unknown>>(
                  "select member_id from public.conflict_declarations where packet_id = $1 and has_conflict",
                  [packet],
                )
              ).rows.map((r) => r.member_id),
            ),
            voters: new Set(
              (
                await db.query<Record<string, unknown>>("select member_id from public.votes where packet_id = $1", [
                  packet,
                ])
              ).rows.map((r) => r.member_id),
            ),
          }));
          for (const person of members) {
            const seenVotes =
              (await person.client.from("votes").select("member_id").eq("packet_id", packet)).data ?? [];
            const seenComments = (await person.client.from("comments").select("id").eq("packet_id", packet)).data ?? [];
            if (state.conflicted.has(person.id)) {
              expect(state.voters.has(person.id), "a conflicted member has a vote").toBe(false);
              expect(seenVotes).toEqual([]);
              expect(seenComments).toEqual([]);
            } else if (!state.voters.has(person.id)) {
              expect(seenVotes, "votes visible before voting").toEqual([]);
            } else {
              expect(seenVotes).toHaveLength(state.voters.size);
            }
          }
          // Every vote belongs to a member who declared no conflict.
          const declaredClean = await withDatabase(async (db) =>
            Number(
              (
                await db.query<Record<string, unknown>>(
                  `select count(*) from public.votes v where v.packet_id = $1 and not exists (
                 select 1 from public.conflict_declarations d where d.packet_id = v.packet_id and d.member_id = v.member_id and not d.has_conflict)`,
                  [packet],
                )
              ).rows[0]!.count,
            ),
          );
          expect(declaredClean).toBe(0);
        }
      }),
      { numRuns: 12, endOnFailure: true },
    );
  }, 180_000); // dozens of real transitions per run: minutes on a busy 2-core machine, not a timing assertion
});
