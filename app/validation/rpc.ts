import { z } from "zod";
import type { Database, RpcArgs } from "~/lib/database.types";
import {
  appRoles,
  centreScopes,
  notificationCategories,
  notificationDeliveries,
  organisationKinds,
  voteChoices,
} from "~/lib/enums";
import { planLanguageSchema } from "~/validation/plan-language";

/**
 * The payload of every RPC, validated before it is sent. `satisfies` ties each schema to the generated database
 * types: renaming or retyping a function argument in a migration breaks the typecheck here.
 */
type Functions = Database["public"]["Functions"];
type Schemas = { [K in keyof Functions]: z.ZodType<RpcArgs<K>> };

const id = z.uuid();
const reason = z.string().trim().min(1, "errors.required").max(20000, "errors.tooLong");
const optionalReason = z.string().max(20000, "errors.tooLong").optional();
const code = z.string().min(1).max(100);
const timestamp = z.iso.datetime({ offset: true });
const centreScope = z.enum(centreScopes);
const appRole = z.enum(appRoles);
const voteChoice = z.enum(voteChoices);
/** How many revision cycles a call allows (issue 15): the database accepts 0 to 10. */
const revisionCap = z.number().int().min(0).max(10);

/**
 * A comment anchor exactly as the editor writes it (and as `add_plan_comment` checks it): {from, to}, each a Yjs
 * relative position from Y.relativePositionToJSON, with exactly one of `type` (an ID) or `tname` (the plan's root
 * fragment), an optional `item` ID and `assoc`. Unknown keys are refused, not stripped.
 */
const yjsId = z.strictObject({
  client: z.number().int().min(0).max(4294967295),
  clock: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
const relativePosition = z
  .strictObject({
    type: yjsId.optional(),
    tname: z.literal("default").optional(),
    item: yjsId.optional(),
    assoc: z.number().int().min(-2147483648).max(2147483647).optional(),
  })
  .refine((position) => (position.type === undefined) !== (position.tname === undefined), "plan.errors.selectText");
export const commentAnchor = z.strictObject({ from: relativePosition, to: relativePosition });
/** The largest anchor (JSON text) the database accepts; the editor's are about 200 bytes. */
export const commentAnchorMaxBytes = 1024;
/** A file as every upload sends it: the type read from its bytes, the content in base64 (10 MB at most). */
const attachmentFile = {
  file_name: z.string().trim().min(1).max(255),
  content_type: z.enum(["application/pdf", "image/png", "image/jpeg"]),
  content_base64: z.string().min(4).max(14_000_000),
};
/** How many EoIs awaiting BDT one reviewer may hold after automatic assignment (issue 17). */
export const autoAssignCap = z.number().int().min(1, "errors.invalidChoice").max(500, "errors.invalidChoice");
/** The fingerprint of a previewed automatic assignment plan: the md5 (hex) of its ordered pairs, computed in SQL. */
export const autoAssignFingerprint = z.string().regex(/^[0-9a-f]{32}$/, "errors.invalidChoice");
/** The pipeline's filters (issue 17): a call, an ITU region, a centre type, each optional. */
const dashboardFilters = z.object({ call: id.optional(), region: code.optional(), centre_type: code.optional() });
/**
 * One condition of an "approve with conditions" decision (issue 15), as `record_decision` checks it: the text, the due
 * date (YYYY-MM-DD), and optionally the exact passage of the approved plan it concerns, with its character offset.
 */
export const conditionItem = z.strictObject({
  text: z.string().trim().min(1, "errors.required").max(5000, "errors.tooLong"),
  due_on: z.iso.date("errors.dateInvalid"),
  quote: z.string().min(1).max(2000, "errors.tooLong").optional(),
  from: z.number().int().min(0).max(100_000_000).optional(),
});
const commentBody = z.string().trim().min(1, "errors.required").max(10000, "errors.tooLong");

/**
 * One field a writer changed in a progress report (issue 16), with the value they started from: the database refuses
 * the save if somebody else changed the same field meanwhile.
 */
const reportValue = z.string().max(20000, "errors.tooLong").nullable();
const reportChange = z.union([
  z.strictObject({
    field: z.enum(["actual", "status"]),
    kpi: z.string().min(1).max(200),
    from: reportValue,
    to: reportValue,
  }),
  z.strictObject({
    field: z.literal("narrative"),
    capability: z.string().min(1).max(100),
    from: reportValue,
    to: reportValue,
  }),
]);

export const rpcSchemas = {
  my_roles: z.object({}).strict(),
  staff_reviewers: z.object({}).strict(),
  my_plan_access: z.object({ plan: id }),
  create_organisation: z.object({
    name: z.string().trim().min(2, "errors.required").max(200, "errors.tooLong"),
    kind: z.enum(organisationKinds),
    country_code: z.string().length(2),
    website: z.url().max(500).optional(),
    contact_email: z.email().max(254).optional(),
  }),
  update_organisation: z.object({
    organisation: id,
    name: z.string().trim().min(2, "errors.required").max(200, "errors.tooLong"),
    kind: z.enum(organisationKinds),
    country_code: z.string().length(2),
    website: z.url().max(500).optional(),
    contact_email: z.email().max(254).optional(),
  }),
  add_organisation_member: z.object({ organisation: id, member: id }),
  invite_colleague: z.object({
    organisation: id,
    email: z.string().trim().max(254, "errors.tooLong").pipe(z.email("errors.email")),
  }),
  grant_role: z.object({ person: id, role: appRole, reason: optionalReason }),
  revoke_role: z.object({ person: id, role: appRole, reason: optionalReason }),
  set_account_active: z.object({ person: id, active: z.boolean(), reason: optionalReason }),
  people_directory: z.object({}).strict(),
  people_directory_page: z.object({
    search: z.string().max(200).optional(),
    role: appRole.optional(),
    page_size: z.number().int().min(1).max(200).optional(),
    page_offset: z.number().int().min(0).optional(),
  }),
  create_call: z.object({
    title: z.string().trim().min(3, "errors.required").max(200, "errors.tooLong"),
    description: z.string().max(20000, "errors.tooLong").optional(),
    opens_at: timestamp,
    closes_at: timestamp,
    allowed_centre_types: z.array(code).max(20).optional(),
    max_revision_cycles: revisionCap.optional(),
  }),
  update_call: z.object({
    call: id,
    title: z.string().trim().min(3, "errors.required").max(200, "errors.tooLong"),
    description: z.string().max(20000, "errors.tooLong").optional(),
    opens_at: timestamp,
    closes_at: timestamp,
    allowed_centre_types: z.array(code).max(20).optional(),
    max_revision_cycles: revisionCap.optional(),
  }),
  open_call: z.object({ call: id }),
  close_call: z.object({ call: id, reason: optionalReason }),
  extend_call_deadline: z.object({
    call: id,
    new_closes_at: timestamp,
    organisation: id.optional(),
    reason: optionalReason,
  }),
  create_eoi: z.object({ call: id, organisation: id }),
  submit_eoi: z.object({ eoi: id }),
  withdraw_eoi: z.object({ eoi: id, reason: optionalReason }),
  assign_eois: z.object({ eoi_ids: z.array(id).min(1).max(1000), reviewer: id }),
  start_validation: z.object({ eoi: id }),
  request_clarification: z.object({ eoi: id, question: reason }),
  resubmit_eoi: z.object({ eoi: id, answer: reason }),
  validate_eoi: z.object({
    eoi: id,
    recommended_centre_type: code,
    recommended_scope: centreScope,
    recommended_capabilities: z.array(code).min(1),
    reasons: reason,
    checklist: z.record(z.string(), z.boolean()).optional(),
    notes_to_applicant: optionalReason,
  }),
  decline_eoi: z.object({
    eoi: id,
    reasons: reason,
    checklist: z.record(z.string(), z.boolean()).optional(),
    notes_to_applicant: optionalReason,
  }),
  add_attachment: z.object({ eoi: id, ...attachmentFile }),
  add_application_attachment: z.object({ application: id, ...attachmentFile }),
  remove_attachment: z.object({ attachment: id }),
  invite_application: z.object({ eoi: id }),
  set_plan_language: z.object({ application: id, language: planLanguageSchema }),
  centre_plan_language: z.object({ centre: id }),
  submit_application: z.object({ application: id }),
  start_bdt_review: z.object({
    application: id,
    checklist: z.record(z.string(), z.boolean()).optional(),
    internal_notes: optionalReason,
  }),
  send_to_board: z.object({ application: id, recommendation: reason, recommended_outcome: voteChoice }),
  save_plan_version: z.object({
    plan: id,
    name: z.string().trim().min(1, "errors.required").max(200, "errors.tooLong"),
  }),
  open_board_review: z.object({
    title: z.string().trim().min(3, "errors.required").max(200, "errors.tooLong"),
    closes_at: timestamp,
    applications: z.array(id).min(1).max(100),
    quorum: z.number().int().positive().optional(),
    allow_plan_editing: z.boolean().optional(),
  }),
  declare_conflict: z.object({ packet: id, has_conflict: z.boolean(), reason: optionalReason }),
  cast_vote: z.object({ packet: id, choice: voteChoice, reason }),
  close_board_review: z.object({ review: id }),
  packet_quorum_status: z.object({ packet: id }),
  record_decision: z.object({
    packet: id,
    outcome: voteChoice,
    conditions: optionalReason,
    condition_items: z.array(conditionItem).min(1).max(20).optional(),
    conditions_closed_by_bdt: z.boolean().optional(),
  }),
  respond_to_condition: z.object({
    condition: id,
    body: reason,
    files: z.array(z.strictObject(attachmentFile)).max(5).optional(),
    amendment: id.optional(),
  }),
  review_condition: z.object({ condition: id, met: z.boolean(), reason }),
  close_condition: z.object({ condition: id, reason: optionalReason }),
  list_centre_condition_counts: z.object({}).strict(),
  get_packet_revision: z.object({ packet: id }),
  list_board_agenda: z.object({}).strict(),
  list_board_people: z.object({}).strict(),
  list_directory_centres: z.object({}).strict(),
  get_centre_plan: z.object({ centre: id }),
  add_plan_comment: z.object({
    plan: id,
    body: commentBody,
    anchor: commentAnchor.optional(),
    quote: z.string().max(2000).optional(),
    parent: z.number().int().positive().optional(),
  }),
  resolve_plan_comment: z.object({ comment: z.number().int().positive(), resolved: z.boolean() }),
  remove_plan_comment: z.object({ comment: z.number().int().positive(), reason: optionalReason }),
  restore_plan_version: z.object({ version: id }),
  plan_people: z.object({ plan: id }),
  eoi_people: z.object({ eoi: id }),
  set_reviewer_regions: z.object({ person: id, regions: z.array(code).max(10) }),
  preview_auto_assignment: z.object({ cap: autoAssignCap, call: id.optional() }),
  auto_assignment_preview: z.object({
    cap: autoAssignCap,
    call: id.optional(),
    page: z.number().int().min(1).max(100_000).optional(),
    page_size: z.number().int().min(1).max(200).optional(),
  }),
  apply_auto_assignment: z.object({ cap: autoAssignCap, fingerprint: autoAssignFingerprint, call: id.optional() }),
  reviewer_workload: z.object({ overdue_days: z.number().int().min(0).max(3650).optional() }),
  dashboard_pipeline: dashboardFilters.extend({ overdue_days: z.number().int().min(0).max(3650).optional() }),
  dashboard_state_durations: dashboardFilters,
  dashboard_submissions: dashboardFilters,
  dashboard_portfolio: z.object({ review: id.optional() }),
  propose_amendment: z.object({
    centre: id,
    reason: z.string().trim().min(1, "errors.required").max(5000, "errors.tooLong"),
  }),
  submit_amendment: z.object({ amendment: id }),
  decide_amendment: z.object({
    amendment: id,
    decision: z.enum(["approve", "send_to_board", "request_changes", "reject"]),
    reason: z.string().trim().min(1, "errors.required").max(5000, "errors.tooLong"),
  }),
  withdraw_amendment: z.object({ amendment: id }),
  list_amendment_agenda: z.object({}).strict(),
  get_centre_baseline: z.object({ centre: id, version: id }),
  record_amendment_decision: z.object({ packet: id, outcome: voteChoice, reasons: optionalReason }),
  record_suggestion_decision: z.object({
    plan: id,
    decision: z.enum(["accept", "reject"]),
    suggestions: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{6,40}$/))
      .min(1)
      .max(500),
  }),
  set_my_time_zone: z.object({ zone: z.string().min(1).max(64) }),
  set_notification_preference: z.object({
    category: z.enum(notificationCategories),
    delivery: z.enum(notificationDeliveries),
  }),
  mentionable_people: z.union([z.strictObject({ plan: id }), z.strictObject({ packet: id })]),
  reset_calendar_feed: z.object({}).strict(),
  calendar_feed_deadlines: z.object({ token: z.string().regex(/^[0-9a-f]{64}$/) }),
  // Issue 16: reporting periods and progress reports.
  open_reporting_period: z.object({
    name: z.string().trim().min(1, "errors.required").max(200, "errors.tooLong"),
    covers_from: z.iso.date(),
    covers_to: z.iso.date(),
    due_on: z.iso.date(),
  }),
  save_progress_report: z.object({ report: id, changes: z.array(reportChange).max(500) }),
  submit_progress_report: z.object({ report: id }),
  review_progress_report: z.object({ report: id, accept: z.boolean(), reason: optionalReason }),
  add_report_evidence: z.object({ report: id, ...attachmentFile }),
  remove_report_evidence: z.object({ attachment: id }),
  list_network_progress: z.object({}).strict(),
  public_centre_progress: z.object({ centre: id }),
} satisfies Schemas;

export type RpcName = keyof typeof rpcSchemas;
