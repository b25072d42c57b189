import { Extension, type Editor } from "@tiptap/core";
import { Plugin, PluginKey, type EditorState } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import {
  absolutePositionToRelativePosition,
  relativePositionToAbsolutePosition,
  ySyncPluginKey,
} from "@tiptap/y-tiptap";
import * as Y from "yjs";
import { planFragmentName } from "~/lib/plan-schema";

export interface CommentAnchorJson {
  from: Record<string, unknown>;
  to: Record<string, unknown>;
}

export interface AnchoredThread {
  id: number;
  anchor: CommentAnchorJson;
  resolved: boolean;
}

const commentHighlightsKey = new PluginKey<AnchoredThread[]>("commentHighlights");

interface YBinding {
  doc: Y.Doc;
  mapping: Parameters<typeof absolutePositionToRelativePosition>[2];
}

function bindingOf(state: EditorState): YBinding | null {
  const sync = ySyncPluginKey.getState(state) as { binding?: YBinding; doc?: Y.Doc } | undefined;
  return sync?.binding ?? null;
}

/**
 * Where a thread's anchor is in the document now, or null when its text was deleted or the anchor cannot be
 * resolved: one bad anchor must never break the page for everyone (issue 10), so it is skipped, never thrown.
 */
export function resolveAnchor(state: EditorState, anchor: CommentAnchorJson): { from: number; to: number } | null {
  const binding = bindingOf(state);
  if (!binding) return null;
  try {
    const fragment = binding.doc.getXmlFragment(planFragmentName);
    const from = relativePositionToAbsolutePosition(
      binding.doc,
      fragment,
      Y.createRelativePositionFromJSON(anchor.from),
      binding.mapping,
    );
    const to = relativePositionToAbsolutePosition(
      binding.doc,
      fragment,
      Y.createRelativePositionFromJSON(anchor.to),
      binding.mapping,
    );
    if (from === null || to === null || to <= from || to > state.doc.content.size) return null;
    return { from, to };
  } catch {
    return null;
  }
}

/** The anchor of a range as Yjs relative positions, so it moves with the text as others edit around it. */
export function anchorOf(state: EditorState, from: number, to: number): CommentAnchorJson | null {
  const binding = bindingOf(state);
  if (!binding || to <= from) return null;
  const fragment = binding.doc.getXmlFragment(planFragmentName);
  // y-tiptap declares its result as `any`; it is a Y.RelativePosition.
  const relative = (position: number) =>
    absolutePositionToRelativePosition(position, fragment, binding.mapping) as Y.RelativePosition;
  return {
    from: Y.relativePositionToJSON(relative(from)) as Record<string, unknown>,
    to: Y.relativePositionToJSON(relative(to)) as Record<string, unknown>,
  };
}

/** Highlights the text each open thread is anchored to. Threads are set with `setCommentThreads`. */
export const CommentHighlights = Extension.create({
  name: "commentHighlights",
  addProseMirrorPlugins() {
    return [
      new Plugin<AnchoredThread[]>({
        key: commentHighlightsKey,
        state: {
          init: () => [],
          apply: (tr, threads) => (tr.getMeta(commentHighlightsKey) as AnchoredThread[] | undefined) ?? threads,
        },
        props: {
          decorations(state) {
            const threads = commentHighlightsKey.getState(state) ?? [];
            const decorations: Decoration[] = [];
            for (const thread of threads) {
              if (thread.resolved) continue;
              const range = resolveAnchor(state, thread.anchor);
              if (range) {
                decorations.push(
                  Decoration.inline(range.from, range.to, {
                    class: "comment-anchor",
                    "data-thread": String(thread.id),
                  }),
                );
              }
            }
            return DecorationSet.create(state.doc, decorations);
          },
        },
      }),
    ];
  },
});

export function setCommentThreads(editor: Editor, threads: AnchoredThread[]): void {
  if (editor.isDestroyed) return;
  editor.view.dispatch(editor.state.tr.setMeta(commentHighlightsKey, threads).setMeta("addToHistory", false));
}
