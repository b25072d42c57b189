import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { languageCodes } from "~/i18n/config";
import { detectLanguage } from "~/i18n/language.server";
import { PageStringsContext } from "~/i18n/page-strings";
import { recordLookups, renderRecordingStrings } from "~/i18n/page-strings.server";
import { resources } from "~/i18n/resources.server";
import { observeServerInstances, registerTranslation } from "~/i18n/translations";
import { RequestLanguageContext } from "~/i18n/request-language";
import { CoalescingStream } from "./lib/coalescing-stream.server";
import { InlineStylesheetContext } from "./lib/inline-stylesheet";
import { NonceContext } from "./lib/nonce";
import stylesheet from "./styles/app.css?url";

const ABORT_DELAY = 5_000;

/** The built site stylesheet's text (build/client/assets/app-<hash>.css), put in every page; none in development. */
const siteStylesheet = ((): string | undefined => {
  if (!stylesheet.startsWith("/assets/")) return undefined;
  try {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "client", stylesheet);
    return readFileSync(file, "utf8").replace(/<\/style/gi, "<\\/style");
  } catch {
    return undefined;
  }
})();

// The server renders every language, so it has all six sets of strings from the start (a browser loads one).
for (const code of languageCodes) registerTranslation(code, resources[code].translation);
// Each page carries the strings its render looked up (app/i18n/page-strings.ts).
observeServerInstances(recordLookups);

/**
 * A loader's or action's failure (a database error thrown by `checkRead`, say), logged with the request's id and
 * the error's code; the person sees the error page. A 4xx Remix answers itself (no such route, wrong method) is
 * the client's mistake, not ours; an aborted request (the browser went away) is not a fault either.
 */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) {
    context.logger.debug({ status: error.status }, error.statusText || "refused");
    return;
  }
  context.logger.error({ err: error }, "request failed");
};

/**
 * What the page will fetch next, as a `Link` header (issue 14): every script module of the matched routes. The
 * browser starts these when the response's headers arrive, instead of once it has received and parsed the HTML down
 * to Remix's modulepreload links at the end of the body; on a 562 ms link that overlaps the HTML's own transfer with
 * the scripts' round trip. The strings are not among them: the page carries those it shows.
 */
function preloadLinks(remixContext: EntryContext): string {
  const { manifest, staticHandlerContext } = remixContext;
  const modules = new Set<string>([manifest.entry.module, ...manifest.entry.imports]);
  for (const match of staticHandlerContext.matches) {
    const route = manifest.routes[match.route.id];
    if (!route) continue;
    modules.add(route.module);
    for (const url of route.imports ?? []) modules.add(url);
  }
  return [...modules].map((url) => `<${url}>; rel=modulepreload`).join(", ");
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // The per-request CSP nonce (server/security-headers.ts): Remix's inline scripts and streamed data carry it.
  const nonce = loadContext.cspNonce;
  // Bots get the whole document at once; browsers get it streamed as soon as the shell is ready.
  const language = await detectLanguage(request);
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderRecordingStrings((serializeStrings) =>
      renderToPipeableStream(
        <RequestLanguageContext.Provider value={language}>
          <NonceContext.Provider value={nonce}>
            <InlineStylesheetContext.Provider value={siteStylesheet}>
              <PageStringsContext.Provider value={serializeStrings}>
                <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
              </PageStringsContext.Provider>
            </InlineStylesheetContext.Provider>
          </NonceContext.Provider>
        </RequestLanguageContext.Provider>,
        {
          nonce,
          [readyEvent]() {
            shellRendered = true;
            const body = new CoalescingStream();
            responseHeaders.set("Content-Type", "text/html; charset=utf-8");
            if (remixContext.manifest.entry.module.startsWith("/assets/")) {
              responseHeaders.append("Link", preloadLinks(remixContext));
            }
            resolve(
              new Response(createReadableStreamFromReadable(body), {
                headers: responseHeaders,
                status: responseStatusCode,
              }),
            );
            pipe(body);
          },
          onShellError(error: unknown) {
            reject(error);
          },
          onError(error: unknown) {
            responseStatusCode = 500;
            if (shellRendered) loadContext.logger.error({ err: error }, "rendering failed");
          },
        },
      ),
    );
    setTimeout(abort, ABORT_DELAY);
  });
}
