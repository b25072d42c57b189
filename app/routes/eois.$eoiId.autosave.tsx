import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { parseParams, readFormData } from "~/lib/form-data.server";
import { requireRoles } from "~/lib/session.server";
import { saveEoiStep } from "~/models/eois.server";
import { eoiFormSteps } from "~/validation/eoi";

const params = z.object({ eoiId: z.uuid() });
const body = z.object({
  step: z.enum(eoiFormSteps),
  // Comma-separated field names: a partial save (what changed since the last acknowledged save); absent: all.
  fields: z
    .string()
    .max(2000)
    .optional()
    .transform((value) => (value ? value.split(",").filter(Boolean) : undefined)),
});

/**
 * The EoI form's autosave (issue 11): answers JSON so the page says "All changes saved" only once the server has
 * the latest value. The page also sends here with `keepalive` when it is hidden or closed.
 */
export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { eoiId } = parseParams(params, raw);
  const { supabase, headers } = await requireRoles(request, context, ["applicant"]);
  const formData = await readFormData(request);
  const fields = body.safeParse({ step: formData.get("step"), fields: formData.get("_fields") ?? undefined });
  if (!fields.success) return Response.json({ error: "bad_request" }, { status: 400, headers });
  const result = await saveEoiStep(supabase, eoiId, fields.data.step, formData, fields.data.fields);
  const status = result.error ? 409 : Object.keys(result.fieldErrors).length > 0 ? 400 : 200;
  return Response.json(result, { status, headers });
}
