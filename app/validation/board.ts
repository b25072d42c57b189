import { z } from "zod";
import { asList } from "~/lib/forms";
import { utcDateTimeInput, utcInputToIso } from "~/validation/eoi";
import { voteChoices } from "~/validation/applications";

/** Checkboxes: absent means none ticked, one ticked arrives as a string. */
const ticked = z.preprocess(asList, z.array(z.uuid()).max(100));

/** The chair opens a review; closing time entered in UTC (the label says so), quorum blank = the default majority. */
export const openReviewSchema = z.object({
  title: z.string().trim().min(3, "errors.required").max(200, "errors.tooLong"),
  closes_at: utcDateTimeInput
    .transform(utcInputToIso)
    .refine((iso) => new Date(iso).getTime() > Date.now(), "board.closesInPast"),
  applications: ticked.pipe(z.array(z.uuid()).min(1, "board.chooseApplication")),
  quorum: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? Number(value) : undefined))
    .pipe(
      z
        .number("board.quorumInvalid")
        .int("board.quorumInvalid")
        .min(1, "board.quorumInvalid")
        .max(1000, "board.quorumInvalid")
        .optional(),
    ),
  allow_plan_editing: z
    .literal("1")
    .optional()
    .transform((value) => value === "1"),
});

export const declarationSchema = z
  .object({
    has_conflict: z.enum(["no", "yes"], "board.declareChoose"),
    reason: z.string().trim().max(5000, "errors.tooLong").optional(),
  })
  .refine((value) => value.has_conflict === "no" || Boolean(value.reason), {
    path: ["reason"],
    message: "board.conflictReasonRequired",
  });

export const voteSchema = z.object({
  choice: z.enum(voteChoices, "board.voteChoose"),
  reason: z.string().trim().min(1, "board.voteReasonRequired").max(5000, "errors.tooLong"),
});

export const commentSchema = z.object({
  body: z.string().trim().min(1, "errors.required").max(10000, "errors.tooLong"),
});

export const decisionSchema = z
  .object({
    outcome: z.enum(voteChoices, "board.decisionChoose"),
    conditions: z.string().trim().max(20000, "errors.tooLong").optional(),
    conditions_closed_by_bdt: z.literal("yes").optional(),
  })
  // The applicant reads the Board's reasons for the changes it requests (issue 15).
  .refine((value) => value.outcome !== "request_changes" || Boolean(value.conditions), {
    path: ["conditions"],
    message: "revision.reasonsRequired",
  });

/** The most conditions one decision records (the database allows 20). */
export const MAX_CONDITIONS = 20;

/**
 * The condition rows of the chair's decision form (issue 15): `condition_text_<n>`, `condition_due_<n>` and
 * `condition_quote_<n>` for n = 0..19; a row left entirely empty is skipped. Each kept row needs a text and a due date.
 */
export function parseConditionRows(formData: FormData) {
  const rows: { text: string; due_on: string; quote?: string }[] = [];
  const errors: Record<string, { key: string }> = {};
  for (let n = 0; n < MAX_CONDITIONS; n += 1) {
    const value = (name: string) => {
      const raw = formData.get(`${name}_${n}`);
      return typeof raw === "string" ? raw.trim() : "";
    };
    const text = value("condition_text");
    const due = value("condition_due");
    const quote = value("condition_quote");
    if (!text && !due && !quote) continue;
    if (!text) errors[`condition_text_${n}`] = { key: "errors.required" };
    else if (text.length > 5000) errors[`condition_text_${n}`] = { key: "errors.tooLong" };
    if (!z.iso.date().safeParse(due).success) errors[`condition_due_${n}`] = { key: "errors.dateInvalid" };
    if (quote.length > 2000) errors[`condition_quote_${n}`] = { key: "errors.tooLong" };
    rows.push({ text, due_on: due, ...(quote ? { quote } : {}) });
  }
  return { rows, errors };
}
