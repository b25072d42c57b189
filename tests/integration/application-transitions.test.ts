import { beforeAll, describe, expect, it } from "vitest";
import { auditEntries, buildApplication, buildCast, type Cast } from "../support/factories";
import { withDatabase } from "../support/supabase";
import type { RpcName } from "../../app/validation/rpc";

let cast: Cast;
beforeAll(async () => {
  cast = await buildCast();
});

const states = ["draft", "submitted", "bdt_review", "board_review"] as const;
type State = (typeof states)[number];

/** The applicant and BDT edges of DOMAIN.md workflow 3 (the Board's are in board.test.ts). */
const transitions: {
  name: RpcName;
  actor: keyof Cast;
  refused: (keyof Cast)[];
  args: Record<string, unknown>;
  from: State[];
  to: string;
  reason?: string;
}[] = [
  {
    name: "submit_application",
    actor: "applicant",
    refused: ["outsider", "reviewer", "boardMember"],
    args: {},
    from: ["draft"],
    to: "submitted",
  },
  {
    name: "start_bdt_review",
    actor: "reviewer",
    refused: ["applicant", "boardMember"],
    args: { checklist: { complete: true } },
    from: ["submitted"],
    to: "bdt_review",
  },
  {
    name: "send_to_board",
    actor: "coordinator",
    refused: ["applicant", "boardMember"],
    args: { recommendation: "Approve: a strong host.", recommended_outcome: "approve" },
    from: ["bdt_review"],
    to: "board_review",
    reason: "Approve: a strong host.",
  },
];

const status = (application: string) =>
  withDatabase(
    async (db) =>
      (
        await db.query<Record<string, unknown>>("select status from public.centre_applications where id = $1", [
          application,
        ])
      ).rows[0]!.status,
  );

describe("application transitions", () => {
  for (const transition of transitions) {
    for (const state of states) {
      const allowed = transition.from.includes(state);
      it(`${transition.name} ${allowed ? "moves" : "refuses"} an application in ${state}`, async () => {
        const { application } = await buildApplication(cast, state);
        const before = await auditEntries(application);
        const { error } = await cast[transition.actor].client.rpc(transition.name, {
          application,
          ...transition.args,
        } as never);
        const after = await auditEntries(application);
        if (!allowed) {
          expect(error?.hint).toBe("invalid_transition");
          expect(await status(application)).toBe(state);
          expect(after).toEqual(before);
          return;
        }
        expect(error).toBeNull();
        expect(await status(application)).toBe(transition.to);
        expect(after).toHaveLength(before.length + 1);
        expect(after.at(-1)).toMatchObject({
          actor_id: cast[transition.actor].id,
          from_state: state,
          to_state: transition.to,
          reason: transition.reason ?? null,
        });
      });
    }
    it(`${transition.name} is refused to the wrong roles`, async () => {
      for (const refused of transition.refused) {
        const { application } = await buildApplication(cast, transition.from[0]!);
        const { error } = await cast[refused].client.rpc(transition.name, { application, ...transition.args } as never);
        expect(error?.hint, refused).toMatch(/^(not_allowed|not_found)$/);
        expect(await status(application)).toBe(transition.from[0]);
      }
    });
  }

  it("invites an application only once, only from a validated EoI, pre-filled with BDT's recommendation", async () => {
    const { application, eoi } = await buildApplication(cast, "draft");
    const row = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select centre_type, scope, capabilities from public.centre_applications where id = $1",
            [application],
          )
        ).rows[0],
    );
    expect(row).toEqual({
      centre_type: "initiative_accelerator",
      scope: "national",
      capabilities: ["entrepreneurship_sme_growth"],
    });
    expect((await cast.reviewer.client.rpc("invite_application", { eoi })).error?.hint).toBe("invalid_transition");
    const audit = await auditEntries(application);
    expect(audit[0]).toMatchObject({ action: "invite_application", actor_id: cast.reviewer.id, to_state: "draft" });
  });

  it("refuses an incomplete application and names what is missing", async () => {
    const { application } = await buildApplication(cast, "draft");
    await withDatabase((db) =>
      db.query<Record<string, unknown>>("update public.centre_applications set host_details = null where id = $1", [
        application,
      ]),
    );
    const { error } = await cast.applicant.client.rpc("submit_application", { application });
    expect(error?.hint).toBe("incomplete");
    expect(error?.details).toBe("host_details");
  });
});
