import { beforeAll, describe, expect, it } from "vitest";
import {
  auditEntries,
  buildCall,
  buildCast,
  buildDraftEoi,
  buildEoiInState,
  buildOrganisation,
  eoiStates,
  eoiStatus,
  rpc,
  validation,
  type Cast,
  type EoiState,
} from "../support/factories";
import type { TestUser } from "../support/supabase";
import { withDatabase } from "../support/supabase";
import type { RpcName } from "../../app/validation/rpc";

let cast: Cast;
beforeAll(async () => {
  cast = await buildCast();
});

type Actor = keyof Cast;

/** Every edge of the EoI workflow (DOMAIN.md 2): who may take it, from which states, and where it leads. */
const transitions: {
  name: RpcName;
  args: Record<string, unknown>;
  allowed: Actor[];
  refused: Actor[];
  from: EoiState[];
  to: EoiState;
  reason?: string;
}[] = [
  {
    name: "submit_eoi",
    args: {},
    allowed: ["applicant", "colleague"],
    refused: ["outsider", "reviewer", "boardMember"],
    from: ["draft"],
    to: "submitted",
  },
  {
    name: "withdraw_eoi",
    args: { reason: "We will apply next year." },
    allowed: ["applicant"],
    refused: ["outsider", "reviewer", "coordinator", "boardMember"],
    from: ["draft", "submitted", "under_validation", "clarification_requested", "resubmitted"],
    to: "withdrawn",
    reason: "We will apply next year.",
  },
  {
    name: "start_validation",
    args: {},
    allowed: ["reviewer", "coordinator"],
    refused: ["applicant", "boardMember"],
    from: ["submitted", "resubmitted"],
    to: "under_validation",
  },
  {
    name: "request_clarification",
    args: { question: "Please attach the letter of support." },
    allowed: ["reviewer"],
    refused: ["applicant", "outsider", "boardMember"],
    from: ["under_validation"],
    to: "clarification_requested",
    reason: "Please attach the letter of support.",
  },
  {
    name: "resubmit_eoi",
    args: { answer: "Attached now." },
    allowed: ["colleague"],
    refused: ["outsider", "reviewer", "boardMember"],
    from: ["clarification_requested"],
    to: "resubmitted",
    reason: "Attached now.",
  },
  {
    name: "validate_eoi",
    args: validation,
    allowed: ["reviewer", "coordinator"],
    refused: ["applicant", "boardMember"],
    from: ["under_validation"],
    to: "validated",
    reason: validation.reasons,
  },
  {
    name: "decline_eoi",
    args: { reasons: "Outside the Alliance's goals." },
    allowed: ["reviewer"],
    refused: ["applicant", "boardMember"],
    from: ["under_validation"],
    to: "declined",
    reason: "Outside the Alliance's goals.",
  },
];

async function attempt(actor: TestUser, name: RpcName, args: Record<string, unknown>) {
  // Straight to the database, without the zod check, so the database's own refusals are what is tested.
  const { error } = await actor.client.rpc(name, args as never);
  return error;
}

describe("EoI transitions", () => {
  for (const transition of transitions) {
    describe(transition.name, () => {
      for (const state of eoiStates) {
        const allowedHere = transition.from.includes(state);
        it(`${allowedHere ? "moves" : "refuses to move"} an EoI in ${state}${allowedHere ? ` to ${transition.to}` : ""}`, async () => {
          const { eoi } = await buildEoiInState(cast, state);
          const before = await auditEntries(eoi);
          const actor = cast[transition.allowed[0]!];
          const startedAt = new Date();
          const error = await attempt(actor, transition.name, { eoi, ...transition.args });
          const after = await auditEntries(eoi);
          if (!allowedHere) {
            expect(error?.hint).toBe("invalid_transition");
            expect(await eoiStatus(eoi)).toBe(state);
            expect(after).toEqual(before);
            return;
          }
          expect(error).toBeNull();
          expect(await eoiStatus(eoi)).toBe(transition.to);
          expect(after).toHaveLength(before.length + 1);
          const entry = after.at(-1)!;
          expect(entry).toMatchObject({
            actor_id: actor.id,
            from_state: state,
            to_state: transition.to,
            reason: transition.reason ?? null,
          });
          expect(entry.occurred_at.getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 2000);
        });
      }

      it("is allowed to every role it names and refused to every other", async () => {
        const state = transition.from[0]!;
        for (const refused of transition.refused) {
          const { eoi } = await buildEoiInState(cast, state);
          const error = await attempt(cast[refused], transition.name, { eoi, ...transition.args });
          expect(error?.hint, `${refused} ${transition.name}`).toMatch(/^(not_allowed|not_found)$/);
          expect(await eoiStatus(eoi)).toBe(state);
        }
        for (const allowed of transition.allowed) {
          const { eoi } = await buildEoiInState(cast, state);
          expect(await attempt(cast[allowed], transition.name, { eoi, ...transition.args }), `${allowed}`).toBeNull();
        }
      });
    });
  }

  it("refuses an incomplete EoI and names what is missing", async () => {
    const organisation = await buildOrganisation(cast.applicant);
    const call = await buildCall(cast.coordinator);
    const eoi = await buildDraftEoi(cast.applicant, organisation, call, false);
    const { error } = await cast.applicant.client.rpc("submit_eoi", { eoi });
    expect(error?.hint).toBe("incomplete");
    expect(error?.details).toContain("centre_name");
    expect(error?.details).toContain("capabilities");
  });

  it("refuses a reason-less decline or clarification", async () => {
    const { eoi } = await buildEoiInState(cast, "under_validation");
    expect((await attempt(cast.reviewer, "decline_eoi", { eoi, reasons: "  " }))?.hint).toBe("reason_required");
    expect((await attempt(cast.reviewer, "request_clarification", { eoi, question: "" }))?.hint).toBe(
      "reason_required",
    );
  });
});

describe("deadlines, enforced by the database", () => {
  it("refuses a submission one second after the window closes, and accepts it with an extension", async () => {
    const organisation = await buildOrganisation(cast.applicant);
    const call = await buildCall(cast.coordinator);
    const eoi = await buildDraftEoi(cast.applicant, organisation, call);
    await withDatabase((db) =>
      db.query("update public.calls set closes_at = now() - interval '1 second' where id = $1", [call]),
    );
    expect((await attempt(cast.applicant, "submit_eoi", { eoi }))?.hint).toBe("call_closed");

    const otherOrganisation = await buildOrganisation(cast.outsider);
    const extendedFor = new Date(Date.now() + 3600_000).toISOString();
    await rpc(cast.coordinator.client, "extend_call_deadline", {
      call,
      new_closes_at: extendedFor,
      organisation,
      reason: "Postal delay",
    });
    expect(await attempt(cast.applicant, "submit_eoi", { eoi })).toBeNull();
    expect(await eoiStatus(eoi)).toBe("submitted");
    // The extension is for one organisation only.
    const { error } = await cast.outsider.client.rpc("create_eoi", { call, organisation: otherOrganisation });
    expect(error?.hint).toBe("call_closed");
  });

  it("refuses a submission before the call opens and after a coordinator closes it", async () => {
    const organisation = await buildOrganisation(cast.applicant);
    const call = await buildCall(cast.coordinator);
    const eoi = await buildDraftEoi(cast.applicant, organisation, call);
    await withDatabase((db) =>
      db.query(
        "update public.calls set opens_at = now() + interval '1 hour', closes_at = now() + interval '2 hours' where id = $1",
        [call],
      ),
    );
    expect((await attempt(cast.applicant, "submit_eoi", { eoi }))?.hint).toBe("call_closed");
    await withDatabase((db) =>
      db.query("update public.calls set opens_at = now() - interval '1 hour' where id = $1", [call]),
    );
    await rpc(cast.coordinator.client, "close_call", { call });
    expect((await attempt(cast.applicant, "submit_eoi", { eoi }))?.hint).toBe("call_closed");
  });
});

describe("concurrency", () => {
  it("lets exactly one of two reviewers acting at the same moment win, with one audit entry", async () => {
    for (let round = 0; round < 5; round += 1) {
      const { eoi } = await buildEoiInState(cast, "submitted");
      const results = await Promise.all([
        attempt(cast.reviewer, "start_validation", { eoi }),
        attempt(cast.otherReviewer, "start_validation", { eoi }),
      ]);
      expect(results.filter((error) => error === null)).toHaveLength(1);
      expect(results.find((error) => error !== null)?.hint).toBe("invalid_transition");
      const entries = (await auditEntries(eoi)).filter((entry) => entry.action === "start_validation");
      expect(entries).toHaveLength(1);
    }
  });

  it("lets exactly one of a concurrent validate and decline win", async () => {
    const { eoi } = await buildEoiInState(cast, "under_validation");
    const results = await Promise.all([
      attempt(cast.reviewer, "validate_eoi", { eoi, ...validation }),
      attempt(cast.otherReviewer, "decline_eoi", { eoi, reasons: "Out of scope." }),
    ]);
    expect(results.filter((error) => error === null)).toHaveLength(1);
    const decided = (await auditEntries(eoi)).filter(
      (entry) => entry.to_state === "validated" || entry.to_state === "declined",
    );
    expect(decided).toHaveLength(1);
    expect(await eoiStatus(eoi)).toBe(decided[0]!.to_state);
  });
});
