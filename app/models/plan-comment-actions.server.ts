import { data, type AppLoadContext } from "@remix-run/node";
import type { SupabaseClient } from "@supabase/supabase-js";
import { z } from "zod";
import type { Database } from "~/lib/database.types";
import { dispatchIntent, parseIntentForm } from "~/lib/form-data.server";
import { formValues } from "~/lib/forms";
import { suggestionIdPattern } from "~/lib/plan-suggestions";
import { commentAnchor, commentAnchorMaxBytes } from "~/validation/rpc";
import { decidePlanSuggestions } from "./plan-suggestions.server";
import { addComment, removeComment, resolveComment } from "./plans.server";

const body = z.string().trim().min(1, "errors.required").max(10000, "errors.tooLong");
const anchorJson = z
  .string()
  .max(commentAnchorMaxBytes, "plan.errors.selectText")
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "plan.errors.selectText" });
      return z.NEVER;
    }
  })
  .pipe(commentAnchor);

const commentForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("comment"), body, anchor: anchorJson, quote: z.string().max(2000).optional() }),
  z.object({ intent: z.literal("reply"), body, parent: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("resolve"), comment: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("reopen"), comment: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("remove"), comment: z.coerce.number().int().positive() }),
  // Issue 18: accept or reject suggestions (one, or all of one author's), ids separated by spaces.
  z.object({
    intent: z.literal("suggestions"),
    decision: z.enum(["accept", "reject"]),
    ids: z
      .string()
      .trim()
      .transform((value) => [...new Set(value.split(/\s+/).filter(Boolean))])
      .pipe(z.array(z.string().regex(suggestionIdPattern, "errors.invalidChoice")).min(1, "errors.required").max(500)),
  }),
]);

/** The plan page's form posts: start a thread, reply, resolve, reopen, remove. Errors keep what was typed. */
export async function handleCommentAction(
  supabase: SupabaseClient<Database>,
  collab: AppLoadContext["collab"],
  planId: string,
  formData: FormData,
) {
  const parsed = parseIntentForm(commentForm, formData);
  if (!parsed.success)
    return data({ ok: false, formError: null, errors: parsed.fieldErrors, values: parsed.values }, 400);
  const result = await dispatchIntent(parsed.data, {
    comment: ({ body, anchor, quote }) => addComment(supabase, collab, { plan: planId, body, anchor, quote }),
    reply: ({ body, parent }) => addComment(supabase, collab, { plan: planId, body, parent }),
    resolve: ({ comment }) => resolveComment(supabase, collab, planId, comment, true),
    reopen: ({ comment }) => resolveComment(supabase, collab, planId, comment, false),
    remove: ({ comment }) => removeComment(supabase, collab, planId, comment),
    suggestions: ({ decision, ids }) => decidePlanSuggestions(supabase, collab, planId, decision, ids),
  });
  if (result.error) {
    return data(
      {
        ok: false,
        formError: { key: `dbErrors.${result.error.code}` },
        errors: result.error.fieldErrors ?? {},
        values: formValues(formData),
      },
      400,
    );
  }
  return data({ ok: true, formError: null, errors: {}, values: {} });
}
