import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireUser } from "~/lib/session.server";
import { downloadAttachment } from "~/models/attachments.server";
import { notFound, parseParams } from "~/lib/form-data.server";

const params = z.object({ attachmentId: z.uuid() });

/** Downloads go through RLS like every read: whoever may not see the record gets a 404. */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { attachmentId } = parseParams(params, raw);
  const { supabase } = await requireUser(request, context);
  const file = await downloadAttachment(supabase, attachmentId);
  if (!file) throw notFound();
  const asciiName = file.file_name.replace(/[^\w.-]+/g, "_");
  return new Response(file.bytes, {
    headers: {
      "content-type": file.content_type,
      "content-disposition": `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(file.file_name)}`,
      "x-content-type-options": "nosniff",
      "cache-control": "private, no-store",
    },
  });
}
