import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRoles } from "~/lib/session.server";
import { countValidationQueue, exportValidationQueue } from "~/models/validation.server";
import { parseQueueFilters } from "~/validation/queue";

/** A cell safe for spreadsheets: quoted, and never starting with a formula character (CSV injection). */
function csvCell(value: unknown): string {
  let text =
    value == null
      ? ""
      : typeof value === "string"
        ? value
        : typeof value === "number" || typeof value === "boolean"
          ? String(value)
          : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/** The queue exactly as filtered on screen, streamed as CSV a thousand rows at a time. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user } = await requireRoles(request, context, ["reviewer", "coordinator"]);
  const filters = parseQueueFilters(new URL(request.url));
  const total = await countValidationQueue(supabase, filters, user.id);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(
        encoder.encode(
          [
            "id",
            "centre",
            "institution",
            "country",
            "region",
            "status",
            "submitted_at",
            "centre_type",
            "capabilities",
            "call",
          ].join(",") + "\n",
        ),
      );
      for await (const rows of exportValidationQueue(supabase, filters, user.id)) {
        const lines = rows.map((row) =>
          [
            row.id,
            row.centre_name,
            row.organisation.name,
            row.organisation.country_code,
            row.organisation.country?.region_code,
            row.status,
            row.submitted_at,
            row.proposed_centre_type,
            row.capabilities.join(" "),
            row.call?.title,
          ]
            .map(csvCell)
            .join(","),
        );
        if (lines.length) controller.enqueue(encoder.encode(lines.join("\n") + "\n"));
      }
      controller.close();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="validation-queue.csv"',
      "x-total-count": String(total),
      "cache-control": "private, no-store",
    },
  });
}
