import { createContext, useContext } from "react";
import type { LanguageCode, Translation } from "./config";

/**
 * The strings a server-rendered page used, put in the page itself (issue 14): the browser hydrates with them at once
 * and fetches the language's whole set after, off the load path (on a 562 ms link the set's 17 to 22 KB were a tenth
 * of a second of every first visit). Lookups the page did not make (a message shown later) come from the whole set,
 * which by then has usually arrived; until it has, they render empty (app/i18n/config.ts) and redraw when it lands.
 */
export const pageStringsId = "page-strings";

/** The server render's strings in a language, as JSON safe inside a <script> (entry.server.tsx); none in the browser. */
export const PageStringsContext = createContext<((language: LanguageCode) => string) | undefined>(undefined);

/** The JSON the page carries, in the browser. */
const pageStringsJson = () => document.getElementById(pageStringsId)?.textContent ?? undefined;

/** The page's strings as JSON: serialized by the server render, read back from the page in the browser. */
export function usePageStringsJson(language: LanguageCode): string | undefined {
  const serialize = useContext(PageStringsContext);
  if (serialize) return serialize(language);
  return typeof document === "undefined" ? undefined : pageStringsJson();
}

/** The page's strings as the server rendered them, for entry.client.tsx; undefined if the page carries none. */
export function readPageStrings(): Translation | undefined {
  const json = pageStringsJson();
  if (!json) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Translation) : undefined;
  } catch {
    return undefined;
  }
}

/** The strings a page looked up, taken from a language's whole set (keys as i18next looks them up: "a.b.c"). */
export function pickStrings(translation: Translation, keys: Iterable<string>): Translation {
  const picked: Translation = {};
  for (const key of keys) {
    const path = key.split(".");
    let from: string | Translation | undefined = translation;
    let into = picked;
    for (const [index, part] of path.entries()) {
      if (typeof from !== "object") break;
      from = from[part];
      if (from === undefined) break;
      if (index === path.length - 1 || typeof from === "string") {
        // A whole subtree (a lookup with returnObjects) is copied: later keys must not write into the full set.
        into[part] = typeof from === "string" ? from : structuredClone(from);
        break;
      }
      const next = into[part];
      into = into[part] = typeof next === "object" ? next : {};
    }
  }
  return picked;
}

/** JSON for a `<script type="application/json">`: `<` escaped, so no string can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}
