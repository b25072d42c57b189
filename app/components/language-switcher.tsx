import { Form, useLocation, useSubmit } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { isLanguageCode, languages, type LanguageCode } from "~/i18n/config";
import { hasTranslation, loadTranslation } from "~/i18n/translations";

/**
 * A plain form, so switching language works before (and without) JavaScript. With JavaScript the page changes
 * language without a reload: the chosen language's strings are fetched first (from the moment it is selected), then
 * the form is submitted and every loader runs again in the new language.
 */
export function LanguageSwitcher({ current }: { current: LanguageCode }) {
  const { t } = useTranslation();
  const location = useLocation();
  const submit = useSubmit();
  return (
    <Form
      method="post"
      action="/language"
      className="language-switcher"
      onSubmit={(event) => {
        const form = event.currentTarget;
        const language = new FormData(form).get("language");
        if (!isLanguageCode(language) || hasTranslation(language)) return;
        event.preventDefault();
        // If the strings cannot be fetched, the form goes the way it would without JavaScript (a full page load).
        loadTranslation(language).then(
          () => submit(form),
          () => form.submit(),
        );
      }}
    >
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      <label htmlFor="language-select">{t("language.label")}</label>
      <select
        id="language-select"
        name="language"
        defaultValue={current}
        onChange={(event) => {
          const language = event.currentTarget.value;
          if (isLanguageCode(language)) loadTranslation(language).catch(() => undefined);
        }}
      >
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
