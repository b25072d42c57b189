import type { Editor } from "@tiptap/core";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import { useEffect } from "react";

const tableScrollKey = new PluginKey("tableScroll");

/**
 * A plan table wider than a phone scrolls within its own wrapper (issue 18), never the page. A scrolling region
 * must be reachable and named for people on a keyboard or a screen reader (axe's scrollable-region-focusable), so
 * each wrapper TipTap's TableView draws gets `tabindex="0"`, a group role and a numbered name. TableView ignores
 * attribute changes on its wrapper, so ProseMirror does not redraw the table for them.
 */
export function useTableScrollLabels(editor: Editor | null, label: (index: number) => string): void {
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    const labelTables = (root: HTMLElement) => {
      root.querySelectorAll<HTMLElement>(".tableWrapper").forEach((wrapper, index) => {
        const name = label(index + 1);
        if (wrapper.getAttribute("aria-label") === name) return;
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "group");
        wrapper.setAttribute("aria-label", name);
      });
    };
    const plugin = new Plugin({
      key: tableScrollKey,
      view: (view) => {
        labelTables(view.dom);
        return { update: (updated) => labelTables(updated.dom) };
      },
    });
    editor.registerPlugin(plugin);
    return () => {
      if (!editor.isDestroyed) editor.unregisterPlugin(tableScrollKey);
    };
  }, [editor, label]);
}
