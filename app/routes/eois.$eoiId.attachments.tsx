import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireRoles } from "~/lib/session.server";
import { handleAttachmentAction } from "~/models/attachments.server";
import { notFound, parseParams } from "~/lib/form-data.server";

const params = z.object({ eoiId: z.uuid() });

/** Upload or removal of an EoI attachment (the same handler serves applications: attachments.server.ts). */
export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { eoiId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context, ["applicant"]);
  return handleAttachmentAction(request, supabase, { eoi: eoiId }, `/eois/${eoiId}/edit/attachments`);
}

export function loader() {
  throw notFound();
}
