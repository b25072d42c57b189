import { useState } from "react";
import { useTranslation } from "react-i18next";
import { TextArea } from "~/components/fields";
import type { FieldErrors } from "~/lib/forms";

const MAX_ROWS = 20;

/**
 * The chair's conditions (issue 15): one row per condition, each with its text, due date and optionally the exact
 * passage of the plan it concerns (copied from the plan version shown above). Rows are added and removed in the
 * browser; the server keeps rows by their number, so a removed row simply sends nothing.
 */
export function ConditionRows({ errors, values }: { errors: FieldErrors; values?: Record<string, string> }) {
  const { t } = useTranslation();
  const initial = Array.from({ length: MAX_ROWS }, (_, n) => n).filter(
    (n) => values?.[`condition_text_${n}`] || values?.[`condition_due_${n}`] || values?.[`condition_quote_${n}`],
  );
  const [rows, setRows] = useState<number[]>(initial.length > 0 ? initial : [0]);
  const add = () => {
    const next = Array.from({ length: MAX_ROWS }, (_, n) => n).find((n) => !rows.includes(n));
    if (next !== undefined) setRows([...rows, next]);
  };
  return (
    <fieldset className="condition-rows">
      <legend>{t("conditions.formLegend")}</legend>
      <p className="hint">{t("conditions.formHint")}</p>
      {rows.map((n, index) => {
        const dueId = `field-condition_due_${n}`;
        const dueError = errors[`condition_due_${n}`];
        return (
          <fieldset key={n} className="condition-row">
            <legend>{t("conditions.heading", { number: index + 1 })}</legend>
            <TextArea
              name={`condition_text_${n}`}
              label={t("conditions.text")}
              rows={2}
              defaultValue={values?.[`condition_text_${n}`]}
              error={errors[`condition_text_${n}`]}
            />
            <div className={dueError ? "field field--invalid" : "field"}>
              <label htmlFor={dueId}>{t("conditions.dueOn")}</label>
              <input
                id={dueId}
                type="date"
                name={`condition_due_${n}`}
                defaultValue={values?.[`condition_due_${n}`] ?? ""}
                aria-invalid={dueError ? true : undefined}
                aria-describedby={dueError ? `${dueId}-error` : undefined}
              />
              {dueError ? (
                <p id={`${dueId}-error`} className="field__error">
                  {t(dueError.key)}
                </p>
              ) : null}
            </div>
            <TextArea
              name={`condition_quote_${n}`}
              label={t("conditions.passageOptional")}
              hint={t("conditions.passageHint")}
              rows={2}
              defaultValue={values?.[`condition_quote_${n}`]}
              error={errors[`condition_quote_${n}`]}
            />
            {rows.length > 1 ? (
              <button
                type="button"
                className="button button--small button--secondary"
                onClick={() => setRows(rows.filter((row) => row !== n))}
              >
                {t("conditions.removeRow", { number: index + 1 })}
              </button>
            ) : null}
          </fieldset>
        );
      })}
      {rows.length < MAX_ROWS ? (
        <button type="button" className="button button--secondary" onClick={add}>
          {t("conditions.addRow")}
        </button>
      ) : null}
      <div className="field field--checkbox">
        <label>
          <input
            type="checkbox"
            name="conditions_closed_by_bdt"
            value="yes"
            defaultChecked={values?.conditions_closed_by_bdt === "yes"}
          />{" "}
          {t("conditions.delegate")}
        </label>
      </div>
    </fieldset>
  );
}
