import type { i18n as I18n } from "i18next";
import { createI18n, languageCodes, type LanguageCode, type Translation } from "./config";

/**
 * Each language's strings are a hashed asset of their own (`/assets/<code>-<hash>.json`, served precompressed with a
 * year of immutable caching), never part of the JavaScript: a page carries only its reader's language. The server
 * registers all six at start (language.server.ts); the browser fetches the page's language before hydrating
 * (entry.client.tsx, preloaded by a <link> in root.tsx) and another one when the reader switches.
 */
const urls = import.meta.glob<string>("./locales/*.json", { query: "?url", import: "default", eager: true });

export function translationUrl(language: LanguageCode): string {
  const url = urls[`./locales/${language}.json`];
  if (!url) throw new Error(`No translation asset for ${language}`);
  return url;
}

const loaded = new Map<LanguageCode, Translation>();
const loading = new Map<LanguageCode, Promise<Translation>>();
const instances = new Map<LanguageCode, I18n>();

export function registerTranslation(language: LanguageCode, translation: Translation): void {
  loaded.set(language, translation);
}

export function hasTranslation(language: LanguageCode): boolean {
  return loaded.has(language);
}

/** Fetches (once) a language's strings; the browser's cache keeps them, the URL changing when they change. */
export function loadTranslation(language: LanguageCode): Promise<Translation> {
  const known = loaded.get(language);
  if (known) return Promise.resolve(known);
  let pending = loading.get(language);
  if (!pending) {
    pending = fetch(translationUrl(language))
      .then((response) => {
        if (!response.ok) throw new Error(`${translationUrl(language)}: ${response.status}`);
        return response.json() as Promise<Translation>;
      })
      .then((translation) => {
        registerTranslation(language, translation);
        return translation;
      })
      .finally(() => loading.delete(language));
    loading.set(language, pending);
  }
  return pending;
}

/**
 * An i18next instance for a language whose strings are here, else undefined. In the browser one instance per
 * language is kept; on the server each call makes a new one (one request must not change another's).
 */
export function i18nFor(language: LanguageCode): I18n | undefined {
  const translation = loaded.get(language);
  if (!translation) return undefined;
  if (typeof document === "undefined") return createI18n(language, translation);
  let instance = instances.get(language);
  if (!instance) {
    instance = createI18n(language, translation);
    instances.set(language, instance);
  }
  return instance;
}

/** A language whose strings are here (the page's own, once hydrated), for when the wanted one is still loading. */
export function anyLoadedLanguage(): LanguageCode | undefined {
  return languageCodes.find((code) => loaded.has(code));
}
