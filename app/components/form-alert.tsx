import { useTranslation } from "react-i18next";
import type { FieldError } from "~/lib/forms";

/** The message for the whole form, announced when it appears. */
export function FormAlert({ error }: { error?: FieldError | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="alert alert--error" role="alert">
      {/* An error code the app has no sentence for still reads as a sentence, never as a raw key. */}
      {t(error.key, { ...error.values, defaultValue: t("dbErrors.unexpected") })}
    </div>
  );
}

export function FormNotice({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="alert alert--success" role="status">
      <h2>{title}</h2>
      <p>{children}</p>
    </div>
  );
}
