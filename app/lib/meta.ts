import type { MetaDescriptor } from "@remix-run/node";
import { createI18n, defaultLanguage, isLanguageCode } from "~/i18n/config";

interface MatchLike {
  id: string;
  data?: unknown;
}

/** Page titles in the reader's language; meta functions have no hooks, so the language comes from root's data. */
export function pageTitle(matches: MatchLike[], key: string): MetaDescriptor[] {
  const rootData = matches.find((match) => match.id === "root")?.data as { language?: unknown } | undefined;
  const language = isLanguageCode(rootData?.language) ? rootData.language : defaultLanguage;
  const t = createI18n(language).t;
  return [{ title: `${t(key)} · ${t("app.name")}` }];
}
