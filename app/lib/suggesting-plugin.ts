import { Extension } from "@tiptap/core";
import { isChangeOrigin } from "@tiptap/extension-collaboration";
import type { Mark, MarkType, Node as PmNode } from "@tiptap/pm/model";
import { Plugin, PluginKey, TextSelection, type EditorState, type Transaction } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import {
  newSuggestionId,
  suggestionDeleteMark,
  suggestionInsertMark,
  suggestionMarkNames,
  type SuggestionAttrs,
  type SuggestionKind,
} from "./plan-suggestions";

/*
 * Suggesting mode (issue 18): typing, pasting and deleting become the person's own suggestion marks (plan-suggestions.ts)
 * instead of changes to the text, and every other local change is refused while the mode is on. What it produces is
 * exactly what the collaboration server's suggest-only filter accepts (suggest-filter.ts): new text only inside the
 * author's own insertion mark (with the formatting it was typed in), deletion marks of the author's own on text that is
 * no one's suggestion, and removal of text only where it is the author's own suggested insertion. Changes from Yjs
 * (other people, undo) pass untouched. Our own small plugin rather than a library's: README, Decisions.
 */

export interface SuggestingSettings {
  /** Suggesting (true) or editing (false); read on every transaction, so the page may flip it at any time. */
  on: boolean;
  /** The person's user id: the author of every suggestion they make. */
  author: string;
  /** The accessible label read before each suggestion (kind, author's name, time), in the reader's language. */
  label: (kind: SuggestionKind, author: string, at: string) => string;
}

export const suggestingKey = new PluginKey("suggesting");
const settingsOf = new WeakMap<Plugin, () => SuggestingSettings>();

/** Whether the editor is in suggesting mode now (formatting buttons are then unavailable). */
export function isSuggesting(state: EditorState): boolean {
  const plugin = suggestingKey.get(state);
  return plugin ? settingsOf.get(plugin)?.().on === true : false;
}
const ownChange = "suggestingOwnChange";

function isSuggestionMark(mark: Mark): boolean {
  return (suggestionMarkNames as readonly string[]).includes(mark.type.name);
}

function ownAttrs(mark: Mark | null | undefined, author: string): SuggestionAttrs | null {
  return mark && mark.attrs.author === author ? (mark.attrs as SuggestionAttrs) : null;
}

/** The author's own suggestion of `type` touching `pos` (before or after it), so typing on extends one suggestion. */
function adjacentOwn(doc: PmNode, pos: number, type: MarkType, author: string): SuggestionAttrs | null {
  const $pos = doc.resolve(pos);
  return (
    ownAttrs(type.isInSet($pos.nodeBefore?.marks ?? []), author) ??
    ownAttrs(type.isInSet($pos.nodeAfter?.marks ?? []), author)
  );
}

function freshAttrs(author: string): SuggestionAttrs {
  return { id: newSuggestionId(), author, at: new Date().toISOString() };
}

/**
 * Marks the text between `from` and `to` as the author's suggested deletion: the author's own suggested insertions
 * there are withdrawn (removed), other people's suggestions and anything that is not text are left as they are.
 */
function suggestDeletion(tr: Transaction, from: number, to: number, author: string): void {
  const schema = tr.doc.type.schema;
  const insertType = schema.marks[suggestionInsertMark]!;
  const deleteType = schema.marks[suggestionDeleteMark]!;
  const ranges: { from: number; to: number; remove: boolean }[] = [];
  tr.doc.nodesBetween(from, to, (node, pos) => {
    if (!node.isInline) return true;
    if (!node.isText) return false;
    const range = { from: Math.max(pos, from), to: Math.min(pos + node.nodeSize, to) };
    const insertion = insertType.isInSet(node.marks);
    if (insertion) {
      if (insertion.attrs.author === author) ranges.push({ ...range, remove: true });
    } else if (!deleteType.isInSet(node.marks)) ranges.push({ ...range, remove: false });
    return false;
  });
  if (ranges.length === 0) return;
  const attrs =
    adjacentOwn(tr.doc, from, deleteType, author) ?? adjacentOwn(tr.doc, to, deleteType, author) ?? freshAttrs(author);
  // From the end, so the positions of earlier ranges stay valid.
  for (const range of ranges.reverse()) {
    if (range.remove) tr.delete(range.from, range.to);
    else tr.addMark(range.from, range.to, deleteType.create(attrs));
  }
}

/** A suggestion replacing `from`..`to` by `text`: the range is suggested for deletion, the text for insertion after it. */
export function suggestReplacement(
  state: EditorState,
  from: number,
  to: number,
  text: string,
  author: string,
): Transaction {
  const tr = state.tr;
  const insertType = state.schema.marks[suggestionInsertMark]!;
  if (to > from) suggestDeletion(tr, from, to, author);
  const at = tr.mapping.map(to);
  if (text) {
    const inherited = tr.doc
      .resolve(at)
      .marks()
      .filter((mark) => !isSuggestionMark(mark));
    const attrs = adjacentOwn(tr.doc, at, insertType, author) ?? freshAttrs(author);
    tr.insert(at, state.schema.text(text, [...inherited, insertType.create(attrs)]));
  }
  tr.setSelection(TextSelection.create(tr.doc, at + text.length));
  return tr.setMeta(ownChange, true).scrollIntoView();
}

/** Backspace (`forward` false) or Delete: the selection, or the character before or after the caret. */
export function suggestDelete(state: EditorState, forward: boolean, author: string): Transaction | null {
  const { selection } = state;
  let { from, to } = selection;
  if (selection.empty) {
    const $cursor = selection.$from;
    if (!$cursor.parent.isTextblock) return null;
    // Joining blocks is not a text suggestion: the caret stays where it is.
    if (forward ? $cursor.parentOffset === $cursor.parent.content.size : $cursor.parentOffset === 0) return null;
    if (forward) to = from + 1;
    else from = to - 1;
  }
  const tr = state.tr;
  suggestDeletion(tr, from, to, author);
  // The caret moves over what is now marked, as if it were gone.
  const caret = forward && selection.empty ? tr.mapping.map(to) : tr.mapping.map(from, -1);
  tr.setSelection(TextSelection.create(tr.doc, caret));
  return tr.setMeta(ownChange, true).scrollIntoView();
}

/** A hidden label before each suggestion (screen readers), and its label as a tooltip on the text: never colour alone. */
function labels(doc: PmNode, settings: SuggestingSettings): DecorationSet {
  const decorations: Decoration[] = [];
  let previous: string | null = null;
  doc.descendants((node, pos) => {
    if (!node.isText) {
      if (!node.isInline) previous = null;
      return true;
    }
    const mark = node.marks.find(isSuggestionMark);
    if (!mark) {
      previous = null;
      return false;
    }
    const kind: SuggestionKind = mark.type.name === suggestionInsertMark ? "insert" : "delete";
    const text = settings.label(kind, String(mark.attrs.author), String(mark.attrs.at));
    const key = `${kind}:${String(mark.attrs.id)}`;
    if (key !== previous) {
      decorations.push(
        Decoration.widget(
          pos,
          () => {
            const span = document.createElement("span");
            span.className = "visually-hidden";
            span.textContent = `${text}: `;
            return span;
          },
          { side: -1, key: `${key}:${text}`, ignoreSelection: true },
        ),
      );
    }
    decorations.push(Decoration.inline(pos, pos + node.nodeSize, { title: text }));
    previous = key;
    return false;
  });
  return DecorationSet.create(doc, decorations);
}

/** Asks the editor to redraw the labels and re-read the mode (after the page changed `settings`). */
export function refreshSuggesting(view: { state: EditorState; dispatch: (tr: Transaction) => void }): void {
  view.dispatch(view.state.tr.setMeta(suggestingKey, true));
}

// A function, not the object: TipTap's configure() deep-copies plain objects, and the page changes these as it goes.
export const Suggesting = Extension.create<{ settings: () => SuggestingSettings }>({
  name: "suggesting",
  // Before the keymaps of other extensions: Backspace and Delete are ours while suggesting.
  priority: 1000,
  addOptions() {
    const off: SuggestingSettings = { on: false, author: "", label: (kind) => kind };
    return { settings: () => off };
  },
  addProseMirrorPlugins() {
    const read = this.options.settings;
    const plugin = new Plugin({
      key: suggestingKey,
      state: {
        init: (_config, state) => labels(state.doc, read()),
        apply: (tr, old, _before, after) =>
          tr.docChanged || tr.getMeta(suggestingKey) ? labels(after.doc, read()) : old,
      },
      // While suggesting, no other local change reaches the document: formatting, new blocks, joins, cut, drop.
      filterTransaction: (tr) => !read().on || !tr.docChanged || Boolean(tr.getMeta(ownChange)) || isChangeOrigin(tr),
      props: {
        decorations: (state) => suggestingKey.getState(state) as DecorationSet,
        handleTextInput: (view, from, to, text) => {
          if (!read().on) return false;
          view.dispatch(suggestReplacement(view.state, from, to, text, read().author));
          return true;
        },
        handleKeyDown: (view, event) => {
          if (!read().on || (event.key !== "Backspace" && event.key !== "Delete")) return false;
          const tr = suggestDelete(view.state, event.key === "Delete", read().author);
          if (tr) view.dispatch(tr);
          return true;
        },
        handlePaste: (view, _event, slice) => {
          if (!read().on) return false;
          const text = slice.content.textBetween(0, slice.content.size, " ");
          const { from, to } = view.state.selection;
          view.dispatch(suggestReplacement(view.state, from, to, text, read().author));
          return true;
        },
        handleDrop: () => read().on,
      },
    });
    settingsOf.set(plugin, read);
    return [plugin];
  },
});
