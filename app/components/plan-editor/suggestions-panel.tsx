import { useFetcher } from "@remix-run/react";
import { yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { LocalTime } from "~/components/fields";
import type { FieldError } from "~/lib/forms";
import { colourFor } from "~/lib/person-colour";
import { planFragmentName, type PlanNode } from "~/lib/plan-schema";
import { listSuggestionsInJson, type OpenSuggestion, type SuggestionDecision } from "~/lib/plan-suggestions";
import "~/styles/suggestions.css";
import type { PlanConnection } from "./use-plan-connection";

/** The open suggestions of the live plan, kept current as the document changes (anyone's edit, or a decision). */
export function useOpenSuggestions(connection: PlanConnection | null): OpenSuggestion[] {
  const [suggestions, setSuggestions] = useState<OpenSuggestion[]>([]);
  useEffect(() => {
    if (!connection) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () => {
      timer = undefined;
      const json = yXmlFragmentToProsemirrorJSON(connection.doc.getXmlFragment(planFragmentName)) as PlanNode;
      setSuggestions(listSuggestionsInJson(json));
    };
    // Typing changes the document on every key: the list is read at most a few times a second.
    const onUpdate = () => {
      timer ??= setTimeout(read, 250);
    };
    connection.doc.on("update", onUpdate);
    read();
    return () => {
      clearTimeout(timer);
      connection.doc.off("update", onUpdate);
    };
  }, [connection]);
  return suggestions;
}

interface DecisionResult {
  ok?: boolean;
  formError?: FieldError | null;
  errors?: Record<string, FieldError>;
}

interface SuggestionsPanelProps {
  suggestions: OpenSuggestion[];
  /** Edit rights: may switch modes and decide on suggestions. Comment rights: always suggesting. */
  mayEdit: boolean;
  mayComment: boolean;
  suggesting: boolean;
  onSuggestingChange: (suggesting: boolean) => void;
  /** User id → name of the people on the plan. */
  people: Record<string, string>;
}

/**
 * Suggestion mode's controls (issue 18): Editing / Suggesting for people who may edit (comment-only people are told
 * they suggest), and the open suggestions with their author and time, each accepted or rejected, or all of one author's.
 */
export function SuggestionsPanel({
  suggestions,
  mayEdit,
  mayComment,
  suggesting,
  onSuggestingChange,
  people,
}: SuggestionsPanelProps) {
  const { t } = useTranslation();
  const fetcher = useFetcher<DecisionResult>();
  const nameOf = (author: string) => people[author] ?? t("plan.someone");
  const byAuthor = useMemo(() => {
    const groups = new Map<string, string[]>();
    for (const suggestion of suggestions)
      groups.set(suggestion.author, [...(groups.get(suggestion.author) ?? []), suggestion.id]);
    return [...groups];
  }, [suggestions]);
  const busy = fetcher.state !== "idle";
  const error = fetcher.data?.formError ?? Object.values(fetcher.data?.errors ?? {})[0] ?? null;
  const decide = (decision: SuggestionDecision, ids: string[]) =>
    fetcher.submit({ intent: "suggestions", decision, ids: ids.join(" ") }, { method: "post" });

  if (!mayComment) return null;
  return (
    <section className="suggestions-panel" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">{t("suggestions.title", { total: suggestions.length })}</h2>
      {mayEdit ? (
        <div className="suggestions-panel__mode" role="group" aria-label={t("suggestions.mode")}>
          <button
            type="button"
            className="toolbar-button"
            aria-pressed={!suggesting}
            onClick={() => onSuggestingChange(false)}
          >
            {t("suggestions.editing")}
          </button>
          <button
            type="button"
            className="toolbar-button"
            aria-pressed={suggesting}
            onClick={() => onSuggestingChange(true)}
          >
            {t("suggestions.suggesting")}
          </button>
        </div>
      ) : null}
      <p className="suggestions-panel__hint" role="status">
        {mayEdit
          ? t(suggesting ? "suggestions.suggestingHint" : "suggestions.editingHint")
          : t("suggestions.commentOnlyHint")}
      </p>
      {error ? (
        <p className="field__error" role="alert">
          {t(error.key, error.values)}
        </p>
      ) : null}
      {suggestions.length === 0 ? (
        <p>{t("suggestions.none")}</p>
      ) : (
        <ul>
          {suggestions.map((suggestion) => (
            <li
              key={suggestion.id}
              style={{ "--suggestion-colour": colourFor(suggestion.author) } as React.CSSProperties}
              data-suggestion={suggestion.id}
            >
              <span className="suggestions-panel__author">{nameOf(suggestion.author)}</span>
              <span>{t(`suggestions.kind.${suggestion.kind}`)}</span>
              <LocalTime iso={suggestion.at} />
              <span className="suggestions-panel__text">
                {suggestion.kind === "insert" ? (
                  <ins className="suggestion suggestion--insert">{suggestion.text}</ins>
                ) : (
                  <del className="suggestion suggestion--delete">{suggestion.text}</del>
                )}
              </span>
              {mayEdit ? (
                <span className="suggestions-panel__actions">
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={t("suggestions.acceptOne", { text: suggestion.text })}
                    onClick={() => decide("accept", [suggestion.id])}
                  >
                    {t("suggestions.accept")}
                  </button>
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={t("suggestions.rejectOne", { text: suggestion.text })}
                    onClick={() => decide("reject", [suggestion.id])}
                  >
                    {t("suggestions.reject")}
                  </button>
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {mayEdit && byAuthor.length > 0 ? (
        <ul className="suggestions-panel__authors">
          {byAuthor.map(([author, ids]) => (
            <li key={author}>
              <span className="suggestions-panel__author" style={{ color: colourFor(author) }}>
                {t("suggestions.byAuthor", { name: nameOf(author), total: ids.length })}
              </span>
              <span className="suggestions-panel__actions">
                <button type="button" disabled={busy} onClick={() => decide("accept", ids)}>
                  {t("suggestions.acceptAll", { name: nameOf(author) })}
                </button>
                <button type="button" disabled={busy} onClick={() => decide("reject", ids)}>
                  {t("suggestions.rejectAll", { name: nameOf(author) })}
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
