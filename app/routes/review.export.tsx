import type { LoaderFunctionArgs } from "@remix-run/node";
import { getFixedT } from "~/i18n/language.server";
import { csvHeader, csvRecords } from "~/lib/csv.server";
import { formatUtcIso } from "~/lib/datetime";
import { requireRoles } from "~/lib/session.server";
import { countValidationQueue, exportValidationQueue } from "~/models/validation.server";
import { parseQueueFilters } from "~/validation/queue";

const columns = [
  "id",
  "centre",
  "institution",
  "country",
  "region",
  "status",
  "submittedAt",
  "centreType",
  "capabilities",
  "call",
] as const;

/** The queue exactly as filtered on screen, streamed as CSV a thousand rows at a time. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user } = await requireRoles(request, context, ["reviewer", "coordinator"]);
  const filters = parseQueueFilters(new URL(request.url));
  const t = await getFixedT(request);
  const total = await countValidationQueue(supabase, filters, user.id);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(csvHeader(columns.map((column) => t(`review.exportColumns.${column}`)))));
      for await (const rows of exportValidationQueue(supabase, filters, user.id)) {
        const records = rows.map((row) => [
          row.id,
          row.centre_name,
          row.organisation.name,
          row.organisation.country_code,
          row.organisation.country?.region_code,
          row.status,
          formatUtcIso(row.submitted_at),
          row.proposed_centre_type,
          row.capabilities.join(" "),
          row.call?.title,
        ]);
        if (records.length) controller.enqueue(encoder.encode(csvRecords(records)));
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
