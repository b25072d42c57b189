import { diffArrays, diffWords } from "diff";
import type { PlanNode } from "~/lib/plan-schema";
import {
  isSuggestionAttrs,
  suggestionDeleteMark,
  suggestionInsertMark,
  type SuggestionKind,
} from "~/lib/plan-suggestions";

/** A plan flattened to its blocks' text (headings, paragraphs, cells, list items), for comparing versions. */
export function planBlocks(content: PlanNode | null | undefined): string[] {
  const blocks: string[] = [];
  const textOf = (node: PlanNode): string =>
    node.type === "text"
      ? (node.text ?? "")
      : node.type === "hardBreak"
        ? "\n"
        : (node.content ?? []).map(textOf).join("");
  const walk = (node: PlanNode) => {
    if (["paragraph", "heading", "codeBlock"].includes(node.type)) {
      const prefix = node.type === "heading" ? "#".repeat(Number(node.attrs?.level ?? 1)) + " " : "";
      blocks.push(prefix + textOf(node));
      return;
    }
    for (const child of node.content ?? []) walk(child);
  };
  if (content) walk(content);
  return blocks;
}

/** An open suggestion (issue 18) a diff part's text belongs to, in the version it is shown from. */
export type DiffSuggestion = { kind: SuggestionKind; author: string; at: string };
/** Each block's open suggestion per UTF-16 unit of its text (null: ordinary text), in planBlocks' order. */
function suggestionsPerUnit(content: PlanNode | null | undefined): (DiffSuggestion | null)[][] {
  const blocks: (DiffSuggestion | null)[][] = [];
  const unitsOf = (node: PlanNode): (DiffSuggestion | null)[] => {
    if (node.type === "hardBreak") return [null];
    if (node.type !== "text") return (node.content ?? []).flatMap(unitsOf);
    const mark = (node.marks ?? []).find(
      (candidate) => candidate.type === suggestionInsertMark || candidate.type === suggestionDeleteMark,
    );
    const suggestion: DiffSuggestion | null =
      mark && isSuggestionAttrs(mark.attrs)
        ? {
            kind: mark.type === suggestionInsertMark ? "insert" : "delete",
            author: mark.attrs.author,
            at: mark.attrs.at,
          }
        : null;
    return Array.from({ length: (node.text ?? "").length }, () => suggestion);
  };
  const walk = (node: PlanNode) => {
    if (["paragraph", "heading", "codeBlock"].includes(node.type)) {
      const prefix = node.type === "heading" ? Number(node.attrs?.level ?? 1) + 1 : 0;
      blocks.push([...Array.from({ length: prefix }, () => null), ...unitsOf(node)]);
      return;
    }
    for (const child of node.content ?? []) walk(child);
  };
  if (content) walk(content);
  return blocks;
}

/** Splits a part where the suggestion its text belongs to changes (units: that text's annotations). */
function splitBySuggestion(part: DiffPart, units: (DiffSuggestion | null)[] | undefined, from: number): DiffPart[] {
  if (!units) return [part];
  const parts: DiffPart[] = [];
  const key = (suggestion: DiffSuggestion | null | undefined) =>
    suggestion ? `${suggestion.kind}:${suggestion.author}:${suggestion.at}` : "";
  let start = 0;
  for (let index = 1; index <= part.text.length; index++) {
    if (index < part.text.length && key(units[from + index]) === key(units[from + start])) continue;
    const suggestion = units[from + start];
    parts.push({ kind: part.kind, text: part.text.slice(start, index), ...(suggestion ? { suggestion } : {}) });
    start = index;
  }
  return parts.length > 0 ? parts : [part];
}

export type DiffPart = { kind: "same" | "added" | "removed"; text: string; suggestion?: DiffSuggestion };
export type DiffBlock = { kind: "same" | "added" | "removed" | "changed"; parts: DiffPart[] };

/**
 * Block-level diff; a removed block followed by an added one is shown as one changed block with word changes. Text
 * that is an open suggestion (issue 18) stays marked as one: removed text as it was in `before`, the rest as it is in
 * `after`.
 */
export function diffPlans(before: PlanNode | null | undefined, after: PlanNode | null | undefined): DiffBlock[] {
  const beforeUnits = suggestionsPerUnit(before);
  const afterUnits = suggestionsPerUnit(after);
  const changes = diffArrays(planBlocks(before), planBlocks(after));
  const blocks: DiffBlock[] = [];
  // The index of the next block of `before` and of `after`.
  let inBefore = 0;
  let inAfter = 0;
  const whole = (kind: DiffBlock["kind"], text: string, units: (DiffSuggestion | null)[] | undefined) =>
    blocks.push({ kind, parts: splitBySuggestion({ kind: kind === "changed" ? "same" : kind, text }, units, 0) });
  for (let index = 0; index < changes.length; index++) {
    const change = changes[index]!;
    const next = changes[index + 1];
    if (change.removed && next?.added) {
      const pairs = Math.min(change.value.length, next.value.length);
      for (let pair = 0; pair < pairs; pair++) {
        const was = beforeUnits[inBefore + pair];
        const now = afterUnits[inAfter + pair];
        let atBefore = 0;
        let atAfter = 0;
        const parts = diffWords(change.value[pair]!, next.value[pair]!).flatMap<DiffPart>((word) => {
          const kind = word.added ? "added" : word.removed ? "removed" : "same";
          const split = splitBySuggestion(
            { kind, text: word.value },
            kind === "removed" ? was : now,
            kind === "removed" ? atBefore : atAfter,
          );
          if (kind !== "added") atBefore += word.value.length;
          if (kind !== "removed") atAfter += word.value.length;
          return split;
        });
        blocks.push({ kind: "changed", parts });
      }
      change.value.slice(pairs).forEach((text, extra) => whole("removed", text, beforeUnits[inBefore + pairs + extra]));
      next.value.slice(pairs).forEach((text, extra) => whole("added", text, afterUnits[inAfter + pairs + extra]));
      inBefore += change.value.length;
      inAfter += next.value.length;
      index++;
      continue;
    }
    const kind = change.added ? "added" : change.removed ? "removed" : "same";
    change.value.forEach((text, offset) =>
      whole(kind, text, kind === "removed" ? beforeUnits[inBefore + offset] : afterUnits[inAfter + offset]),
    );
    if (kind !== "added") inBefore += change.value.length;
    if (kind !== "removed") inAfter += change.value.length;
  }
  return blocks;
}
