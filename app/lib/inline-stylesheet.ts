import { createContext, useContext } from "react";

/**
 * The site stylesheet's text, which the server render puts in the page (entry.server.tsx): on a slow link the first
 * paint then waits for one request, not two (issue 14). In the browser it is read back from the page's own <style>.
 * Undefined in development (Vite serves the stylesheet), where the page links it instead.
 */
export const InlineStylesheetContext = createContext<string | undefined>(undefined);

export const inlineStylesheetId = "site-stylesheet";

export function useInlineStylesheet(): string | undefined {
  const fromServer = useContext(InlineStylesheetContext);
  if (fromServer !== undefined || typeof document === "undefined") return fromServer;
  return document.getElementById(inlineStylesheetId)?.textContent ?? undefined;
}
