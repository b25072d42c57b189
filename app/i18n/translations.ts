import type { i18n as I18n } from "i18next";
import { createI18n, languageCodes, type LanguageCode, type Translation } from "./config";

/**
 * Each language's strings are a hashed asset of their own (`/assets/<code>-<hash>.json`, served precompressed with a
 * year of immutable caching), never part of the JavaScript: a page carries only its reader's language. The server
 * registers all six at start (entry.server.tsx); the browser hydrates with the strings the page carries
 * (app/i18n/page-strings.ts), then fetches its language's whole set, and another language when the reader switches.
 */
const urls = import.meta.glob<string>("./locales/*.json", { query: "?url", import: "default", eager: true });

export function translationUrl(language: LanguageCode): string {
  const url = urls[`./locales/${language}.json`];
  if (!url) throw new Error(`No translation asset for ${language}`);
  return url;
}

/** Each language's whole set of strings, once here. */
const loaded = new Map<LanguageCode, Translation>();
/** The strings the server-rendered page used (app/i18n/page-strings.ts), until the whole set is here. */
const pageStrings = new Map<LanguageCode, Translation>();
const loading = new Map<LanguageCode, Promise<Translation>>();
const instances = new Map<LanguageCode, I18n>();
let onServerInstance: ((instance: I18n) => void) | undefined;

/** A language's whole set of strings; an instance made from the page's strings gets the rest. */
export function registerTranslation(language: LanguageCode, translation: Translation): void {
  loaded.set(language, translation);
  pageStrings.delete(language);
  instances.get(language)?.addResourceBundle(language, "translation", translation, true, true);
}

/** The strings the server-rendered page used, so it can hydrate before its language's whole set arrives. */
export function registerPageStrings(language: LanguageCode, strings: Translation): void {
  if (!loaded.has(language)) pageStrings.set(language, strings);
}

/** Called with each instance the server makes (entry.server.tsx: it notes the keys a page looks up). */
export function observeServerInstances(observe: (instance: I18n) => void): void {
  onServerInstance = observe;
}

/** Whether a language can be shown: its whole set, or the page's own strings, are here. */
export function hasTranslation(language: LanguageCode): boolean {
  return loaded.has(language) || pageStrings.has(language);
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
  const translation = loaded.get(language) ?? pageStrings.get(language);
  if (!translation) return undefined;
  if (typeof document === "undefined") {
    const instance = createI18n(language, translation);
    onServerInstance?.(instance);
    return instance;
  }
  let instance = instances.get(language);
  if (!instance) {
    instance = createI18n(language, translation, () => loaded.has(language));
    instances.set(language, instance);
  }
  return instance;
}

/** A language whose strings are here (the page's own, once hydrated), for when the wanted one is still loading. */
export function anyLoadedLanguage(): LanguageCode | undefined {
  return languageCodes.find(hasTranslation);
}
