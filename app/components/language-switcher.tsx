import { Form, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { languages, type LanguageCode } from "~/i18n/config";

/** A plain form, so switching language works before (and without) JavaScript. */
export function LanguageSwitcher({ current }: { current: LanguageCode }) {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <Form method="post" action="/language" className="language-switcher" reloadDocument>
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      <label htmlFor="language-select">{t("language.label")}</label>
      <select id="language-select" name="language" defaultValue={current}>
        {languages.map((language) => (
          <option key={language.code} value={language.code} lang={language.code}>
            {language.name}
          </option>
        ))}
      </select>
      <button type="submit" className="button button--small">
        {t("language.submit")}
      </button>
    </Form>
  );
}
