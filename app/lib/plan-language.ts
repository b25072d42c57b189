import { defaultLanguage, isLanguageCode, textDirection, type LanguageCode } from "~/i18n/config";

/** The language a plan's text is written in, for `lang` and `dir` on the plan content (issue 18). */
export interface PlanLanguage {
  language: LanguageCode;
  dir: "ltr" | "rtl";
}

/** The plan's language and direction, whatever the reader's page language; unknown values read as English. */
export function planLanguageOf(code: string | null | undefined): PlanLanguage {
  const language = isLanguageCode(code) ? code : defaultLanguage;
  return { language, dir: textDirection(language) };
}
