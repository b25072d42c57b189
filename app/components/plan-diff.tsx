import type { DiffBlock } from "~/lib/plan-diff";
import type { PlanLanguage } from "~/lib/plan-language";

/** A plan diff, block by block, with word-level changes inside changed blocks (compare page, Board packets). */
export function PlanDiff({ blocks, language }: { blocks: DiffBlock[]; language?: PlanLanguage }) {
  return (
    <div className="plan-diff" lang={language?.language} dir={language?.dir}>
      {blocks.map((block, index) => (
        <p key={index} className={`plan-diff__block plan-diff__block--${block.kind}`}>
          {block.parts.map((part, partIndex) =>
            part.kind === "added" ? (
              <ins key={partIndex}>{part.text}</ins>
            ) : part.kind === "removed" ? (
              <del key={partIndex}>{part.text}</del>
            ) : (
              <span key={partIndex}>{part.text}</span>
            ),
          )}
        </p>
      ))}
    </div>
  );
}
