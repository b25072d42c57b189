import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { SelectField } from "~/components/fields";
import { languages } from "~/i18n/config";
import type { FieldError } from "~/lib/forms";

/**
 * The plan's language on the application page (issue 18): chosen while the plan has not been written yet (its
 * template is written in this language when first opened), shown as a fact afterwards.
 */
export function PlanLanguageChoice({
  language,
  canChoose,
  error,
  busy,
  justSet,
}: {
  language: string;
  canChoose: boolean;
  error?: FieldError;
  busy: boolean;
  justSet: boolean;
}) {
  const { t } = useTranslation();
  const name = languages.find((entry) => entry.code === language)?.name ?? language;
  if (!canChoose) {
    return <p data-plan-language={language}>{t("planLanguage.fixed", { language: name })}</p>;
  }
  return (
    <Form method="post" className="stack" data-plan-language={language}>
      <input type="hidden" name="intent" value="plan-language" />
      {justSet ? (
        <p role="status" className="hint">
          {t("planLanguage.saved")}
        </p>
      ) : null}
      <SelectField
        name="language"
        label={t("planLanguage.label")}
        hint={t("planLanguage.hint")}
        defaultValue={language}
        error={error}
        options={languages.map((entry) => ({ value: entry.code, label: entry.name }))}
      />
      <button type="submit" className="button button--secondary button--small" disabled={busy}>
        {t("planLanguage.save")}
      </button>
    </Form>
  );
}
