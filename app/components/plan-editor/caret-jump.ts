import type { Editor } from "@tiptap/core";
import { relativePositionToAbsolutePosition, ySyncPluginKey } from "@tiptap/y-tiptap";
import * as Y from "yjs";
import type { WebsocketProvider } from "y-websocket";
import { planFragmentName } from "~/lib/plan-schema";

interface YBinding {
  doc: Y.Doc;
  mapping: Parameters<typeof relativePositionToAbsolutePosition>[3];
}

/**
 * Where another person's caret is now (issue 18): y-prosemirror publishes it in their awareness state as Yjs
 * relative positions (`cursor.head`), which resolve to a position in our copy of the document. Null when they
 * have no caret (their editor is not focused) or it cannot be resolved.
 */
export function caretPositionOf(editor: Editor, provider: WebsocketProvider, clientId: number): number | null {
  if (editor.isDestroyed) return null;
  const state = provider.awareness.getStates().get(clientId) as
    { cursor?: { head?: Record<string, unknown> } | null } | undefined;
  const head = state?.cursor?.head;
  const sync = ySyncPluginKey.getState(editor.state) as { binding?: YBinding } | undefined;
  const binding = sync?.binding;
  if (!head || !binding) return null;
  try {
    const position = relativePositionToAbsolutePosition(
      binding.doc,
      binding.doc.getXmlFragment(planFragmentName),
      Y.createRelativePositionFromJSON(head),
      binding.mapping,
    );
    return position === null ? null : Math.min(position, editor.state.doc.content.size);
  } catch {
    return null;
  }
}

/** Scrolls the other person's caret into the middle of the view. Returns whether there was a caret to go to. */
export function jumpToCaret(editor: Editor, provider: WebsocketProvider, clientId: number): boolean {
  const position = caretPositionOf(editor, provider, clientId);
  if (position === null) return false;
  const found = editor.view.domAtPos(position);
  const element = found.node instanceof Element ? found.node : found.node.parentElement;
  element?.scrollIntoView({ block: "center" });
  return true;
}
