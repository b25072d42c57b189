import {
  MaxPartSizeExceededError,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";
import { z } from "zod";
import { MAX_ATTACHMENT_BYTES, sniffFileType } from "~/lib/file-type";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import { checkRead } from "~/lib/db-read.server";
import { notFound, readFormData } from "~/lib/form-data.server";

/** The record a file is attached to: an EoI or a centre application (issue 15). */
export type AttachmentTarget = { eoi: string } | { application: string };

/** One upload path for every record: size and type checked from the bytes here, and again by the database. */
export async function uploadAttachment(supabase: SupabaseServerClient, target: AttachmentTarget, file: File) {
  if (file.size === 0) return { error: "file_empty" };
  if (file.size > MAX_ATTACHMENT_BYTES) return { error: "file_too_large" };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = sniffFileType(bytes);
  if (!type) return { error: "file_type_not_allowed" };
  const content = {
    file_name: file.name || "attachment",
    content_type: type,
    content_base64: Buffer.from(bytes).toString("base64"),
  };
  const result =
    "eoi" in target
      ? await callRpc(supabase, "add_attachment", { eoi: target.eoi, ...content })
      : await callRpc(supabase, "add_application_attachment", { application: target.application, ...content });
  return { error: result.error?.code ?? null };
}

/** The HTTP status of a refused upload or removal: the reason travels in the body, the status says it was refused. */
export const attachmentErrorStatus = (code: string) => (code === "file_too_large" ? 413 : 400);

export const removeAttachment = (supabase: SupabaseServerClient, attachment: string) =>
  callRpc(supabase, "remove_attachment", { attachment });

/**
 * The action of an attachments route (EoI or application): upload (multipart, field `file`) or removal
 * (`remove=<id>`). Answers JSON to the page's script (which shows upload progress) and redirects back to `fallback`
 * (or the referring page) when the form was posted without JavaScript. A refused upload is a 4xx with the reason
 * (413 too large, 400 otherwise; 415 for a body that is no form), never a 200 (issue 11).
 */
export async function handleAttachmentAction(
  request: Request,
  supabase: SupabaseServerClient,
  target: AttachmentTarget,
  fallback: string,
) {
  const wantsJson = request.headers.get("accept")?.includes("application/json") ?? false;
  const back = (error: string | null) => {
    // A real Response: in a resource route, single fetch drops the status of `data()` and answered 200 (issue 11).
    if (wantsJson) return Response.json({ error }, { status: error ? attachmentErrorStatus(error) : 200 });
    const target = new URL(request.headers.get("referer") ?? fallback, "http://local");
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
    if (!z.uuid().safeParse(remove).success) throw notFound();
    const result = await removeAttachment(supabase, remove);
    return back(result.error?.code ?? null);
  }
  const file = formData.get("file");
  if (!(file instanceof File)) return back("file_missing");
  const result = await uploadAttachment(supabase, target, file);
  return back(result.error);
}

/** The attachments of an application (RLS: whoever may see the application). */
export async function listApplicationAttachments(supabase: SupabaseServerClient, application: string) {
  return (
    checkRead(
      "application attachments",
      await supabase
        .from("attachments")
        .select("id, file_name, content_type, size_bytes, created_at")
        .eq("application_id", application)
        .order("created_at"),
    ) ?? []
  );
}

/** The file if RLS lets the person read it; PostgREST sends bytea as `\x` followed by hex. */
export async function downloadAttachment(supabase: SupabaseServerClient, id: string) {
  const meta = checkRead(
    "attachment",
    await supabase.from("attachments").select("file_name, content_type").eq("id", id).maybeSingle(),
  );
  if (!meta) return null;
  const content = checkRead(
    "attachment content",
    await supabase.from("attachment_contents").select("content").eq("attachment_id", id).maybeSingle(),
  );
  if (!content) return null;
  return { ...meta, bytes: Buffer.from(String(content.content).replace(/^\\x/, ""), "hex") };
}
