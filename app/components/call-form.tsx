import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ChoiceGroup, TextArea } from "~/components/fields";
import { TextField } from "~/components/text-field";
import type { FieldErrors } from "~/lib/forms";

interface CallFormProps {
  values: Record<string, string>;
  errors: FieldErrors;
  centreTypes: { code: string; label: string }[];
  submitLabel: string;
}

/** Create and edit share one form; times are entered in UTC and the label says so. */
export function CallForm({ values, errors, centreTypes, submitLabel }: CallFormProps) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  return (
    <Form method="post" noValidate className="form">
      <TextField
        name="title"
        label={t("calls.fields.title")}
        defaultValue={values.title}
        error={errors.title}
        maxLength={200}
      />
      <TextArea
        name="description"
        label={t("calls.fields.description")}
        defaultValue={values.description}
        error={errors.description}
      />
      <div className="field-row">
        <div className={errors.opens_at ? "field field--invalid" : "field"}>
          <label htmlFor="field-opens_at">{t("calls.fields.opensAt")}</label>
          <input
            id="field-opens_at"
            name="opens_at"
            type="datetime-local"
            defaultValue={values.opens_at}
            aria-invalid={errors.opens_at ? true : undefined}
            aria-describedby={errors.opens_at ? "field-opens_at-error" : undefined}
          />
          {errors.opens_at ? (
            <p id="field-opens_at-error" className="field__error">
              {t(errors.opens_at.key)}
            </p>
          ) : null}
        </div>
        <div className={errors.closes_at ? "field field--invalid" : "field"}>
          <label htmlFor="field-closes_at">{t("calls.fields.closesAt")}</label>
          <input
            id="field-closes_at"
            name="closes_at"
            type="datetime-local"
            defaultValue={values.closes_at}
            aria-invalid={errors.closes_at ? true : undefined}
            aria-describedby={errors.closes_at ? "field-closes_at-error" : undefined}
          />
          {errors.closes_at ? (
            <p id="field-closes_at-error" className="field__error">
              {t(errors.closes_at.key)}
            </p>
          ) : null}
        </div>
      </div>
      <TextField
        name="max_revision_cycles"
        inputMode="numeric"
        label={t("calls.fields.maxRevisionCycles")}
        hint={t("calls.fields.maxRevisionCyclesHint")}
        defaultValue={values.max_revision_cycles ?? "2"}
        error={errors.max_revision_cycles}
      />
      <ChoiceGroup
        name="allowed_centre_types"
        label={t("calls.fields.allowedTypes")}
        hint={t("calls.fields.allowedTypesHint")}
        options={centreTypes.map((type) => ({ value: type.code, label: type.label }))}
        selected={(values.allowed_centre_types ?? "").split("\n")}
        error={errors.allowed_centre_types}
      />
      <button type="submit" className="button" disabled={navigation.state === "submitting"}>
        {submitLabel}
      </button>
    </Form>
  );
}
