import type { DiffBlock } from "~/lib/plan-diff";

/** A plan diff, block by block, with word-level changes inside changed blocks (compare page, Board packets). */
export function PlanDiff({ blocks }: { blocks: DiffBlock[] }) {
  return (
    <div className="plan-diff">
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
