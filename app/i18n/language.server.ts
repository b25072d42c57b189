import { createCookie } from "@remix-run/node";
import { createI18n, defaultLanguage, isLanguageCode, languageCodes, type LanguageCode } from "./config";
import { resources } from "./resources.server";

export const languageCookie = createCookie("lang", {
  path: "/",
  sameSite: "lax",
  httpOnly: true,
  maxAge: 60 * 60 * 24 * 365,
});

/** The chosen language (cookie), else the browser's best supported preference, else English. */
export async function detectLanguage(request: Request): Promise<LanguageCode> {
  const chosen: unknown = await languageCookie.parse(request.headers.get("cookie"));
  if (isLanguageCode(chosen)) return chosen;
  const accepted = (request.headers.get("accept-language") ?? "")
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const quality = Number(params.find((param) => param.trim().startsWith("q="))?.split("=")[1] ?? 1);
      return { code: tag.toLowerCase().split("-")[0], quality: Number.isFinite(quality) ? quality : 0 };
    })
    .sort((a, b) => b.quality - a.quality);
  return (accepted.find((entry) => isLanguageCode(entry.code))?.code as LanguageCode | undefined) ?? defaultLanguage;
}

/** A translate function for loaders and actions (page titles, messages built on the server). */
export async function getFixedT(request: Request) {
  const language = await detectLanguage(request);
  return createI18n(language, resources[language].translation).getFixedT(language);
}

export { languageCodes };

/** A translate function for a person's stored language (a calendar feed has no cookie); English when unknown. */
export function getFixedTFor(language: string | null | undefined) {
  const code = isLanguageCode(language) ? language : defaultLanguage;
  return createI18n(code, resources[code].translation).getFixedT(code);
}
