import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  auditEntries,
  buildCall,
  buildCast,
  buildDraftEoi,
  buildOrganisation,
  eoiStatus,
  validation,
  type Cast,
} from "../support/factories";

/** DOMAIN.md workflow 2, written out independently of the SQL: the only state changes that may ever happen. */
const finalStates = new Set(["validated", "declined", "withdrawn"]);
function isAllowedEdge(from: string, to: string): boolean {
  const edges = new Set([
    "draft>submitted",
    "submitted>under_validation",
    "resubmitted>under_validation",
    "under_validation>clarification_requested",
    "clarification_requested>resubmitted",
    "under_validation>validated",
    "under_validation>declined",
  ]);
  return edges.has(`${from}>${to}`) || (to === "withdrawn" && !finalStates.has(from));
}

const actions = [
  { name: "submit_eoi", args: {} },
  { name: "withdraw_eoi", args: { reason: "No longer interested." } },
  { name: "start_validation", args: {} },
  { name: "request_clarification", args: { question: "Which partners?" } },
  { name: "resubmit_eoi", args: { answer: "Three universities." } },
  { name: "validate_eoi", args: validation },
  { name: "decline_eoi", args: { reasons: "Not eligible." } },
] as const;
const actors = ["applicant", "colleague", "outsider", "reviewer", "coordinator", "boardMember"] as const;
const applicantSide = new Set(["applicant", "colleague"]);
const bdtSide = new Set(["reviewer", "coordinator"]);

let cast: Cast;
let organisation: string;
/** One open call per run, made ahead: an institution has one live EoI per call. */
const calls: string[] = [];
const runs = 30;
beforeAll(async () => {
  cast = await buildCast();
  organisation = await buildOrganisation(cast.applicant, [cast.colleague]);
  calls.push(...(await Promise.all(Array.from({ length: runs }, () => buildCall(cast.coordinator)))));
});

describe("EoI workflow under random sequences of actions by random roles", () => {
  it("never reaches a state DOMAIN.md forbids, never skips an audit entry, and refusals change nothing", async () => {
    const step = fc.record({ action: fc.constantFrom(...actions), actor: fc.constantFrom(...actors) });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const eoi = await buildDraftEoi(
          cast.applicant,
          organisation,
          calls.pop() ?? (await buildCall(cast.coordinator)),
        );
        for (const { action, actor } of steps) {
          const before = await eoiStatus(eoi);
          const auditBefore = await auditEntries(eoi);
          const { error } = await cast[actor].client.rpc(action.name, { eoi, ...action.args });
          const after = await eoiStatus(eoi);
          const auditAfter = await auditEntries(eoi);
          if (error) {
            expect(["not_allowed", "not_found", "invalid_transition"]).toContain(error.hint);
            expect(after).toBe(before);
            expect(auditAfter).toEqual(auditBefore);
            continue;
          }
          expect(isAllowedEdge(before, after), `${before} -> ${after} by ${actor} via ${action.name}`).toBe(true);
          const side = ["submit_eoi", "withdraw_eoi", "resubmit_eoi"].includes(action.name) ? applicantSide : bdtSide;
          expect(side.has(actor), `${actor} took ${action.name}`).toBe(true);
          expect(auditAfter).toHaveLength(auditBefore.length + 1);
          expect(auditAfter.at(-1)).toMatchObject({ actor_id: cast[actor].id, from_state: before, to_state: after });
        }
        // Whatever happened, the outsider still cannot see the EoI at all.
        const { data } = await cast.outsider.client.from("eois").select("id").eq("id", eoi);
        expect(data).toEqual([]);
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 180_000); // dozens of real transitions per run: minutes on a busy 2-core machine, not a timing assertion
});
