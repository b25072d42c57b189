import { z } from "zod";

/** Forms of amendments to an approved plan (issue 15). Messages are i18n keys. */

export const amendmentDecisions = ["approve", "send_to_board", "request_changes", "reject"] as const;
export type AmendmentDecision = (typeof amendmentDecisions)[number];

const reason = z.string().trim().min(1, "amendments.reasonRequired").max(5000, "errors.tooLong");

export const proposeAmendmentForm = z.object({ intent: z.literal("propose"), reason });

export const amendmentForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("submit") }),
  z.object({ intent: z.literal("withdraw") }),
  z.object({
    intent: z.literal("decide"),
    decision: z.enum(amendmentDecisions, "amendments.decisionChoose"),
    reason,
  }),
]);
