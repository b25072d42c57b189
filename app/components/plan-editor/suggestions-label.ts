import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "~/lib/datetime";
import type { SuggestionKind } from "~/lib/plan-suggestions";
import { useTimeZone } from "~/lib/use-time-zone";

/** "Suggested insertion by Amina Diallo, 2 December 2026, 09:00 GMT": what a suggestion is, by whom, when (issue 18). */
export function useSuggestionLabel(people: Record<string, string>) {
  const { t, i18n } = useTranslation();
  const zone = useTimeZone();
  return useCallback(
    (kind: SuggestionKind, author: string, at: string) => {
      const when = Number.isNaN(Date.parse(at)) ? "" : formatDateTime(at, i18n.language, zone);
      return t(`suggestions.label.${kind}`, { name: people[author] ?? t("plan.someone"), when });
    },
    [t, i18n.language, zone, people],
  );
}
