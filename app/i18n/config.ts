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
 * all six languages; the browser loads only the reader's: app/i18n/translations.ts), so init is sync.
 */
export function createI18n(language: LanguageCode, translation: Translation): I18n {
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
  });
  return instance;
}
