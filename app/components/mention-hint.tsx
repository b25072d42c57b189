import { useTranslation } from "react-i18next";

/**
 * Under a comment box (issue 17): the people who may be mentioned with "@name". Writing "@" and a name from this
 * list notifies that person; the database ignores a name of anyone who may not read the thread.
 */
export function MentionHint({ names }: { names: string[] }) {
  const { t } = useTranslation();
  if (names.length === 0) return null;
  return (
    <p className="field__hint mention-hint">
      {t("mentions.hint")} {names.map((name) => `@${name}`).join(", ")}
    </p>
  );
}
