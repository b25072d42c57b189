import type { MetaDescriptor } from "@remix-run/node";
import { defaultLanguage, isLanguageCode } from "~/i18n/config";
import { anyLoadedLanguage, i18nFor } from "~/i18n/translations";

interface MatchLike {
  id: string;
  data?: unknown;
}

/** Page titles in the reader's language; meta functions have no hooks, so the language comes from root's data. */
export function pageTitle(matches: MatchLike[], key: string): MetaDescriptor[] {
  const rootData = matches.find((match) => match.id === "root")?.data as { language?: unknown } | undefined;
  const language = isLanguageCode(rootData?.language) ? rootData.language : defaultLanguage;
  // While a newly chosen language's strings are still on their way, the title stays in the page's language.
  const i18n = i18nFor(language) ?? i18nFor(anyLoadedLanguage() ?? language);
  if (!i18n) return [{ title: "Accelerator Network" }];
  const t = i18n.t;
  return [{ title: `${t(key)} · ${t("app.name")}` }];
}
