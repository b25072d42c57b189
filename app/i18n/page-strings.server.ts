import { AsyncLocalStorage } from "node:async_hooks";
import type { i18n as I18n } from "i18next";
import type { LanguageCode } from "./config";
import { pickStrings, scriptJson } from "./page-strings";
import { resources } from "./resources.server";

type GetResource = (language: string, namespace: string, key?: string | string[], options?: object) => unknown;

/** The keys looked up, per language, while one page renders (entry.server.tsx). */
type Lookups = Map<string, Set<string>>;

const rendering = new AsyncLocalStorage<Lookups>();

/**
 * Makes an i18next instance note every key it finds while a page renders (`renderRecordingStrings`), so the page can
 * carry exactly those strings. Outside a render (mails, loaders) it notes nothing.
 */
export function recordLookups(instance: I18n): void {
  // Every lookup of i18next's translator goes through its store's getResource, which its types leave out.
  const store = instance.services.resourceStore as unknown as { getResource?: GetResource };
  if (typeof store.getResource !== "function") throw new Error("i18next's resource store has no getResource");
  const getResource = store.getResource.bind(store);
  store.getResource = (language, namespace, key, options) => {
    const value = getResource(language, namespace, key, options);
    const lookups = rendering.getStore();
    if (lookups && typeof key === "string" && value !== undefined) {
      let keys = lookups.get(language);
      if (!keys) lookups.set(language, (keys = new Set()));
      keys.add(key);
    }
    return value;
  };
}

/**
 * Runs a page's render noting the strings it looks up; `serialize` gives them, in a language, as JSON for the page.
 * React renders in later turns of the event loop (setImmediate), which AsyncLocalStorage follows.
 */
export function renderRecordingStrings<T>(render: (serialize: (language: LanguageCode) => string) => T): T {
  const lookups: Lookups = new Map();
  const serialize = (language: LanguageCode) =>
    scriptJson(pickStrings(resources[language].translation, lookups.get(language) ?? []));
  return rendering.run(lookups, () => render(serialize));
}
