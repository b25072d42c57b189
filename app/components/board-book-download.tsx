import { useEffect, useRef, useState, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";

type State =
  | { kind: "idle" }
  | { kind: "working"; done: number; total: number; lines: string[] }
  | { kind: "ready"; url: string; fileName: string; size: number; lines: string[] }
  | { kind: "failed"; lines: string[] };

interface ProgressEvent {
  type: "progress" | "pdf" | "error";
  step?: "start" | "read" | "render";
  done?: number;
  total?: number;
  bytes?: number;
  fileName?: string;
}

/**
 * The Board book's download (issue 17). Without JavaScript the link fetches the PDF itself. With it, the page asks
 * for the streamed variant and shows each step the server reports (packets read, packets laid out), then saves the
 * PDF that follows the last line.
 */
export function BoardBookDownload({ reviewId }: { reviewId: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<State>({ kind: "idle" });
  const saver = useRef<HTMLAnchorElement>(null);
  const savedUrl = useRef<string | null>(null);
  const href = `/board/reviews/${reviewId}/book`;

  async function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    event.preventDefault();
    if (state.kind === "working") return;
    const lines: string[] = [t("book.progressStarting")];
    let total = 0;
    let done = 0;
    setState({ kind: "working", done, total, lines: [...lines] });
    try {
      const response = await fetch(`${href}?progress=1`, { credentials: "same-origin" });
      if (!response.ok || !response.body) throw new Error(await response.text());
      const reader = response.body.getReader();
      let buffer = new Uint8Array(0);
      let pdf: { bytes: number; fileName: string } | null = null;
      const chunks: Uint8Array[] = [];
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (value) {
          if (pdf) chunks.push(value);
          else {
            const joined = new Uint8Array(buffer.length + value.length);
            joined.set(buffer);
            joined.set(value, buffer.length);
            buffer = joined;
            let newline = buffer.indexOf(10);
            while (!pdf && newline >= 0) {
              const event = JSON.parse(new TextDecoder().decode(buffer.slice(0, newline))) as ProgressEvent;
              buffer = buffer.slice(newline + 1);
              if (event.type === "error") throw new Error("book failed");
              if (event.type === "pdf") {
                pdf = { bytes: event.bytes ?? 0, fileName: event.fileName ?? "board-book.pdf" };
                chunks.push(buffer);
              } else {
                total = event.total ?? total;
                done = event.step === "render" ? total + (event.done ?? 0) : (event.done ?? 0);
                if (event.step === "read") lines.push(t("book.progressReading", { done: event.done, total }));
                if (event.step === "render") lines.push(t("book.progressRendering", { done: event.done, total }));
                setState({ kind: "working", done, total: total * 2, lines: [...lines] });
              }
              newline = pdf ? -1 : buffer.indexOf(10);
            }
          }
        }
        if (finished) break;
      }
      if (!pdf) throw new Error("book incomplete");
      const blob = new Blob(chunks as BlobPart[], { type: "application/pdf" });
      const url = URL.createObjectURL(blob);
      lines.push(t("book.progressDone", { size: Math.max(1, Math.round(blob.size / 1024)) }));
      setState({ kind: "ready", url, fileName: pdf.fileName, size: blob.size, lines: [...lines] });
    } catch {
      lines.push(t("book.failed"));
      setState({ kind: "failed", lines: [...lines] });
    }
  }

  // Follow the saving link once React has committed it (a frame callback could run before the commit on a busy
  // machine, find no link and save nothing), and only once per book.
  useEffect(() => {
    if (state.kind !== "ready" || savedUrl.current === state.url) return;
    savedUrl.current = state.url;
    saver.current?.click();
  }, [state]);

  return (
    <section aria-labelledby="book-title" className="panel">
      <h2 id="book-title">{t("book.downloadTitle")}</h2>
      <p>{t("book.downloadHelp")}</p>
      <p>
        <a href={href} className="button" onClick={(event) => void handleClick(event)} download>
          {t("book.download")}
        </a>
      </p>
      {state.kind !== "idle" ? (
        <div className="book-progress">
          {state.kind === "working" ? (
            <progress
              aria-label={t("book.progressLabel")}
              value={state.total ? state.done : undefined}
              max={state.total || undefined}
            />
          ) : null}
          {/* A list may not take the status role (axe: aria-allowed-role), so the live region wraps it. */}
          <div role="status" aria-live="polite">
            <ol className="book-progress__steps" data-state={state.kind}>
              {state.lines.map((line, index) => (
                <li key={index}>{line}</li>
              ))}
            </ol>
          </div>
          {state.kind === "ready" ? (
            <p>
              <a ref={saver} href={state.url} download={state.fileName}>
                {t("book.saveAgain")}
              </a>
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
