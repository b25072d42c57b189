import { z } from "zod";
import { applicationStatuses, voteChoices } from "~/lib/enums";
import { kpiProblems, type KpiProblem } from "~/lib/plan-kpis";
import { draftText as text } from "./draft-fields";

/**
 * Forms of the full centre application (issue 5). A draft may be incomplete: the database checks completeness when
 * the applicant submits (hint `incomplete`, the missing columns and plan sections in its detail). Messages are i18n keys.
 */

/** The columns the applicant may change (the database grants exactly these). */
export const applicationFields = ["centre_name", "governance", "resources", "partners", "host_details"] as const;
export type ApplicationField = (typeof applicationFields)[number];

export const applicationFormSchema = z.object({
  // centre_name is not null in the table: an emptied name is stored as "" and reported missing on submission.
  centre_name: z
    .string()
    .max(200, "errors.tooLong")
    .optional()
    .transform((value) => (value ?? "").trim()),
  governance: text(20000),
  resources: text(20000),
  partners: text(20000),
  host_details: text(20000),
});
export type ApplicationForm = z.infer<typeof applicationFormSchema>;

/** The columns `submit_application` names in its `incomplete` detail, kept to the ones this form shows. */
export function missingFields(detail: string | undefined): ApplicationField[] {
  const named = (detail ?? "").split(",").map((item) => item.trim());
  return applicationFields.filter((field) => named.includes(field));
}

export const planParts = ["section", "objectives", "activities", "kpis"] as const;
export type PlanPart = (typeof planParts)[number];
export interface MissingPlanPart {
  /** A strategic capability's code, or "general" for a plan without capabilities. */
  capability: string;
  part: PlanPart;
}

/** The plan sections `submit_application` names in its `incomplete` detail (`plan.<capability>.<part>`). */
export function missingPlanParts(detail: string | undefined): MissingPlanPart[] {
  return (detail ?? "").split(",").flatMap((item) => {
    const match = /^plan\.([a-z_]{1,64})\.([a-z]+)$/.exec(item.trim());
    const part = planParts.find((known) => known === match?.[2]);
    return match && part ? [{ capability: match[1]!, part }] : [];
  });
}

/** A KPI that does not type (issue 16), as `kpi.<capability>.<position>.<problem>` in a refusal's detail. */
export interface KpiProblemItem {
  capability: string;
  position: number;
  problem: KpiProblem;
}

/** The KPI problems a refusal names (`incomplete` on submission, `kpis_untyped` when a plan is frozen). */
export function kpiProblemItems(detail: string | undefined): KpiProblemItem[] {
  return (detail ?? "").split(",").flatMap((item) => {
    const match = /^kpi\.([a-z_]{1,64})\.([0-9]{1,4})\.([a-z_]+)$/.exec(item.trim());
    const problem = kpiProblems.find((known) => known === match?.[3]);
    return match && problem ? [{ capability: match[1]!, position: Number(match[2]), problem }] : [];
  });
}

export { voteChoices };
export type VoteChoice = (typeof voteChoices)[number];

export const bdtChecklistItems = ["complete", "governance", "resources", "plan", "partners"] as const;

/** BDT starts its review: the checklist (ticked boxes) and internal notes. */
export const startReviewSchema = z.object({
  internal_notes: text(20000),
});

export const sendToBoardSchema = z.object({
  recommendation: z.string().trim().min(1, "errors.required").max(20000, "errors.tooLong"),
  recommended_outcome: z.enum(voteChoices, "errors.invalidChoice"),
});

export { applicationStatuses };

/**
 * `/applications?status=...&reviewer=me`: an unknown value shows every application rather than failing. `reviewer=me`
 * keeps the applications whose BDT review the person started (the reviewer's home page links here, issue 17).
 */
export const applicationListSchema = z.object({
  status: z.enum(applicationStatuses).optional().catch(undefined),
  reviewer: z.literal("me").optional().catch(undefined),
});
export type ApplicationListFilters = z.infer<typeof applicationListSchema>;
