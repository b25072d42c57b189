import type { SupabaseClient } from "@supabase/supabase-js";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/database.types";
import type { PlanNode } from "../../app/lib/plan-schema";
import { buildPlanTemplate } from "../../server/collab/plan-template";
import {
  auditEntries,
  buildCast,
  buildDesignatedCentre,
  buildOrganisation,
  changeFirstKpiTarget,
  changeFirstRisk,
  fillEmptyParagraphs,
  rpc,
  type Cast,
} from "../support/factories";
import { anonClient, buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 15, "Amendments to the approved plan": a designated centre's people propose an amendment (a new co-edited
 * document starting from the approved baseline, with a reason); BDT approves minor ones; major ones (BDT's call, or
 * any change to objectives or KPI targets) go to the Board as a packet; on approval the submitted version becomes
 * the centre's frozen, hashed baseline, and the history of baselines is public.
 */

let cast: Cast;
let chair: TestUser;
let member: TestUser;
let bystander: TestUser;

beforeAll(async () => {
  cast = await buildCast();
  [chair, member, bystander] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair"),
    buildUser(["board_member"], "Member"),
    buildUser(["board_member"], "Bystander"),
  ]);
});

const row = (sql: string, params: unknown[]) =>
  withDatabase(async (db) => (await db.query<Record<string, unknown>>(sql, params)).rows[0]);

const amendmentOf = async (id: string) => (await row("select * from public.plan_amendments where id = $1", [id]))!;

async function setPlanContent(plan: string, content: PlanNode) {
  await withDatabase((db) => db.query("update public.action_plans set content = $2 where id = $1", [plan, content]));
}

async function planContent(plan: string) {
  return (await row("select content from public.action_plans where id = $1", [plan]))!.content as PlanNode;
}

/** A designated centre of the cast's applicant with a draft amendment. */
async function draftAmendment() {
  const built = await buildDesignatedCentre(cast, chair, member);
  const amendment = await rpc<string>(cast.applicant.client, "propose_amendment", {
    centre: built.centre,
    reason: "A new partner joins; the risks change.",
  });
  const { plan_id: plan } = await amendmentOf(amendment);
  return { ...built, amendment, plan: plan as string, basePlan: built.plan };
}

const refusal = async (request: PromiseLike<{ error: { hint?: string; code?: string } | null }>) => {
  const { error } = await request;
  return error?.hint ?? (error ? error.code : null);
};

describe("proposing an amendment", () => {
  it("starts a new document from the approved baseline, with a reason, for the centre's people only", async () => {
    const built = await buildDesignatedCentre(cast, chair, member);
    const { approved_plan_version_id: baseline } = (await row(
      "select approved_plan_version_id from public.centres where id = $1",
      [built.centre],
    ))!;
    for (const outsider of [cast.reviewer, cast.coordinator, member, chair, cast.outsider]) {
      expect(await refusal(outsider.client.rpc("propose_amendment", { centre: built.centre, reason: "Mine." }))).toBe(
        "not_allowed",
      );
    }
    expect(await refusal(anonClient().rpc("propose_amendment", { centre: built.centre, reason: "Mine." }))).toBe(
      "42501",
    );
    expect(await refusal(cast.applicant.client.rpc("propose_amendment", { centre: built.centre, reason: " " }))).toBe(
      "reason_required",
    );
    const amendment = await rpc<string>(cast.colleague.client, "propose_amendment", {
      centre: built.centre,
      reason: "New partners.",
    });
    const saved = await amendmentOf(amendment);
    expect(saved).toMatchObject({ status: "draft", base_version_id: baseline, reason: "New partners." });
    const base = (await row("select content from public.plan_versions where id = $1", [baseline]))!.content;
    expect(await planContent(saved.plan_id as string)).toEqual(base);
    // One amendment in progress per centre: each starts from the baseline the last one left.
    expect(
      await refusal(cast.applicant.client.rpc("propose_amendment", { centre: built.centre, reason: "Another." })),
    ).toBe("invalid_transition");
    expect((await auditEntries(amendment)).map((entry) => entry.action)).toEqual(["propose_amendment"]);
  });

  it("lets the centre and BDT co-edit the draft, Board members who hold no packet of it see nothing", async () => {
    const { plan, basePlan } = await draftAmendment();
    const access = async (client: SupabaseClient<Database>, id: string) =>
      (await client.rpc("my_plan_access", { plan: id })).data;
    expect(await access(cast.applicant.client, plan)).toBe("edit");
    expect(await access(cast.reviewer.client, plan)).toBe("edit");
    expect(await access(member.client, plan)).toBeNull();
    expect(await access(cast.outsider.client, plan)).toBeNull();
    // The approved plan itself stays frozen.
    expect(await access(cast.applicant.client, basePlan)).toBe("read");
  });
});

describe("every transition's matrix of role × state", () => {
  const states = ["draft", "submitted", "board_review", "changes_requested", "approved", "rejected", "withdrawn"];
  let fixture: Awaited<ReturnType<typeof draftAmendment>>;
  let actors: Record<string, TestUser>;

  beforeAll(async () => {
    fixture = await draftAmendment();
    // A first submission gives the amendment a submitted version, so "approve" has something to adopt.
    await rpc(cast.applicant.client, "submit_amendment", { amendment: fixture.amendment });
    actors = {
      applicant: cast.applicant,
      outsider: cast.outsider,
      reviewer: cast.reviewer,
      coordinator: cast.coordinator,
      member,
      chair,
    };
  });

  async function inState(state: string) {
    await withDatabase((db) =>
      db.query(
        "update public.plan_amendments set status = $2::public.amendment_status, major_reasons = '{}' where id = $1",
        [fixture.amendment, state],
      ),
    );
  }

  const cases: {
    name: string;
    call: (client: SupabaseClient<Database>, amendment: string) => PromiseLike<{ error: unknown }>;
    allowed: (who: string, state: string) => boolean;
  }[] = [
    {
      name: "submit_amendment",
      call: (client, amendment) => client.rpc("submit_amendment", { amendment }),
      allowed: (who, state) => who === "applicant" && ["draft", "changes_requested"].includes(state),
    },
    {
      name: "withdraw_amendment",
      call: (client, amendment) => client.rpc("withdraw_amendment", { amendment }),
      allowed: (who, state) => who === "applicant" && ["draft", "submitted", "changes_requested"].includes(state),
    },
    {
      name: "decide_amendment (request changes)",
      call: (client, amendment) =>
        client.rpc("decide_amendment", { amendment, decision: "request_changes", reason: "Say more." }),
      allowed: (who, state) => ["reviewer", "coordinator"].includes(who) && state === "submitted",
    },
    {
      name: "decide_amendment (approve, minor)",
      call: (client, amendment) => client.rpc("decide_amendment", { amendment, decision: "approve", reason: "Fine." }),
      allowed: (who, state) => ["reviewer", "coordinator"].includes(who) && state === "submitted",
    },
  ];

  for (const transition of cases) {
    it(`${transition.name}: only the right role, only from the right state`, async () => {
      const observed: string[] = [];
      const expected: string[] = [];
      for (const state of states) {
        for (const [who, actor] of Object.entries(actors)) {
          await inState(state);
          const { error } = await transition.call(actor.client, fixture.amendment);
          if (!error) observed.push(`${who}@${state}`);
          if (transition.allowed(who, state)) expected.push(`${who}@${state}`);
        }
        const anonymous = await transition.call(anonClient(), fixture.amendment);
        if (!anonymous.error) observed.push(`public@${state}`);
      }
      expect(observed).toEqual(expected);
    }, 300_000);
  }
});

describe("minor and major amendments", () => {
  it("BDT approves a minor amendment: the submitted version becomes the frozen, hashed, public baseline", async () => {
    const { amendment, plan, centre } = await draftAmendment();
    await setPlanContent(plan, changeFirstRisk(await planContent(plan), "A second host building may be late."));
    const sent = await rpc<string>(cast.applicant.client, "submit_amendment", { amendment });
    expect((await amendmentOf(amendment)).major_reasons).toEqual([]);
    // Once submitted nobody edits it, so what BDT approves is exactly what was submitted.
    expect((await cast.applicant.client.rpc("my_plan_access", { plan })).data).toBe("comment");
    expect((await cast.reviewer.client.rpc("my_plan_access", { plan })).data).toBe("comment");
    await rpc(cast.reviewer.client, "decide_amendment", { amendment, decision: "approve", reason: "Risks only." });

    const saved = await amendmentOf(amendment);
    expect(saved.status).toBe("approved");
    const centreRow = (await row("select approved_plan_version_id, plan_hash from public.centres where id = $1", [
      centre,
    ]))!;
    expect(centreRow.approved_plan_version_id).toBe(saved.approved_version_id);
    const version = (await row(
      "select kind, content, content_hash, encode(extensions.digest(content::text, 'sha256'), 'hex') as computed from public.plan_versions where id = $1",
      [saved.approved_version_id],
    ))!;
    expect(version.kind).toBe("approved");
    expect(version.content_hash).toBe(version.computed);
    expect(centreRow.plan_hash).toBe(version.content_hash);
    const sentContent = (await row("select content from public.plan_versions where id = $1", [sent]))!.content;
    expect(version.content).toEqual(sentContent);

    // The history is public: designation by the Board, then this amendment by BDT, with who and why.
    const { data: history } = await anonClient()
      .from("centre_baselines")
      .select("approving_body, approved_by_name, reason, plan_hash, amendment_id")
      .eq("centre_id", centre)
      .order("approved_at");
    expect(history).toEqual([
      expect.objectContaining({ approving_body: "board", approved_by_name: "Chair", amendment_id: null }),
      {
        approving_body: "bdt",
        approved_by_name: "Reviewer",
        reason: "Risks only.",
        plan_hash: centreRow.plan_hash,
        amendment_id: amendment,
      },
    ]);
    const { data: publicPlan } = await anonClient().rpc("get_centre_plan", { centre });
    expect(publicPlan?.[0]?.content_hash).toBe(centreRow.plan_hash);
    // The decided amendment is frozen too.
    expect((await cast.applicant.client.rpc("my_plan_access", { plan })).data).toBe("read");
    expect((await auditEntries(centre)).map((entry) => entry.action)).toContain("adopt_amendment");
    const { rows: notified } = await withDatabase((db) =>
      db.query<{ recipient_id: string }>(
        "select recipient_id from public.notifications where entity_id = $1 and kind = 'amendment_decided'",
        [amendment],
      ),
    );
    expect(notified.map((entry) => entry.recipient_id)).toContain(cast.applicant.id);
  });

  it("a changed KPI target makes it major: BDT cannot approve it, the Board decides", async () => {
    const { amendment, plan } = await draftAmendment();
    await setPlanContent(plan, changeFirstKpiTarget(await planContent(plan), "500"));
    await rpc(cast.applicant.client, "submit_amendment", { amendment });
    expect((await amendmentOf(amendment)).major_reasons).toEqual(["kpi_targets"]);
    expect(
      await refusal(
        cast.reviewer.client.rpc("decide_amendment", { amendment, decision: "approve", reason: "Looks fine." }),
      ),
    ).toBe("amendment_major");
    await rpc(cast.reviewer.client, "decide_amendment", {
      amendment,
      decision: "send_to_board",
      reason: "The targets change: the Board decides.",
    });
    expect((await amendmentOf(amendment)).status).toBe("board_review");
    const review = await rpc<string>(chair.client, "open_board_review", {
      title: "Amendment review",
      closes_at: new Date(Date.now() + 86_400_000).toISOString(),
      applications: [amendment],
      quorum: 1,
    });
    const packet = (await row(
      "select id, amendment_id, plan_version_id from public.board_packets where review_id = $1",
      [review],
    ))!;
    expect(packet.amendment_id).toBe(amendment);
    expect(packet.plan_version_id).toBe((await amendmentOf(amendment)).sent_version_id);
    // The packet opens the document to the Board members who declared no conflict, nobody else on the Board.
    await rpc(member.client, "declare_conflict", { packet: packet.id, has_conflict: false });
    expect((await member.client.rpc("my_plan_access", { plan })).data).toBe("comment");
    expect((await bystander.client.rpc("my_plan_access", { plan })).data).toBeNull();
    const { data: seen } = await member.client.from("plan_amendments").select("id").eq("id", amendment);
    expect(seen).toHaveLength(1);
    const { data: hidden } = await bystander.client.from("plan_amendments").select("id").eq("id", amendment);
    expect(hidden).toEqual([]);

    // The Board decides through the same packet: votes, quorum, then the chair records the decision.
    await rpc(member.client, "cast_vote", {
      packet: packet.id,
      choice: "approve",
      reason: "Ambitious and sound.",
    });
    // record_decision is the application's: it refuses an amendment packet (its application left board review).
    expect(
      await refusal(chair.client.rpc("record_decision", { packet: packet.id as string, outcome: "approve" })),
    ).toBe("invalid_transition");
    for (const other of [cast.reviewer, cast.coordinator, member, cast.applicant]) {
      expect(
        await refusal(
          other.client.rpc("record_amendment_decision", { packet: packet.id as string, outcome: "approve" }),
        ),
      ).toBe("not_allowed");
    }
    await rpc(chair.client, "record_amendment_decision", {
      packet: packet.id,
      outcome: "approve",
      reasons: "New targets endorsed.",
    });
    const saved = await amendmentOf(amendment);
    expect(saved.status).toBe("approved");
    const { centre } = (await row("select centre_id as centre from public.plan_amendments where id = $1", [
      amendment,
    ]))!;
    const { data: history } = await anonClient()
      .from("centre_baselines")
      .select("approving_body, approved_by_name, reason, plan_version_id")
      .eq("centre_id", centre as string)
      .order("approved_at");
    expect(history?.at(-1)).toEqual({
      approving_body: "board",
      approved_by_name: "Chair",
      reason: "New targets endorsed.",
      plan_version_id: saved.approved_version_id,
    });
    expect(
      await refusal(
        chair.client.rpc("record_amendment_decision", {
          packet: packet.id as string,
          outcome: "reject",
          reasons: "No.",
        }),
      ),
    ).toBe("invalid_transition");
  });

  it("the Board may send a major amendment back with its reasons; the centre edits it again", async () => {
    const { amendment, plan } = await draftAmendment();
    await setPlanContent(plan, changeFirstKpiTarget(await planContent(plan), "20"));
    await rpc(cast.applicant.client, "submit_amendment", { amendment });
    await rpc(cast.reviewer.client, "decide_amendment", { amendment, decision: "send_to_board", reason: "Major." });
    const review = await rpc<string>(chair.client, "open_board_review", {
      title: "Amendment review",
      closes_at: new Date(Date.now() + 86_400_000).toISOString(),
      applications: [amendment],
      quorum: 1,
    });
    const packet = (await row("select id from public.board_packets where review_id = $1", [review]))!.id as string;
    await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(member.client, "cast_vote", { packet, choice: "request_changes", reason: "Justify the target." });
    expect(await refusal(chair.client.rpc("record_amendment_decision", { packet, outcome: "request_changes" }))).toBe(
      "reason_required",
    );
    await rpc(chair.client, "record_amendment_decision", {
      packet,
      outcome: "request_changes",
      reasons: "Justify the target.",
    });
    expect((await amendmentOf(amendment)).status).toBe("changes_requested");
    expect((await cast.applicant.client.rpc("my_plan_access", { plan })).data).toBe("edit");
  });

  it("objectives changed are major too; BDT may also judge a minor-looking one major", async () => {
    const { amendment, plan } = await draftAmendment();
    const content = await planContent(plan);
    const blocks = content.content!;
    const at = blocks.findIndex((node) => node.type === "heading" && node.content?.[0]?.text === "Objectives");
    blocks[at + 1] = { type: "paragraph", content: [{ type: "text", text: "Train 2,000 founders a year." }] };
    await setPlanContent(plan, content);
    await rpc(cast.applicant.client, "submit_amendment", { amendment });
    expect((await amendmentOf(amendment)).major_reasons).toEqual(["objectives"]);

    const minor = await draftAmendment();
    await rpc(cast.applicant.client, "submit_amendment", { amendment: minor.amendment });
    await rpc(cast.reviewer.client, "decide_amendment", {
      amendment: minor.amendment,
      decision: "send_to_board",
      reason: "A change of host deserves the Board.",
    });
    expect(await amendmentOf(minor.amendment)).toMatchObject({ status: "board_review", major_reasons: ["bdt"] });
  });
});

describe("RLS: nobody writes amendments or baselines directly, and only those concerned read amendments", () => {
  it("refuses direct writes for every role and hides amendments from outsiders and the public", async () => {
    const { amendment, centre, organisation } = await draftAmendment();
    const clients: [string, SupabaseClient<Database>][] = [
      ["public", anonClient()],
      ["applicant", cast.applicant.client],
      ["reviewer", cast.reviewer.client],
      ["coordinator", cast.coordinator.client],
      ["member", member.client],
      ["chair", chair.client],
    ];
    for (const [who, client] of clients) {
      const update = await client.from("plan_amendments").update({ status: "approved" }).eq("id", amendment).select();
      expect(update.data ?? [], who).toEqual([]);
      const insert = await client.from("plan_amendments").insert({
        centre_id: centre,
        application_id: centre,
        organisation_id: organisation,
        plan_id: centre,
        base_version_id: centre,
        reason: "Direct.",
      });
      expect(insert.error, who).not.toBeNull();
      const baseline = await client.from("centre_baselines").insert({
        centre_id: centre,
        plan_version_id: centre,
        plan_hash: "x",
        approving_body: "bdt",
      });
      expect(baseline.error, who).not.toBeNull();
      const rewrite = await client
        .from("centre_baselines")
        .update({ reason: "Rewritten." })
        .eq("centre_id", centre)
        .select();
      expect(rewrite.data ?? [], who).toEqual([]);
      const remove = await client.from("centre_baselines").delete().eq("centre_id", centre).select();
      expect(remove.data ?? [], who).toEqual([]);
    }
    expect((await amendmentOf(amendment)).status).toBe("draft");

    const other = await buildUser(["applicant"], "Other applicant");
    await buildOrganisation(other);
    for (const [who, client] of [
      ["public", anonClient()],
      ["other applicant", other.client],
      ["board member", member.client],
    ] as const) {
      const direct = await client.from("plan_amendments").select("id").eq("id", amendment);
      expect(direct.data ?? [], who).toEqual([]);
      const counted = await client.from("plan_amendments").select("id", { count: "exact", head: true });
      const visible = await client.from("plan_amendments").select("id").or(`id.eq.${amendment},centre_id.eq.${centre}`);
      expect(visible.data ?? [], who).toEqual([]);
      expect(counted.count ?? 0, who).toBeGreaterThanOrEqual(0);
      const embedded = await client
        .from("centre_baselines")
        .select("id, amendment:plan_amendments(reason)")
        .eq("centre_id", centre);
      for (const entry of embedded.data ?? []) expect(entry.amendment, who).toBeNull();
    }
    for (const client of [
      cast.applicant.client,
      cast.colleague.client,
      cast.reviewer.client,
      cast.coordinator.client,
    ]) {
      const { data } = await client.from("plan_amendments").select("id, reason").eq("id", amendment);
      expect(data).toHaveLength(1);
    }
  });
});

describe("major amendments in the plan's language (issue 15 with issue 18)", () => {
  /** Rewrites the text of the table cell `column` in the first data row of the `tableIndex`-th table. */
  const withCell = (doc: PlanNode, tableIndex: number, column: number, value: string): PlanNode => {
    const copy = JSON.parse(JSON.stringify(doc)) as PlanNode;
    const table = (copy.content ?? []).filter((node) => node.type === "table")[tableIndex]!;
    table.content![1]!.content![column]!.content = [{ type: "paragraph", content: [{ type: "text", text: value }] }];
    return copy;
  };
  /** Rewrites the paragraph right after the `headingIndex`-th level 3 heading. */
  const withPart = (doc: PlanNode, headingIndex: number, value: string): PlanNode => {
    const copy = JSON.parse(JSON.stringify(doc)) as PlanNode;
    const blocks = copy.content ?? [];
    const at = blocks
      .map((node, i) => [node, i] as const)
      .filter(([node]) => node.type === "heading" && node.attrs?.level === 3)[headingIndex]![1];
    blocks[at + 1] = { type: "paragraph", content: [{ type: "text", text: value }] };
    return copy;
  };
  const majorChanges = (before: PlanNode, after: PlanNode) =>
    withDatabase(
      async (db) =>
        (await db.query<{ changes: string[] }>("select private.major_changes($1, $2) as changes", [before, after]))
          .rows[0]!.changes,
    );

  for (const language of ["ar", "zh", "ru", "fr", "es", "en"] as const) {
    it(`finds the objectives and KPI targets of a plan written in ${language}`, async () => {
      const labels = await withDatabase(
        async (db) =>
          (
            await db.query<{ code: string; label: string }>(
              "select code, label ->> $1 as label from public.strategic_capabilities order by position limit 2",
              [language],
            )
          ).rows,
      );
      const base = fillEmptyParagraphs(buildPlanTemplate("Centre", labels, language), "42");
      // The KPI table is each section's second table; typed, its columns are indicator, unit, baseline, target and
      // target date (issue 16): a new target is major, a corrected baseline is not.
      expect(await majorChanges(base, withCell(base, 1, 3, "500"))).toEqual(["kpi_targets"]);
      expect(await majorChanges(base, withCell(base, 1, 2, "7"))).toEqual([]);
      // The objectives are the first level 3 heading of each section.
      expect(await majorChanges(base, withPart(base, 0, "New objective."))).toEqual(["objectives"]);
      // Risks (the last part of a section) and activities are not commitments.
      expect(await majorChanges(base, withPart(base, 4, "A new risk."))).toEqual([]);
      expect(await majorChanges(base, withCell(base, 0, 0, "Another activity"))).toEqual([]);
    });
  }
});
