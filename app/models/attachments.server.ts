import { MAX_ATTACHMENT_BYTES, sniffFileType } from "~/lib/file-type";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import { checkRead } from "~/lib/db-read.server";

export async function uploadAttachment(supabase: SupabaseServerClient, eoi: string, file: File) {
  if (file.size === 0) return { error: "file_empty" };
  if (file.size > MAX_ATTACHMENT_BYTES) return { error: "file_too_large" };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = sniffFileType(bytes);
  if (!type) return { error: "file_type_not_allowed" };
  const result = await callRpc(supabase, "add_attachment", {
    eoi,
    file_name: file.name || "attachment",
    content_type: type,
    content_base64: Buffer.from(bytes).toString("base64"),
  });
  return { error: result.error?.code ?? null };
}

/** The HTTP status of a refused upload or removal: the reason travels in the body, the status says it was refused. */
export const attachmentErrorStatus = (code: string) => (code === "file_too_large" ? 413 : 400);

export const removeAttachment = (supabase: SupabaseServerClient, attachment: string) =>
  callRpc(supabase, "remove_attachment", { attachment });

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
