import { Mark, mergeAttributes } from "@tiptap/core";
import type { Node as PmNode, Schema } from "@tiptap/pm/model";
import { Transform } from "@tiptap/pm/transform";
import { colourFor } from "./person-colour";
import type { PlanNode } from "./plan-schema";

/*
 * Suggestion mode (issue 18): a suggested insertion is text carrying a `suggestionInsert` mark, a suggested deletion
 * text carrying a `suggestionDelete` mark, each with the suggestion's id, its author (a user id) and when it was made.
 * Our own two marks rather than a library's (README, Decisions): the collaboration server must be able to check, from
 * the Yjs update alone, that a suggest-only person added or removed nothing but marks of their own.
 */

export const suggestionInsertMark = "suggestionInsert";
export const suggestionDeleteMark = "suggestionDelete";
export const suggestionMarkNames = [suggestionInsertMark, suggestionDeleteMark] as const;
export type SuggestionKind = "insert" | "delete";

export interface SuggestionAttrs {
  /** Groups the characters of one suggestion (consecutive typing reuses the id of the run it extends). */
  id: string;
  /** The author's user id: the collaboration server refuses a mark naming anyone but the socket's own person. */
  author: string;
  /** ISO 8601 time the suggestion was started. */
  at: string;
}

/** A suggestion id: short, URL-safe, unique enough within one plan. */
export const suggestionIdPattern = /^[A-Za-z0-9_-]{6,40}$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** True when `value` is a well-formed suggestion mark's attributes (exactly these three keys). */
export function isSuggestionAttrs(value: unknown): value is SuggestionAttrs {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const attrs = value as Record<string, unknown>;
  const keys = Object.keys(attrs);
  return (
    keys.length === 3 &&
    typeof attrs.id === "string" &&
    suggestionIdPattern.test(attrs.id) &&
    typeof attrs.author === "string" &&
    uuidPattern.test(attrs.author) &&
    typeof attrs.at === "string" &&
    isoPattern.test(attrs.at)
  );
}

export function newSuggestionId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(36).padStart(2, "0"))
    .join("")
    .slice(0, 16);
}

function suggestionMark(name: string, tag: "ins" | "del", kind: SuggestionKind) {
  return Mark.create({
    name,
    // Never extended by typing next to it: the suggestion plugin adds the mark itself, with the typist's own author.
    inclusive: false,
    // One suggestion at a time on any character, and never both kinds.
    excludes: suggestionMarkNames.join(" "),
    addAttributes() {
      return {
        id: { default: "" },
        author: { default: "" },
        at: { default: "" },
      };
    },
    parseHTML() {
      return [
        {
          tag: `${tag}[data-suggestion-id]`,
          getAttrs: (element) => ({
            id: element.getAttribute("data-suggestion-id") ?? "",
            author: element.getAttribute("data-author") ?? "",
            at: element.getAttribute("data-at") ?? "",
          }),
        },
      ];
    },
    renderHTML({ mark, HTMLAttributes }) {
      const author = String(mark.attrs.author ?? "");
      return [
        tag,
        mergeAttributes(
          {
            class: `suggestion suggestion--${kind}`,
            "data-suggestion-id": String(mark.attrs.id ?? ""),
            "data-author": author,
            "data-at": String(mark.attrs.at ?? ""),
            style: `--suggestion-colour: ${colourFor(author)}`,
          },
          // The three attributes above are the mark's own; TipTap would otherwise render them as id/author/at.
          Object.fromEntries(Object.entries(HTMLAttributes).filter(([key]) => !["id", "author", "at"].includes(key))),
        ),
        0,
      ];
    },
  });
}

/** The two marks, part of the plan schema (app/lib/plan-schema.ts) everywhere a plan is read or written. */
export const SuggestionInsert = suggestionMark(suggestionInsertMark, "ins", "insert");
export const SuggestionDelete = suggestionMark(suggestionDeleteMark, "del", "delete");

export interface OpenSuggestion extends SuggestionAttrs {
  kind: SuggestionKind;
  /** The text suggested for insertion or deletion (all its runs, joined). */
  text: string;
}

/** The open suggestions of a ProseMirror document, in document order, one per id. */
export function listSuggestions(doc: PmNode): OpenSuggestion[] {
  const found = new Map<string, OpenSuggestion>();
  doc.descendants((node) => {
    if (!node.isText) return true;
    for (const mark of node.marks) {
      const kind =
        mark.type.name === suggestionInsertMark ? "insert" : mark.type.name === suggestionDeleteMark ? "delete" : null;
      if (!kind) continue;
      const attrs = mark.attrs as SuggestionAttrs;
      const existing = found.get(attrs.id);
      if (existing) existing.text += node.text ?? "";
      else found.set(attrs.id, { id: attrs.id, author: attrs.author, at: attrs.at, kind, text: node.text ?? "" });
    }
    return false;
  });
  return [...found.values()];
}

/** The open suggestions of a plan's JSON (versions, Board packets, exports), in document order, one per id. */
export function listSuggestionsInJson(content: PlanNode | null | undefined): OpenSuggestion[] {
  const found = new Map<string, OpenSuggestion>();
  const walk = (node: PlanNode) => {
    if (node.type === "text") {
      for (const mark of node.marks ?? []) {
        const kind =
          mark.type === suggestionInsertMark ? "insert" : mark.type === suggestionDeleteMark ? "delete" : null;
        if (!kind || !isSuggestionAttrs(mark.attrs)) continue;
        const existing = found.get(mark.attrs.id);
        if (existing) existing.text += node.text ?? "";
        else found.set(mark.attrs.id, { ...mark.attrs, kind, text: node.text ?? "" });
      }
    }
    for (const child of node.content ?? []) walk(child);
  };
  if (content) walk(content);
  return [...found.values()];
}

export type SuggestionDecision = "accept" | "reject";

/**
 * Accepts or rejects the suggestions `ids` in `doc`: an accepted insertion and a rejected deletion become ordinary
 * text (the mark goes), a rejected insertion and an accepted deletion vanish (the text goes). Returns the transform
 * (its `doc` is the result) and which suggestions it found.
 */
export function decideSuggestions(
  doc: PmNode,
  schema: Schema,
  ids: ReadonlySet<string>,
  decision: SuggestionDecision,
): { transform: Transform; decided: OpenSuggestion[] } {
  const insertType = schema.marks[suggestionInsertMark]!;
  const deleteType = schema.marks[suggestionDeleteMark]!;
  const decided = listSuggestions(doc).filter((suggestion) => ids.has(suggestion.id));
  const removeText: { from: number; to: number }[] = [];
  const unmark: { from: number; to: number; type: typeof insertType }[] = [];
  doc.descendants((node, pos) => {
    if (!node.isText) return true;
    for (const mark of node.marks) {
      if (mark.type !== insertType && mark.type !== deleteType) continue;
      if (!ids.has(String(mark.attrs.id))) continue;
      const range = { from: pos, to: pos + node.nodeSize };
      const keepsText = (mark.type === insertType) === (decision === "accept");
      if (keepsText) unmark.push({ ...range, type: mark.type });
      else removeText.push(range);
    }
    return false;
  });
  const transform = new Transform(doc);
  for (const range of unmark) transform.removeMark(range.from, range.to, range.type);
  // From the end, so earlier positions stay valid.
  for (const range of removeText.reverse()) transform.delete(range.from, range.to);
  return { transform, decided };
}
