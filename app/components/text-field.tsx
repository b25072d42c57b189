import { useTranslation } from "react-i18next";
import type { FieldError } from "~/lib/forms";

interface TextFieldProps {
  name: string;
  label: string;
  type?: "text" | "email" | "password";
  autoComplete?: string;
  defaultValue?: string;
  error?: FieldError;
  hint?: string;
  required?: boolean;
  maxLength?: number;
}

/** A labelled input whose error and hint are tied to it for screen readers. */
export function TextField({ name, label, type = "text", autoComplete, defaultValue, error, hint, required, maxLength }: TextFieldProps) {
  const { t } = useTranslation();
  const id = `field-${name}`;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        type={type}
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        required={required}
        maxLength={maxLength}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {error ? (
        <p id={errorId} className="field__error">
          {t(error.key, error.values)}
        </p>
      ) : null}
    </div>
  );
}
