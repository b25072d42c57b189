import { data, type AppLoadContext } from "@remix-run/node";
import type { SupabaseClient } from "@supabase/supabase-js";
import { z } from "zod";
import type { Database } from "~/lib/database.types";
import { formValues, parseForm } from "~/lib/forms";
import { commentAnchor, commentAnchorMaxBytes } from "~/validation/rpc";
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
]);

/** The plan page's form posts: start a thread, reply, resolve, reopen, remove. Errors keep what was typed. */
export async function handleCommentAction(
  supabase: SupabaseClient<Database>,
  collab: AppLoadContext["collab"],
  planId: string,
  formData: FormData,
) {
  const parsed = parseForm(commentForm, formData);
  if (!parsed.success)
    return data({ ok: false, formError: null, errors: parsed.fieldErrors, values: parsed.values }, 400);
  const form = parsed.data;
  const result =
    form.intent === "comment"
      ? await addComment(supabase, collab, { plan: planId, body: form.body, anchor: form.anchor, quote: form.quote })
      : form.intent === "reply"
        ? await addComment(supabase, collab, { plan: planId, body: form.body, parent: form.parent })
        : form.intent === "remove"
          ? await removeComment(supabase, collab, planId, form.comment)
          : await resolveComment(supabase, collab, planId, form.comment, form.intent === "resolve");
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
