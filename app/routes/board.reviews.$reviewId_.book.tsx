import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getFixedT, detectLanguage } from "~/i18n/language.server";
import { boardBookPdf, boardBookProgress, loadBookReview } from "~/lib/board-book-response.server";
import { timeZoneFromCookie } from "~/lib/time-zone.server";
import { requireRoles } from "~/lib/session.server";
import { loadReferenceData } from "~/models/reference.server";

const params = z.object({ reviewId: z.uuid() });
const query = z.object({ progress: z.literal("1").optional() });

/**
 * The Board book of a review (issue 17): the PDF, or (`?progress=1`, from the review page's download button) the same
 * book streamed after progress lines. Refusals are plain text in the reader's language: 404 for an unknown or hidden
 * review, 403 for anyone not on the Board.
 */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const t = await getFixedT(request);
  const refuse = (status: number, key: string) =>
    new Response(t(key), { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const parsed = params.safeParse(raw);
  const options = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success || !options.success) throw refuse(404, "book.notFound");
  const session = await requireRoles(request, context);
  if (!session.roles.some((role) => role === "board_member" || role === "board_chair"))
    throw refuse(403, "book.forbidden");
  const review = await loadBookReview(session.supabase, parsed.data.reviewId);
  if (!review) throw refuse(404, "book.notFound");
  const language = await detectLanguage(request);
  const book = {
    supabase: session.supabase,
    userId: session.user.id,
    fallbackName: session.user.email ?? "",
    review,
    labels: {
      t: (key: string, values?: Record<string, unknown>) => t(key, values ?? {}),
      language,
      timeZone: timeZoneFromCookie(request.headers.get("cookie")),
      reference: await loadReferenceData(session.supabase, language),
    },
    logger: context.logger,
  };
  return options.data.progress ? boardBookProgress(book, session.headers) : boardBookPdf(book, session.headers);
}
