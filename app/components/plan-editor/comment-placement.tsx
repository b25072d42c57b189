import type { Editor } from "@tiptap/core";
import { useEffect, useState, type RefObject } from "react";
import { useTranslation } from "react-i18next";
import { resolveAnchor, type AnchoredThread } from "./comment-highlights";

const wide = "(min-width: 901px)";

function threadCards(aside: HTMLElement): HTMLElement[] {
  // Only the open threads' list: resolved ones are folded away at the end and have no highlighted passage.
  const list = aside.querySelector<HTMLElement>(".comments-panel > .threads");
  return list ? Array.from(list.querySelectorAll<HTMLElement>(":scope > li[data-thread]")) : [];
}

function passageOf(editor: Editor, thread: string): HTMLElement | null {
  return editor.view.dom.querySelector<HTMLElement>(`.comment-anchor[data-thread="${CSS.escape(thread)}"]`);
}

/**
 * Lines each open comment card up with its passage on wide screens (issue 18), as Google Docs does: cards follow
 * the passages' order and each one moves down to its passage's height, or just below the card before it when
 * passages are close. On narrow screens the cards stay in one column under the plan.
 */
export function placeComments(editor: Editor, aside: HTMLElement): void {
  const cards = threadCards(aside);
  const beside = window.matchMedia(wide).matches;
  aside.dataset.placement = beside ? "beside" : "stacked";
  const located = cards.map((card) => ({ card, passage: passageOf(editor, card.dataset.thread ?? "") }));
  for (const { card } of located) {
    card.style.marginBlockStart = "";
    card.style.order = "";
  }
  if (!beside) return;
  const anchored = located
    .filter((entry): entry is { card: HTMLElement; passage: HTMLElement } => entry.passage !== null)
    .map((entry) => ({ ...entry, top: entry.passage.getBoundingClientRect().top }))
    .sort((a, b) => a.top - b.top);
  anchored.forEach((entry, index) => {
    entry.card.style.order = String(index);
  });
  for (const entry of located) if (!entry.passage) entry.card.style.order = String(anchored.length);
  for (const entry of anchored) {
    const gap = entry.passage.getBoundingClientRect().top - entry.card.getBoundingClientRect().top;
    if (gap > 1) entry.card.style.marginBlockStart = `${Math.round(gap)}px`;
  }
}

/** Keeps the cards placed as the text, the threads and the window change. */
export function useCommentPlacement(
  editor: Editor | null,
  aside: RefObject<HTMLElement | null>,
  threads: AnchoredThread[],
): void {
  useEffect(() => {
    const side = aside.current;
    if (!editor || !side) return;
    let frame = 0;
    const schedule = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (!editor.isDestroyed) placeComments(editor, side);
      });
    };
    schedule();
    editor.on("transaction", schedule);
    window.addEventListener("resize", schedule);
    const observer = new ResizeObserver(schedule);
    observer.observe(editor.view.dom);
    const mutations = new MutationObserver(schedule);
    mutations.observe(side, { childList: true, subtree: true });
    return () => {
      cancelAnimationFrame(frame);
      editor.off("transaction", schedule);
      window.removeEventListener("resize", schedule);
      observer.disconnect();
      mutations.disconnect();
    };
  }, [editor, aside, threads]);

  // From the passage to its comment: for a reader, a click (or tap) on highlighted text brings its card into view
  // and focus; someone editing places the caret there instead and gets the button of `CommentAtCaret`.
  useEffect(() => {
    const side = aside.current;
    if (!editor || !side) return;
    const dom = editor.view.dom;
    const handleClick = (event: MouseEvent) => {
      const passage = (event.target as Element | null)?.closest?.(".comment-anchor[data-thread]");
      const thread = passage?.getAttribute("data-thread");
      if (!thread || editor.isEditable || window.getSelection()?.isCollapsed === false) return;
      showComment(side, thread);
    };
    dom.addEventListener("click", handleClick);
    return () => dom.removeEventListener("click", handleClick);
  }, [editor, aside]);
}

function showComment(aside: HTMLElement, thread: string): void {
  const card = aside.querySelector<HTMLElement>(`li[data-thread="${CSS.escape(thread)}"]`);
  if (!card) return;
  card.setAttribute("tabindex", "-1");
  card.scrollIntoView({ block: "nearest" });
  card.focus({ preventScroll: true });
}

/**
 * While the caret is in a commented passage, a button to its comment. On a phone the comments are under the plan,
 * so this is the way from the passage to its comment (hidden on wide screens, where the card is beside the text).
 */
export function CommentAtCaret({
  editor,
  aside,
  threads,
}: {
  editor: Editor | null;
  aside: RefObject<HTMLElement | null>;
  threads: AnchoredThread[];
}) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState<number | null>(null);
  useEffect(() => {
    if (!editor) return;
    const update = () => {
      if (editor.isDestroyed) return;
      const { from, to } = editor.state.selection;
      const inside = threads.find((thread) => {
        if (thread.resolved) return false;
        const range = resolveAnchor(editor.state, thread.anchor);
        return range !== null && from >= range.from && to <= range.to;
      });
      setCurrent(inside?.id ?? null);
    };
    update();
    editor.on("selectionUpdate", update);
    return () => {
      editor.off("selectionUpdate", update);
    };
  }, [editor, threads]);
  if (current === null) return null;
  return (
    <button
      type="button"
      className="button button--small comment-at-caret"
      onClick={() => aside.current && showComment(aside.current, String(current))}
    >
      {t("planOutline.showComment")}
    </button>
  );
}

/** From a comment back to its passage: scrolls it into view and selects it (issue 18). */
export function showPassage(editor: Editor, thread: AnchoredThread): void {
  if (editor.isDestroyed) return;
  const passage = passageOf(editor, String(thread.id));
  passage?.scrollIntoView({ block: "center" });
  const range = resolveAnchor(editor.state, thread.anchor);
  if (range && editor.isEditable) {
    editor.chain().setTextSelection(range).focus(undefined, { scrollIntoView: false }).run();
  }
}
