import { useEffect, useState, type Ref } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "~/lib/datetime";
import type { FieldError } from "~/lib/forms";
import { useTimeZone } from "~/lib/use-time-zone";

interface BaseProps {
  name: string;
  label: string;
  error?: FieldError;
  hint?: string;
}

function describedBy(name: string, hint?: string, error?: FieldError, counted?: boolean) {
  return (
    [hint ? `field-${name}-hint` : null, error ? `field-${name}-error` : null, counted ? `field-${name}-count` : null]
      .filter(Boolean)
      .join(" ") || undefined
  );
}

/**
 * A live character count for a field with a limit. The field itself never truncates (a native maxlength would cut
 * a long paste silently): over the limit, the count says by how much, and the text stays for the person to edit.
 */
export function CharacterCount({ id, length, limit }: { id: string; length: number; limit: number }) {
  const { t, i18n } = useTranslation();
  const format = (value: number) => value.toLocaleString(i18n.language);
  const over = length - limit;
  return (
    <p id={id} className={over > 0 ? "field__count field__count--over" : "field__count"}>
      {over > 0
        ? t("fields.charactersOver", { length: format(length), over: format(over), max: format(limit) })
        : t("fields.characters", { length: format(length), max: format(limit) })}
    </p>
  );
}

function FieldMessages({ name, hint, error }: { name: string; hint?: string; error?: FieldError }) {
  const { t } = useTranslation();
  return (
    <>
      {hint ? (
        <p id={`field-${name}-hint`} className="field__hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`field-${name}-error`} className="field__error">
          {t(error.key, error.values)}
        </p>
      ) : null}
    </>
  );
}

export function TextArea({
  name,
  label,
  error,
  hint,
  defaultValue,
  rows = 6,
  maxLength,
  limit,
  textareaRef,
}: BaseProps & {
  defaultValue?: string | null;
  rows?: number;
  maxLength?: number;
  limit?: number;
  /** For a helper that works on the box itself, such as the "@" picker. */
  textareaRef?: Ref<HTMLTextAreaElement>;
}) {
  const [length, setLength] = useState((defaultValue ?? "").length);
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={`field-${name}`}>{label}</label>
      <textarea
        ref={textareaRef}
        id={`field-${name}`}
        name={name}
        rows={rows}
        maxLength={maxLength}
        defaultValue={defaultValue ?? ""}
        onInput={limit ? (event) => setLength(event.currentTarget.value.length) : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, hint, error, limit !== undefined)}
      />
      <FieldMessages name={name} hint={hint} error={error} />
      {limit ? <CharacterCount id={`field-${name}-count`} length={length} limit={limit} /> : null}
    </div>
  );
}

export function SelectField({
  name,
  label,
  error,
  hint,
  defaultValue,
  options,
  placeholder,
}: BaseProps & { defaultValue?: string | null; options: { value: string; label: string }[]; placeholder?: string }) {
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={`field-${name}`}>{label}</label>
      <select
        id={`field-${name}`}
        name={name}
        defaultValue={defaultValue ?? ""}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, hint, error)}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
}

/** A group of checkboxes or radios in a fieldset whose legend names the question. */
export function ChoiceGroup({
  name,
  label,
  error,
  hint,
  options,
  selected,
  type = "checkbox",
}: BaseProps & {
  options: { value: string; label: string; description?: string }[];
  selected: string[];
  type?: "checkbox" | "radio";
}) {
  return (
    <fieldset
      className={error ? "field field--invalid choices" : "field choices"}
      aria-describedby={describedBy(name, hint, error)}
    >
      <legend>{label}</legend>
      {options.map((option) => (
        <div key={option.value} className="choice">
          <input
            type={type}
            id={`field-${name}-${option.value}`}
            name={name}
            value={option.value}
            defaultChecked={selected.includes(option.value)}
          />
          <label htmlFor={`field-${name}-${option.value}`}>
            {option.label}
            {option.description ? <span className="choice__description">{option.description}</span> : null}
          </label>
        </div>
      ))}
      <FieldMessages name={name} hint={hint} error={error} />
    </fieldset>
  );
}

/**
 * A moment shown in the reader's own time zone, with the zone named (issue 17). The zone is the root loader's (from
 * the browser's cookie), so the server and hydration format it the same way; `formatDateTime` is the one formatter.
 */
export function LocalTime({ iso }: { iso: string }) {
  const { i18n } = useTranslation();
  const zone = useTimeZone();
  return <time dateTime={iso}>{formatDateTime(iso, i18n.language, zone)}</time>;
}

/** "3 days, 4 hours left" in the reader's language, updated each minute. */
export function TimeLeft({ until }: { until: string }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const ms = new Date(until).getTime() - now;
  if (ms <= 0) return <span>{t("calls.deadlinePassed")}</span>;
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  return <span suppressHydrationWarning>{t("calls.timeLeft", { days, hours, minutes })}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return <span className={`status status--${status}`}>{t(`status.${status}`)}</span>;
}

/**
 * A table that scrolls sideways within itself on a narrow screen, never the page (issue 17: 390 px phones). It can
 * take the keyboard focus, so a keyboard user can scroll it too.
 */
export function TableScroll({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
