import type { Editor } from "@tiptap/core";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { resolveAnchor, type AnchoredThread } from "./comment-highlights";

export interface OutlineSection {
  /** The heading's position in the document (its start). */
  pos: number;
  level: number;
  text: string;
  /** Open comment threads anchored between this heading and the next one. */
  comments: number;
}

/**
 * The plan's sections (issue 18): every heading, with the open threads anchored in the text up to the next
 * heading of any level, so no comment is counted twice.
 */
export function outlineOf(editor: Editor, threads: AnchoredThread[]): OutlineSection[] {
  const sections: OutlineSection[] = [];
  editor.state.doc.forEach((node, offset) => {
    if (node.type.name === "heading" && node.textContent.trim()) {
      sections.push({ pos: offset, level: Number(node.attrs.level ?? 2), text: node.textContent.trim(), comments: 0 });
    }
  });
  for (const thread of threads) {
    if (thread.resolved) continue;
    const range = resolveAnchor(editor.state, thread.anchor);
    if (!range) continue;
    let owner: OutlineSection | undefined;
    for (const section of sections) {
      if (section.pos <= range.from) owner = section;
      else break;
    }
    if (owner) owner.comments += 1;
  }
  return sections;
}

/** Scrolls a document position into view (below the sticky status and toolbar) and puts the caret there. */
export function jumpToPosition(editor: Editor, pos: number): void {
  if (editor.isDestroyed) return;
  const size = editor.state.doc.content.size;
  const target = Math.max(0, Math.min(pos, size));
  const found = editor.view.domAtPos(target);
  const node = found.node.childNodes[found.offset] ?? found.node;
  const element = node instanceof Element ? node : node.parentElement;
  element?.scrollIntoView({ block: "start" });
  if (editor.isEditable) {
    // Inside the heading's text, so typing continues there; `focus` without scrolling again.
    editor
      .chain()
      .setTextSelection(Math.min(target + 1, size))
      .focus(undefined, { scrollIntoView: false })
      .run();
  }
}

/**
 * The outline beside a long plan: a navigation landmark of its own name, folded away on a phone (a `details`
 * that starts closed on narrow screens), each entry a button that jumps to its section.
 */
export function PlanOutline({ editor, threads }: { editor: Editor | null; threads: AnchoredThread[] }) {
  const { t } = useTranslation();
  const [sections, setSections] = useState<OutlineSection[]>([]);
  const fold = useRef<HTMLDetailsElement>(null);

  useEffect(() => {
    // Folded on a phone: decided after hydration, where the screen is known (the element keeps its own state).
    if (fold.current && window.matchMedia("(max-width: 900px)").matches) fold.current.open = false;
  }, []);

  useEffect(() => {
    if (!editor) return;
    let frame = 0;
    const refresh = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (editor.isDestroyed) return;
        const next = outlineOf(editor, threads);
        setSections((previous) => (JSON.stringify(previous) === JSON.stringify(next) ? previous : next));
      });
    };
    refresh();
    // Every transaction, not only edits: the Yjs binding (and so the anchors) is ready only after the first sync.
    editor.on("transaction", refresh);
    return () => {
      cancelAnimationFrame(frame);
      editor.off("transaction", refresh);
    };
  }, [editor, threads]);

  return (
    <nav className="plan-outline" aria-label={t("planOutline.title")}>
      <details open ref={fold}>
        <summary>{t("planOutline.title")}</summary>
        {sections.length === 0 ? (
          <p className="hint">{t("planOutline.empty")}</p>
        ) : (
          <ol className="plan-outline__list">
            {sections.map((section) => (
              <li key={section.pos} className={`plan-outline__item plan-outline__item--${section.level}`}>
                <button
                  type="button"
                  className="plan-outline__jump"
                  onClick={() => editor && jumpToPosition(editor, section.pos)}
                >
                  <span className="plan-outline__text">{section.text}</span>
                  {section.comments > 0 ? (
                    <span className="plan-outline__count">
                      {t("planOutline.comments", { count: section.comments })}
                    </span>
                  ) : null}
                </button>
              </li>
            ))}
          </ol>
        )}
      </details>
    </nav>
  );
}
