import i18next, { type i18n as I18n } from "i18next";
import { initReactI18next } from "react-i18next";

/** The six official languages of the ITU. English is complete; the others fall back to English key by key. */
export const languages = [
  { code: "ar", name: "العربية", dir: "rtl" },
  { code: "zh", name: "中文", dir: "ltr" },
  { code: "en", name: "English", dir: "ltr" },
  { code: "fr", name: "Français", dir: "ltr" },
  { code: "ru", name: "Русский", dir: "ltr" },
  { code: "es", name: "Español", dir: "ltr" },
] as const;

export type LanguageCode = (typeof languages)[number]["code"];
export const defaultLanguage: LanguageCode = "en";
export const languageCodes = languages.map((language) => language.code) as [LanguageCode, ...LanguageCode[]];

/** One language's strings (app/i18n/locales/<code>.json); every language has every English key (tests/unit/i18n). */
export type Translation = { [key: string]: string | Translation };

export function isLanguageCode(value: unknown): value is LanguageCode {
  return typeof value === "string" && (languageCodes as string[]).includes(value);
}

export function textDirection(code: LanguageCode): "ltr" | "rtl" {
  return languages.find((language) => language.code === code)?.dir ?? "ltr";
}

/**
 * One instance per request on the server and one per language in the browser. The strings are given (the server has
 * all six languages; the browser starts from the page's own and loads the rest of the reader's language:
 * app/i18n/translations.ts), so init is sync. While `complete` says the browser has only the page's strings, a key
 * the page did not use renders empty rather than as its name, and every `useTranslation` redraws when the rest is
 * added (`bindI18nStore`).
 */
export function createI18n(
  language: LanguageCode,
  translation: Translation,
  complete: () => boolean = () => true,
): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng: language,
    fallbackLng: false,
    supportedLngs: languageCodes,
    resources: { [language]: { translation } },
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
    parseMissingKeyHandler: (key: string, defaultValue?: string) => defaultValue ?? (complete() ? key : ""),
    react: { bindI18nStore: "added" },
  });
  return instance;
}
