import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireRoles } from "~/lib/session.server";
import { handleAttachmentAction } from "~/models/attachments.server";
import { notFound, parseParams } from "~/lib/form-data.server";

const params = z.object({ applicationId: z.uuid() });

/** Upload or removal of an application's attachment (letters of support, host agreement), checked as EoI uploads are. */
export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { applicationId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context, ["applicant"]);
  return handleAttachmentAction(
    request,
    supabase,
    { application: applicationId },
    `/applications/${applicationId}#attachments-title`,
  );
}

export function loader() {
  throw notFound();
}
