import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../app/lib/database.types";
import { callRpc } from "../../app/lib/rpc.server";
import type { RpcName } from "../../app/validation/rpc";
import type { PlanNode } from "../../app/lib/plan-schema";
import { buildPlanTemplate, type TemplateCapability } from "../../server/collab/plan-template";
import { buildUser, withDatabase, type TestUser } from "./supabase";

/** The people a workflow test needs, each a real signed-in supabase-js client. */
export interface Cast {
  applicant: TestUser;
  colleague: TestUser;
  outsider: TestUser;
  reviewer: TestUser;
  otherReviewer: TestUser;
  coordinator: TestUser;
  boardMember: TestUser;
}

export async function buildCast(): Promise<Cast> {
  const [applicant, colleague, outsider, reviewer, otherReviewer, coordinator, boardMember] = await Promise.all([
    buildUser(["applicant"], "Applicant"),
    buildUser(["applicant"], "Colleague"),
    buildUser(["applicant"], "Outsider"),
    buildUser(["reviewer"], "Reviewer"),
    buildUser(["reviewer"], "Other Reviewer"),
    buildUser(["coordinator"], "Coordinator"),
    buildUser(["board_member"], "Board Member"),
  ]);
  return { applicant, colleague, outsider, reviewer, otherReviewer, coordinator, boardMember };
}

/** Calls a transition the way the app does (payload checked by its zod schema) and throws on any refusal. */
export async function rpc<T = unknown>(
  client: SupabaseClient<Database>,
  name: RpcName,
  args: Record<string, unknown>,
): Promise<T> {
  const { data, error } = await callRpc(client, name, args as never);
  if (error) throw new Error(`${name}: ${error.code} ${error.message}`);
  return data as T;
}

export async function buildOrganisation(owner: TestUser, members: TestUser[] = []): Promise<string> {
  const id = await rpc<string>(owner.client, "create_organisation", {
    name: `Institution ${Math.random().toString(36).slice(2, 8)}`,
    kind: "university",
    country_code: "KE",
    website: "https://example.org",
  });
  for (const member of members)
    await rpc(owner.client, "add_organisation_member", { organisation: id, member: member.id });
  return id;
}

/** An open call whose window is set directly, so tests can place "now" anywhere relative to it. */
export async function buildCall(
  coordinator: TestUser,
  window: { opensInSeconds?: number; closesInSeconds?: number; allowedCentreTypes?: string[] } = {},
): Promise<string> {
  const id = await rpc<string>(coordinator.client, "create_call", {
    title: `Call ${Math.random().toString(36).slice(2, 8)}`,
    description: "Test call",
    opens_at: new Date(Date.now() - 3600_000).toISOString(),
    closes_at: new Date(Date.now() + 3600_000).toISOString(),
    allowed_centre_types: window.allowedCentreTypes ?? [],
  });
  await rpc(coordinator.client, "open_call", { call: id });
  if (window.opensInSeconds !== undefined || window.closesInSeconds !== undefined) {
    await withDatabase((db) =>
      db.query(
        `update public.calls set opens_at = now() + make_interval(secs => $2), closes_at = now() + make_interval(secs => $3)
         where id = $1`,
        [id, window.opensInSeconds ?? -3600, window.closesInSeconds ?? 3600],
      ),
    );
  }
  return id;
}

export const completeEoiContent: Database["public"]["Tables"]["eois"]["Update"] = {
  centre_name: "Nairobi Digital Innovation Acceleration Centre",
  request_kind: "establish",
  proposed_centre_type: "innovation_digital_transformation",
  proposed_scope: "national",
  capabilities: ["entrepreneurship_sme_growth", "policy_experimentation"],
  regional_initiatives: ["AFR4"],
  kigali_priorities: ["digital_transformation"],
  motivation: "To accelerate digital entrepreneurship across the country.",
  ecosystem: "Universities, the regulator and three incubators.",
  resources: "Premises and six staff provided by the host.",
  governance: "A steering committee chaired by the ministry.",
  alignment: "Aligned with AFR4 and the Kigali Action Plan.",
  contact_name: "Amina Diallo",
};

export async function buildDraftEoi(applicant: TestUser, organisation: string, call: string, complete = true) {
  const id = await rpc<string>(applicant.client, "create_eoi", { call, organisation });
  if (complete) {
    const { error } = await applicant.client.from("eois").update(completeEoiContent).eq("id", id);
    if (error) throw new Error(`fill eoi: ${error.message}`);
  }
  return id;
}

export const eoiStates = [
  "draft",
  "submitted",
  "under_validation",
  "clarification_requested",
  "resubmitted",
  "validated",
  "declined",
  "withdrawn",
] as const;
export type EoiState = (typeof eoiStates)[number];

export const validation = {
  recommended_centre_type: "initiative_accelerator",
  recommended_scope: "national",
  recommended_capabilities: ["entrepreneurship_sme_growth"],
  reasons: "Strong ecosystem; an Initiative Accelerator Centre fits its resources.",
  checklist: { complete: true, eligible: true },
};

/**
 * Drives a new EoI through real transitions until it reaches `state`. Without a call, a new one is opened: an
 * institution has only one live EoI per call.
 */
export async function buildEoiInState(cast: Cast, state: EoiState, ids?: { organisation: string; call?: string }) {
  const organisation = ids?.organisation ?? (await buildOrganisation(cast.applicant, [cast.colleague]));
  const call = ids?.call ?? (await buildCall(cast.coordinator));
  const eoi = await buildDraftEoi(cast.applicant, organisation, call);
  const steps: Record<EoiState, [TestUser, RpcName, Record<string, unknown>][]> = {
    draft: [],
    submitted: [[cast.applicant, "submit_eoi", {}]],
    under_validation: [
      [cast.applicant, "submit_eoi", {}],
      [cast.reviewer, "start_validation", {}],
    ],
    clarification_requested: [
      [cast.applicant, "submit_eoi", {}],
      [cast.reviewer, "start_validation", {}],
      [cast.reviewer, "request_clarification", { question: "Who funds the staff?" }],
    ],
    resubmitted: [
      [cast.applicant, "submit_eoi", {}],
      [cast.reviewer, "start_validation", {}],
      [cast.reviewer, "request_clarification", { question: "Who funds the staff?" }],
      [cast.applicant, "resubmit_eoi", { answer: "The ministry, for five years." }],
    ],
    validated: [
      [cast.applicant, "submit_eoi", {}],
      [cast.reviewer, "start_validation", {}],
      [cast.reviewer, "validate_eoi", validation],
    ],
    declined: [
      [cast.applicant, "submit_eoi", {}],
      [cast.reviewer, "start_validation", {}],
      [cast.reviewer, "decline_eoi", { reasons: "Out of scope." }],
    ],
    withdrawn: [[cast.applicant, "withdraw_eoi", { reason: "Changed plans." }]],
  };
  for (const [actor, name, args] of steps[state]) await rpc(actor.client, name, { eoi, ...args });
  return { eoi, organisation, call };
}

export async function eoiStatus(eoi: string): Promise<string> {
  return withDatabase(
    async (db) =>
      (await db.query<{ status: string }>("select status from public.eois where id = $1", [eoi])).rows[0]!.status,
  );
}

export interface AuditRow {
  actor_id: string | null;
  action: string;
  from_state: string | null;
  to_state: string | null;
  reason: string | null;
  occurred_at: Date;
}

export async function auditEntries(entityId: string): Promise<AuditRow[]> {
  return withDatabase(
    async (db) =>
      (
        await db.query<AuditRow>(
          "select actor_id, action, from_state, to_state, reason, occurred_at from public.audit_log where entity_id = $1 order by id",
          [entityId],
        )
      ).rows,
  );
}

export const applicationContent = {
  governance: "A board with the ministry, two universities and the private sector.",
  resources: "Premises, a lab and eight staff funded by the host for five years.",
  partners: "Three universities, the national regulator, two incubators.",
  host_details: "Hosted by the national innovation agency in Nairobi.",
};

/** Writes `text` into every empty paragraph (table cells included): the template with every section answered. */
export function fillEmptyParagraphs(node: PlanNode, text = "Answered."): PlanNode {
  if (node.type === "paragraph" && !node.content?.length) return { ...node, content: [{ type: "text", text }] };
  return node.content ? { ...node, content: node.content.map((child) => fillEmptyParagraphs(child, text)) } : node;
}

/** The server's plan template for these capabilities (English labels, as the server writes them), every section filled. */
export async function completePlanContent(
  capabilities: string[],
  centreName = "Acceleration Centre",
): Promise<PlanNode> {
  const labels = await withDatabase(
    async (db) =>
      (
        await db.query<TemplateCapability>(
          "select code, label ->> 'en' as label from public.strategic_capabilities where code = any($1::text[]) order by position",
          [capabilities],
        )
      ).rows,
  );
  return fillEmptyParagraphs(buildPlanTemplate(centreName, labels));
}

/**
 * Fills an application's action plan (its JSON copy, which submission checks) as if its people had written every
 * required section; the plan is then loaded from this JSON when first opened.
 */
export async function fillPlan(application: string): Promise<void> {
  const capabilities = await withDatabase(
    async (db) =>
      (
        await db.query<{ capabilities: string[] }>(
          "select capabilities from public.centre_applications where id = $1",
          [application],
        )
      ).rows[0]!.capabilities,
  );
  const content = await completePlanContent(capabilities);
  await withDatabase((db) =>
    db.query("update public.action_plans set content = $2 where application_id = $1", [application, content]),
  );
}

/** A validated EoI turned into an application, driven through real transitions to `state`. */
export async function buildApplication(
  cast: Cast,
  state: "draft" | "submitted" | "bdt_review" | "board_review",
  ids?: { organisation: string; call?: string },
  options: { fillPlan?: boolean } = {},
) {
  const { eoi, organisation } = await buildEoiInState(cast, "validated", ids);
  const application = await rpc<string>(cast.reviewer.client, "invite_application", { eoi });
  const { error } = await cast.applicant.client
    .from("centre_applications")
    .update(applicationContent)
    .eq("id", application);
  if (error) throw new Error(`fill application: ${error.message}`);
  // Submission needs the plan's required sections; `fillPlan: false` leaves the plan empty (it starts from the
  // server's template when first opened).
  if (options.fillPlan !== false) await fillPlan(application);
  const plan = await withDatabase(
    async (db) =>
      (await db.query<{ id: string }>("select id from public.action_plans where application_id = $1", [application]))
        .rows[0]!.id,
  );
  if (state !== "draft") await rpc(cast.applicant.client, "submit_application", { application });
  if (state === "bdt_review" || state === "board_review")
    await rpc(cast.reviewer.client, "start_bdt_review", { application });
  if (state === "board_review") {
    await rpc(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "BDT recommends approval.",
      recommended_outcome: "approve",
    });
  }
  return { application, plan, organisation, eoi };
}

/** A Board review of one application in board review, opened by `chair`; returns the packet. */
export async function buildPacket(chair: TestUser, application: string, quorum = 1): Promise<string> {
  const review = await rpc<string>(chair.client, "open_board_review", {
    title: "Board review",
    closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    applications: [application],
    quorum,
  });
  return withDatabase(
    async (db) =>
      (await db.query<{ id: string }>("select id from public.board_packets where review_id = $1", [review])).rows[0]!
        .id,
  );
}

/**
 * A designated centre (issue 15, amendments): an application approved by the Board through real transitions.
 * `member` declares no conflict and votes; `chair` opens the review and records the decision.
 */
export async function buildDesignatedCentre(cast: Cast, chair: TestUser, member: TestUser) {
  const built = await buildApplication(cast, "board_review");
  const packet = await buildPacket(chair, built.application);
  await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(member.client, "cast_vote", { packet, choice: "approve", reason: "Ready." });
  const centre = await rpc<string>(chair.client, "record_decision", { packet, outcome: "approve" });
  return { ...built, centre, packet };
}

/** Rewrites the first KPI target of a plan document: a major change (issue 15). */
export function changeFirstKpiTarget(content: PlanNode, target: string): PlanNode {
  const copy = JSON.parse(JSON.stringify(content)) as PlanNode;
  const blocks = copy.content ?? [];
  const index = blocks.findIndex(
    (node, at) => node.type === "table" && blocks[at - 1]?.content?.[0]?.text === "Key performance indicators",
  );
  const cell = blocks[index]!.content![1]!.content![2]!;
  cell.content = [{ type: "paragraph", content: [{ type: "text", text: target }] }];
  return copy;
}

/** Rewrites the text under the first "Risks" heading: a minor change (issue 15). */
export function changeFirstRisk(content: PlanNode, risk: string): PlanNode {
  const copy = JSON.parse(JSON.stringify(content)) as PlanNode;
  const blocks = copy.content ?? [];
  const index = blocks.findIndex((node) => node.type === "heading" && node.content?.[0]?.text === "Risks");
  blocks[index + 1] = { type: "paragraph", content: [{ type: "text", text: risk }] };
  return copy;
}
