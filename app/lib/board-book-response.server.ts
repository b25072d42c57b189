import type { AppLoadContext } from "@remix-run/node";
import { renderBoardBook, type BookLabels } from "~/lib/board-book-pdf.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import { getBookReader, getBookReview, loadBookPackets, type BookReview } from "~/models/board-book.server";

/**
 * The Board book over HTTP (issue 17). Plain: the PDF itself (a download without JavaScript). With progress: one
 * streamed response, stateless (any app server can answer it, nothing is kept in memory between requests): lines of
 * JSON telling what is done, each sent as it happens, then a line `{"type":"pdf","bytes":N}` followed by the N bytes
 * of the PDF. The page reads the lines into its progress bar and saves the bytes. A failure after the stream has
 * started is sent as `{"type":"error"}` (the status line has gone), and logged.
 */

export const BOOK_PROGRESS_TYPE = "application/vnd.accelerator.book-progress";

interface BookRequest {
  supabase: SupabaseServerClient;
  userId: string;
  fallbackName: string;
  review: BookReview;
  labels: BookLabels;
  logger: AppLoadContext["logger"];
}

export const loadBookReview = getBookReview;

export function bookFileName(review: BookReview) {
  const slug = review.title
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/\s+/g, "-")
    .slice(0, 60);
  return `board-book-${slug || review.id}.pdf`;
}

async function buildBook(request: BookRequest, onProgress: (event: Record<string, unknown>) => Promise<void> | void) {
  const [reader, packets] = await Promise.all([
    getBookReader(request.supabase, request.userId, request.fallbackName),
    loadBookPackets(request.supabase, request.review, (done, total) =>
      onProgress({ type: "progress", step: "read", done, total }),
    ),
  ]);
  const started = Date.now();
  const pdf = await renderBoardBook(
    { review: request.review, packets, reader, generatedAt: new Date() },
    request.labels,
    (done, total) => onProgress({ type: "progress", step: "render", done, total }),
  );
  request.logger.info(
    { review: request.review.id, packets: packets.length, bytes: pdf.length, renderMs: Date.now() - started },
    "board book built",
  );
  return pdf;
}

const privateHeaders = (extra: Record<string, string>) => ({
  // The book is the reader's own (their name on every page): never cached, never compressed on the way.
  "Cache-Control": "private, no-store, no-transform",
  "X-Content-Type-Options": "nosniff",
  ...extra,
});

export async function boardBookPdf(request: BookRequest, headers: Headers) {
  const pdf = await buildBook(request, () => {});
  const response = new Response(new Blob([new Uint8Array(pdf)]), {
    headers: privateHeaders({
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="${bookFileName(request.review)}"`,
      "Content-Length": String(pdf.length),
    }),
  });
  for (const [name, value] of headers) response.headers.append(name, value);
  return response;
}

export function boardBookProgress(request: BookRequest, headers: Headers) {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: Record<string, unknown>) => controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
      try {
        send({ type: "progress", step: "start", done: 0, total: request.review.packets.length });
        const pdf = await buildBook(request, send);
        send({ type: "pdf", bytes: pdf.length, fileName: bookFileName(request.review) });
        controller.enqueue(new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength));
      } catch (error) {
        request.logger.error({ err: error, review: request.review.id }, "board book failed");
        send({ type: "error" });
      }
      controller.close();
    },
  });
  const response = new Response(stream, { headers: privateHeaders({ "Content-Type": BOOK_PROGRESS_TYPE }) });
  for (const [name, value] of headers) response.headers.append(name, value);
  return response;
}
