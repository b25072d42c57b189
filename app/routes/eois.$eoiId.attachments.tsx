import {
  data,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
} from "@remix-run/node";
import { z } from "zod";
import { MAX_ATTACHMENT_BYTES } from "~/lib/file-type";
import { requireRoles } from "~/lib/session.server";
import { removeAttachment, uploadAttachment } from "~/models/attachments.server";

const params = z.object({ eoiId: z.uuid() });

/**
 * Upload (multipart, field `file`) or removal (`remove=<id>`) of an EoI attachment. Answers JSON to the page's
 * script (which shows upload progress) and redirects back when the form was posted without JavaScript.
 */
export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { eoiId } = params.parse(raw);
  const { supabase } = await requireRoles(request, context, ["applicant"]);
  const wantsJson = request.headers.get("accept")?.includes("application/json") ?? false;
  const back = (error: string | null) => {
    const target = new URL(request.headers.get("referer") ?? `/eois/${eoiId}/edit/attachments`, "http://local");
    target.searchParams.delete("uploadError");
    if (error) target.searchParams.set("uploadError", error);
    return wantsJson ? data({ error }, error ? 400 : 200) : redirect(`${target.pathname}${target.search}`);
  };
  let formData: FormData;
  try {
    formData = await unstable_parseMultipartFormData(
      request,
      // One byte over the limit is enough to know the file is too large; the rest is never buffered.
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_ATTACHMENT_BYTES + 1 }),
    );
  } catch {
    return back("file_too_large");
  }
  const remove = formData.get("remove");
  if (typeof remove === "string") {
    const result = await removeAttachment(supabase, remove);
    return back(result.error?.code ?? null);
  }
  const file = formData.get("file");
  if (!(file instanceof File)) return back("file_missing");
  const result = await uploadAttachment(supabase, eoiId, file);
  return back(result.error);
}

export async function loader() {
  throw new Response("Not found", { status: 404 });
}
