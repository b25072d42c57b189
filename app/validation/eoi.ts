import { z } from "zod";
import { asList } from "~/lib/forms";
import { centreScopes, organisationKinds, requestKinds } from "~/lib/enums";
import { draftText as text } from "./draft-fields";

/**
 * One schema per step of the EoI form. A draft may be incomplete (every field optional here); completeness is
 * checked by the database when the applicant submits. Messages are i18n keys.
 */

/** Checkboxes: absent means none ticked, one ticked arrives as a string. */
const codes = (allowed?: readonly string[]) =>
  z.preprocess(
    asList,
    z.array(allowed ? z.enum(allowed as [string, ...string[]], "errors.invalidChoice") : z.string().max(100)).max(20),
  );

const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), z.enum(values, "errors.invalidChoice").optional());

export const eoiSteps = ["contact", "proposal", "narrative", "resources", "attachments", "review"] as const;
export type EoiStep = (typeof eoiSteps)[number];
/** The steps with fields to save. */
export const eoiFormSteps = ["contact", "proposal", "narrative", "resources"] as const;
export type EoiFormStep = (typeof eoiFormSteps)[number];

/** Character limits, shared by the schemas and the live counts on the form. */
export const eoiLimits = {
  contact_name: 200,
  contact_email: 254,
  centre_name: 200,
  alignment: 20000,
  motivation: 20000,
  ecosystem: 20000,
  resources: 20000,
  governance: 20000,
} as const;

export const capabilityCodes = [
  "future_readiness",
  "open_technology_innovation",
  "entrepreneurship_sme_growth",
  "policy_experimentation",
  "ecosystem_initiative_acceleration",
] as const;
export const centreTypeCodes = [
  "technology_accelerator",
  "advanced_research_entrepreneurship",
  "innovation_digital_transformation",
  "initiative_accelerator",
] as const;

export const eoiStepSchemas = {
  contact: z.object({
    contact_name: text(eoiLimits.contact_name),
    contact_email: z
      .string()
      .max(eoiLimits.contact_email, "errors.tooLong")
      .transform((value) => value.trim())
      .refine((value) => value === "" || z.email().safeParse(value).success, "errors.email")
      .transform((value) => (value === "" ? null : value)),
  }),
  proposal: z.object({
    centre_name: text(eoiLimits.centre_name),
    request_kind: optionalEnum(requestKinds),
    proposed_centre_type: optionalEnum(centreTypeCodes),
    proposed_scope: optionalEnum(centreScopes),
    capabilities: codes(capabilityCodes),
    regional_initiatives: codes(["AFR4", "AMS3", "ARB4", "ASP4", "CIS3", "CIS5", "EUR5"]),
    kigali_priorities: codes([
      "affordable_connectivity",
      "digital_transformation",
      "enabling_policy_regulation",
      "resource_mobilisation_cooperation",
      "inclusive_secure_ict",
    ]),
    alignment: text(eoiLimits.alignment),
  }),
  narrative: z.object({ motivation: text(eoiLimits.motivation), ecosystem: text(eoiLimits.ecosystem) }),
  resources: z.object({ resources: text(eoiLimits.resources), governance: text(eoiLimits.governance) }),
} as const;

/** Which step holds each field the database may name as missing at submission. */
export const stepOfField: Record<string, EoiStep> = {
  contact_name: "contact",
  contact_email: "contact",
  centre_name: "proposal",
  request_kind: "proposal",
  proposed_centre_type: "proposal",
  proposed_scope: "proposal",
  capabilities: "proposal",
  motivation: "narrative",
};

/**
 * A date and time typed in UTC (`YYYY-MM-DDTHH:MM`, as `<input type="datetime-local">` sends it). The shape is not
 * enough: `2026-13-45T99:99` or year 0000 must be a field error, not a RangeError later (issue 11).
 */
export function isRealUtcInput(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  if (year < 1970) return false;
  const date = new Date(`${value}:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 16) === value;
}

export const utcDateTimeInput = z
  .string("errors.dateTime")
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "errors.dateTime")
  .refine(isRealUtcInput, "errors.dateInvalid");

export const callFormSchema = z
  .object({
    title: z.string().trim().min(3, "errors.required").max(200, "errors.tooLong"),
    description: z.string().trim().max(20000, "errors.tooLong"),
    opens_at: utcDateTimeInput,
    closes_at: utcDateTimeInput,
    allowed_centre_types: codes(centreTypeCodes),
    // Blank keeps the default of two cycles (issue 15).
    max_revision_cycles: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value ? Number(value) : 2))
      .pipe(
        z
          .number("calls.revisionCapInvalid")
          .int("calls.revisionCapInvalid")
          .min(0, "calls.revisionCapInvalid")
          .max(10, "calls.revisionCapInvalid"),
      ),
  })
  .refine((value) => value.closes_at > value.opens_at, { message: "errors.closesBeforeOpens", path: ["closes_at"] });

export const extendDeadlineSchema = z.object({
  closes_at: utcDateTimeInput,
  organisation: z.preprocess((value) => (value === "" ? undefined : value), z.uuid().optional()),
  reason: z.string().trim().max(2000, "errors.tooLong").optional(),
});

export const organisationFormSchema = z.object({
  name: z.string().trim().min(2, "errors.required").max(200, "errors.tooLong"),
  kind: z.enum(organisationKinds, "errors.invalidChoice"),
  country_code: z.string().regex(/^[A-Z]{2}$/, "errors.invalidChoice"),
  website: z
    .string()
    .trim()
    .max(500, "errors.tooLong")
    .refine((value) => value === "" || /^https?:\/\/\S+\.\S+/.test(value), "errors.url")
    .optional(),
  contact_email: z
    .string()
    .trim()
    .max(254, "errors.tooLong")
    .refine((value) => value === "" || z.email().safeParse(value).success, "errors.email")
    .optional(),
  redirectTo: z.string().max(2000).optional(),
});

/** UTC inputs (labelled as such in the form) to ISO timestamps. */
export const utcInputToIso = (value: string) => new Date(`${value}:00Z`).toISOString();
export const isoToUtcInput = (value: string) => new Date(value).toISOString().slice(0, 16);
