import { useState } from "react";
import { useTranslation } from "react-i18next";
import { CharacterCount } from "~/components/fields";
import type { FieldError } from "~/lib/forms";

interface TextFieldProps {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "date";
  autoComplete?: string;
  inputMode?: "numeric";
  defaultValue?: string;
  error?: FieldError;
  hint?: string;
  required?: boolean;
  maxLength?: number;
  /** A limit shown as a live count instead of truncating (see CharacterCount). */
  limit?: number;
}

/** A labelled input whose error and hint are tied to it for screen readers. */
export function TextField({
  name,
  label,
  type = "text",
  autoComplete,
  inputMode,
  defaultValue,
  error,
  hint,
  required,
  maxLength,
  limit,
}: TextFieldProps) {
  const { t } = useTranslation();
  const [length, setLength] = useState((defaultValue ?? "").length);
  const id = `field-${name}`;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const countId = limit ? `${id}-count` : undefined;
  const describedBy = [hintId, errorId, countId].filter(Boolean).join(" ") || undefined;
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
        inputMode={inputMode}
        defaultValue={defaultValue}
        required={required}
        maxLength={maxLength}
        onInput={limit ? (event) => setLength(event.currentTarget.value.length) : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {error ? (
        <p id={errorId} className="field__error">
          {t(error.key, error.values)}
        </p>
      ) : null}
      {limit && countId ? <CharacterCount id={countId} length={length} limit={limit} /> : null}
    </div>
  );
}
