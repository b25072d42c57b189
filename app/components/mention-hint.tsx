import { useEffect, useState, type KeyboardEvent, type RefObject } from "react";
import { useTranslation } from "react-i18next";

/**
 * Under a comment box (issue 17): the people who may be mentioned with "@name". Writing "@" and a name from this
 * list notifies that person; the database ignores a name of anyone who may not read the thread.
 */
export function MentionHint({ names }: { names: string[] }) {
  const { t } = useTranslation();
  if (names.length === 0) return null;
  // Everyone at BDT may read every plan: a few names, then how many more (writing "@" offers them all).
  const shown = names.slice(0, NAMES_SHOWN);
  return (
    <p className="field__hint mention-hint">
      {t("mentions.hint")} {shown.map((name) => `@${name}`).join(", ")}
      {names.length > shown.length ? ` ${t("mentions.more", { count: names.length - shown.length })}` : null}
    </p>
  );
}

/** How many names the hint and the picker show before saying how many more there are. */
const NAMES_SHOWN = 8;

/** "@" and the start of a name just before the caret, or null. */
const typedMention = (text: string) => /(?:^|\s)@([^@\n]{0,40})$/.exec(text);

/**
 * The "@" picker of every comment box (plan comments and the Board packet discussion, issue 17): "@" and the start
 * of a name just before the caret offers, as buttons under `box`, up to eight of `names` (the people the database
 * notifies when mentioned there), then how many more match. Tab reaches them, Enter picks one (its name is written
 * and the caret returns to the box), Escape closes the list; a status line tells screen readers how many match.
 */
export function MentionPicker({ box, names }: { box: RefObject<HTMLTextAreaElement>; names: string[] }) {
  const { t } = useTranslation();
  const [matches, setMatches] = useState<string[]>([]);
  useEffect(() => {
    const textarea = box.current;
    if (!textarea) return;
    const suggest = () => {
      const typed = typedMention(textarea.value.slice(0, textarea.selectionStart));
      if (!typed) return setMatches([]);
      const start = typed[1]!.toLocaleLowerCase();
      setMatches([...new Set(names)].filter((name) => name.toLocaleLowerCase().startsWith(start)));
    };
    const close = (event: globalThis.KeyboardEvent) => {
      if (event.key === "Escape") setMatches([]);
    };
    textarea.addEventListener("input", suggest);
    textarea.addEventListener("keydown", close);
    return () => {
      textarea.removeEventListener("input", suggest);
      textarea.removeEventListener("keydown", close);
    };
  }, [box, names]);
  const pick = (name: string) => {
    const textarea = box.current;
    if (!textarea) return;
    const caret = textarea.selectionStart;
    const typed = /@[^@\n]{0,40}$/.exec(textarea.value.slice(0, caret));
    // Replaces "@" and what was typed by the name, the caret after it.
    if (typed) textarea.setRangeText(`@${name} `, typed.index, caret, "end");
    textarea.focus();
    setMatches([]);
  };
  const backToBox = (event: KeyboardEvent) => {
    if (event.key !== "Escape") return;
    setMatches([]);
    box.current?.focus();
  };
  const shown = matches.slice(0, NAMES_SHOWN);
  return (
    <>
      <p role="status" className="visually-hidden">
        {matches.length > 0 ? t("mentions.found", { count: matches.length }) : ""}
      </p>
      {shown.length > 0 ? (
        <ul className="mention-suggestions" aria-label={t("mentions.suggestions")} onKeyDown={backToBox}>
          {shown.map((name) => (
            <li key={name}>
              <button type="button" className="link-button" onClick={() => pick(name)}>
                @{name}
              </button>
            </li>
          ))}
          {matches.length > shown.length ? (
            <li className="mention-suggestions__more">
              {t("mentions.more", { count: matches.length - shown.length })}
            </li>
          ) : null}
        </ul>
      ) : null}
    </>
  );
}
