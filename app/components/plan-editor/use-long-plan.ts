import type { Editor } from "@tiptap/core";
import { useCallback, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { jumpToCaret } from "./caret-jump";
import type { AnchoredThread } from "./comment-highlights";
import { showPassage, useCommentPlacement } from "./comment-placement";
import { useTableScrollLabels } from "./table-scroll";
import type { PlanConnection } from "./use-plan-connection";

/**
 * Working in a long plan (issue 18): the editor instance for the outline, jumping to someone's caret or to a
 * comment's passage, comment cards placed beside their passages, and tables that scroll within themselves.
 */
export function useLongPlan(connection: PlanConnection | null, threads: AnchoredThread[]) {
  const { t } = useTranslation();
  const [editor, setEditor] = useState<Editor | null>(null);
  const aside = useRef<HTMLElement>(null);
  useCommentPlacement(editor, aside, threads);
  useTableScrollLabels(
    editor,
    useCallback((index: number) => t("planOutline.table", { index }), [t]),
  );
  const jumpToPerson = useCallback(
    (clientId: number) => {
      if (editor && connection) jumpToCaret(editor, connection.provider, clientId);
    },
    [editor, connection],
  );
  const jumpToPassage = useCallback(
    (id: number) => {
      const thread = threads.find((candidate) => candidate.id === id);
      if (editor && thread) showPassage(editor, thread);
    },
    [editor, threads],
  );
  return { editor, setEditor, aside, jumpToPerson, jumpToPassage };
}
