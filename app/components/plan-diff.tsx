import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useSuggestionLabel } from "~/components/plan-editor/suggestions-label";
import { colourFor } from "~/lib/person-colour";
import type { DiffBlock, DiffPart } from "~/lib/plan-diff";
import type { PlanLanguage } from "~/lib/plan-language";
import "~/styles/suggestions.css";

const nobody: Record<string, string> = {};

/**
 * A plan diff, block by block, with word-level changes inside changed blocks (compare page, Board packets). Text that
 * is an open suggestion (issue 18) is drawn as one, as in the version view: underlined or struck through in its
 * author's colour, its label (kind, author, time) read by screen readers, shown as a tooltip and printed.
 */
export function PlanDiff({
  blocks,
  language,
  people = nobody,
}: {
  blocks: DiffBlock[];
  language?: PlanLanguage;
  /** User id → name, for the authors of open suggestions. */
  people?: Record<string, string>;
}) {
  const { t } = useTranslation();
  const label = useSuggestionLabel(people);
  const text = (part: DiffPart): ReactNode => {
    if (!part.suggestion) return part.text;
    const { kind, author, at } = part.suggestion;
    const Tag = kind === "insert" ? "ins" : "del";
    const name = label(kind, author, at);
    return (
      <Tag
        className={`suggestion suggestion--${kind}`}
        title={name}
        data-author={author}
        style={{ "--suggestion-colour": colourFor(author) } as React.CSSProperties}
      >
        <span className="visually-hidden suggestion__label">{name}: </span>
        {part.text}
        <span className="visually-hidden"> ({t("suggestions.end")})</span>
      </Tag>
    );
  };
  return (
    <div className="plan-diff" lang={language?.language} dir={language?.dir}>
      {blocks.map((block, index) => (
        <p key={index} className={`plan-diff__block plan-diff__block--${block.kind}`}>
          {block.parts.map((part, partIndex) =>
            part.kind === "added" ? (
              <ins key={partIndex}>{text(part)}</ins>
            ) : part.kind === "removed" ? (
              <del key={partIndex}>{text(part)}</del>
            ) : (
              <span key={partIndex}>{text(part)}</span>
            ),
          )}
        </p>
      ))}
    </div>
  );
}
