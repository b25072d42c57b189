import { useTranslation } from "react-i18next";

/**
 * Under a comment box (issue 17): the people who may be mentioned with "@name". Writing "@" and a name from this
 * list notifies that person; the database ignores a name of anyone who may not read the thread.
 */
export function MentionHint({ names }: { names: string[] }) {
  const { t } = useTranslation();
  if (names.length === 0) return null;
  // Everyone at BDT may read every plan: a few names, then how many more (writing "@" offers them all).
  const shown = names.slice(0, HINT_NAMES);
  return (
    <p className="field__hint mention-hint">
      {t("mentions.hint")} {shown.map((name) => `@${name}`).join(", ")}
      {names.length > shown.length ? ` ${t("mentions.more", { count: names.length - shown.length })}` : null}
    </p>
  );
}

const HINT_NAMES = 8;
