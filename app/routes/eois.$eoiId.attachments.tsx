import {
  MaxPartSizeExceededError,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
} from "@remix-run/node";
import { z } from "zod";
import { MAX_ATTACHMENT_BYTES } from "~/lib/file-type";
import { requireRoles } from "~/lib/session.server";
import { attachmentErrorStatus, removeAttachment, uploadAttachment } from "~/models/attachments.server";
import { parseParams, readFormData } from "~/lib/form-data.server";

const params = z.object({ eoiId: z.uuid() });

/**
 * Upload (multipart, field `file`) or removal (`remove=<id>`) of an EoI attachment. Answers JSON to the page's
 * script (which shows upload progress) and redirects back when the form was posted without JavaScript.
 * A refused upload is a 4xx with the reason (413 too large, 400 otherwise; 415 for a body that is no form), never a 200 (issue 11).
 */
export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { eoiId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context, ["applicant"]);
  const wantsJson = request.headers.get("accept")?.includes("application/json") ?? false;
  const back = (error: string | null) => {
    // A real Response: in a resource route, single fetch drops the status of `data()` and answered 200 (issue 11).
    if (wantsJson) return Response.json({ error }, { status: error ? attachmentErrorStatus(error) : 200 });
    const target = new URL(request.headers.get("referer") ?? `/eois/${eoiId}/edit/attachments`, "http://local");
    target.searchParams.delete("uploadError");
    if (error) target.searchParams.set("uploadError", error);
    return redirect(`${target.pathname}${target.search}`);
  };
  let formData: FormData;
  if (!request.headers.get("content-type")?.toLowerCase().startsWith("multipart/form-data")) {
    formData = await readFormData(request);
  } else {
    try {
      formData = await unstable_parseMultipartFormData(
        request,
        // One byte over the limit is enough to know the file is too large; the rest is never buffered.
        unstable_createMemoryUploadHandler({ maxPartSize: MAX_ATTACHMENT_BYTES + 1 }),
      );
    } catch (error) {
      if (error instanceof MaxPartSizeExceededError) return back("file_too_large");
      throw new Response("Bad request: the form could not be read", { status: 400 });
    }
    // Our forms always send a part (an empty file input too); none at all is a body whose boundary never matched.
    if ([...formData.keys()].length === 0)
      throw new Response("Bad request: the form could not be read", { status: 400 });
  }
  const remove = formData.get("remove");
  if (typeof remove === "string") {
    if (!z.uuid().safeParse(remove).success) throw new Response("Not found", { status: 404 });
    const result = await removeAttachment(supabase, remove);
    return back(result.error?.code ?? null);
  }
  const file = formData.get("file");
  if (!(file instanceof File)) return back("file_missing");
  const result = await uploadAttachment(supabase, eoiId, file);
  return back(result.error);
}

export function loader() {
  throw new Response("Not found", { status: 404 });
}
