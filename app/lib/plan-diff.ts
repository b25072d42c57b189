import { diffArrays, diffWords } from "diff";
import type { PlanNode } from "~/lib/plan-schema";

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

export type DiffPart = { kind: "same" | "added" | "removed"; text: string };
export type DiffBlock = { kind: "same" | "added" | "removed" | "changed"; parts: DiffPart[] };

/** Block-level diff; a removed block followed by an added one is shown as one changed block with word changes. */
export function diffPlans(before: PlanNode | null | undefined, after: PlanNode | null | undefined): DiffBlock[] {
  const changes = diffArrays(planBlocks(before), planBlocks(after));
  const blocks: DiffBlock[] = [];
  for (let index = 0; index < changes.length; index++) {
    const change = changes[index]!;
    const next = changes[index + 1];
    if (change.removed && next?.added) {
      const pairs = Math.min(change.value.length, next.value.length);
      for (let pair = 0; pair < pairs; pair++) {
        const parts = diffWords(change.value[pair]!, next.value[pair]!).map<DiffPart>((part) => ({
          kind: part.added ? "added" : part.removed ? "removed" : "same",
          text: part.value,
        }));
        blocks.push({ kind: "changed", parts });
      }
      for (const text of change.value.slice(pairs))
        blocks.push({ kind: "removed", parts: [{ kind: "removed", text }] });
      for (const text of next.value.slice(pairs)) blocks.push({ kind: "added", parts: [{ kind: "added", text }] });
      index++;
      continue;
    }
    const kind = change.added ? "added" : change.removed ? "removed" : "same";
    for (const text of change.value) blocks.push({ kind, parts: [{ kind, text }] });
  }
  return blocks;
}
