import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import { EditorContent, useEditor, type Editor } from "@tiptap/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { PlanLanguage } from "~/lib/plan-language";
import { colourFor } from "~/lib/person-colour";
import { planExtensions, planFragmentName } from "~/lib/plan-schema";
import { Suggesting, refreshSuggesting, type SuggestingSettings } from "~/lib/suggesting-plugin";
import "~/styles/prosemirror.css";
import {
  anchorOf,
  CommentHighlights,
  setCommentThreads,
  type AnchoredThread,
  type CommentAnchorJson,
} from "./comment-highlights";
import { KpiTables } from "./kpi-tables";
import { useSuggestionLabel } from "./suggestions-label";
import type { PlanConnection, PlanConnectionStatus } from "./use-plan-connection";

export { colourFor };

export interface Participant {
  clientId: number;
  name: string;
  colour: string;
}

export interface SelectionForComment {
  anchor: CommentAnchorJson;
  quote: string;
}

interface PlanEditorProps {
  connection: PlanConnection;
  status: PlanConnectionStatus;
  me: { id: string; name: string };
  threads: AnchoredThread[];
  labelledBy: string;
  onParticipants: (participants: Participant[]) => void;
  onCommentRequest: (selection: SelectionForComment | null) => void;
  canComment: boolean;
  /** The plan's own language and direction (issue 18): `lang` and `dir` on the text, not only on the page. */
  language?: PlanLanguage;
  /** Hands the editor to the page's long-plan tools (outline, carets, comment placement; issue 18). */
  onEditor?: (editor: Editor | null) => void;
  /** Suggesting mode (issue 18): edits become suggestions; comment rights may only suggest. */
  suggesting?: boolean;
  /** User id → name, for the labels of suggestions. */
  people?: Record<string, string>;
}

/** Reads the current selection, from ProseMirror or, when the editor is read-only, from the DOM. */
function selectedRange(editor: Editor): { from: number; to: number } | null {
  const { from, to } = editor.state.selection;
  if (to > from) return { from, to };
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!editor.view.dom.contains(range.commonAncestorContainer)) return null;
  try {
    const start = editor.view.posAtDOM(range.startContainer, range.startOffset);
    const end = editor.view.posAtDOM(range.endContainer, range.endOffset);
    return end > start ? { from: start, to: end } : null;
  } catch {
    return null;
  }
}

const nobody: Record<string, string> = {};

function ToolbarButton({
  editor,
  label,
  active,
  onClick,
  suggesting,
}: {
  editor: Editor;
  label: string;
  active: boolean;
  onClick: () => void;
  /** Suggesting mode (issue 18) takes formatting away: suggestions are text only. */
  suggesting: boolean;
}) {
  return (
    <button
      type="button"
      className="toolbar-button"
      aria-pressed={active}
      disabled={!editor.isEditable || suggesting}
      onClick={onClick}
    >
      {label}
    </button>
  );
}

/**
 * The co-editing surface: TipTap bound to the plan's Yjs document (never given `content`, which would duplicate
 * on reload), with live carets, comment highlights and a toolbar for editors.
 */
export function PlanEditor({
  connection,
  status,
  me,
  threads,
  labelledBy,
  onParticipants,
  onCommentRequest,
  canComment,
  language,
  onEditor,
  suggesting = false,
  people = nobody,
}: PlanEditorProps) {
  const { t } = useTranslation();
  const mayWrite = status.access === "edit" || (status.access === "comment" && suggesting);
  const editable = mayWrite && status.synced && status.state !== "no-access";
  // One settings object for the editor's lifetime: the plugin reads it on every transaction, the effect below updates it.
  const [suggestingSettings] = useState<SuggestingSettings>(() => ({
    on: suggesting,
    author: me.id,
    label: (kind) => kind,
  }));
  // The KPI checks speak the reader's language and only editors key new KPI rows (issue 16), never while suggesting
  // (a key is an attribute change, which a suggestion may not make); read through refs, so the editor is not rebuilt
  // when either changes.
  const translate = useRef(t);
  const mayKeyRows = useRef(editable && status.access === "edit" && !suggesting);
  useEffect(() => {
    translate.current = t;
    mayKeyRows.current = editable && status.access === "edit" && !suggesting;
  }, [t, editable, status.access, suggesting]);
  const editor = useEditor(
    {
      immediatelyRender: false,
      editable: false,
      // Its base styles come from ~/styles/prosemirror.css: an injected <style> would break the CSP (style-src 'self').
      injectCSS: false,
      extensions: [
        ...planExtensions,
        Collaboration.configure({ document: connection.doc, field: planFragmentName }),
        CollaborationCaret.configure({
          provider: connection.provider,
          user: { name: me.name, color: colourFor(me.id) },
        }),
        CommentHighlights,
        // eslint-disable-next-line react-hooks/refs -- the callbacks read the refs later, in ProseMirror, never in render
        KpiTables.configure({
          message: (problem) => translate.current(`plan.kpi.${problem}`),
          canAssignKeys: () => mayKeyRows.current,
        }),
        Suggesting.configure({ settings: () => suggestingSettings }),
      ],
      editorProps: {
        attributes: {
          class: "plan-editor__surface",
          "aria-labelledby": labelledBy,
          role: "textbox",
          "aria-multiline": "true",
          ...(language ? { lang: language.language, dir: language.dir } : {}),
        },
      },
    },
    [connection],
  );

  useEffect(() => {
    if (editor && editor.isEditable !== editable) editor.setEditable(editable);
  }, [editor, editable]);

  const suggestionLabel = useSuggestionLabel(people);
  useEffect(() => {
    Object.assign(suggestingSettings, { on: suggesting, author: me.id, label: suggestionLabel });
    if (editor) refreshSuggesting(editor.view);
  }, [editor, suggesting, me.id, suggestionLabel, suggestingSettings]);

  useEffect(() => {
    onEditor?.(editor);
    return () => onEditor?.(null);
  }, [editor, onEditor]);

  useEffect(() => {
    if (editor) setCommentThreads(editor, threads);
  }, [editor, threads]);

  useEffect(() => {
    const awareness = connection.provider.awareness;
    const publish = () => {
      const people: Participant[] = [];
      awareness.getStates().forEach((state, clientId) => {
        const user = (state as { user?: { name?: string; color?: string } }).user;
        if (user?.name) people.push({ clientId, name: user.name, colour: user.color ?? "#1d4ed8" });
      });
      onParticipants(people);
    };
    awareness.on("change", publish);
    publish();
    return () => awareness.off("change", publish);
  }, [connection, onParticipants]);

  if (!editor) return <div className="plan-editor__loading">{t("plan.loading")}</div>;

  const requestComment = () => {
    const range = selectedRange(editor);
    const anchor = range ? anchorOf(editor.state, range.from, range.to) : null;
    onCommentRequest(
      range && anchor
        ? { anchor, quote: editor.state.doc.textBetween(range.from, range.to, " ").slice(0, 2000) }
        : null,
    );
  };

  return (
    <div className="plan-editor" data-editable={editable ? "true" : "false"}>
      <div className="plan-editor__toolbar" role="toolbar" aria-label={t("plan.toolbar")}>
        <ToolbarButton
          editor={editor}
          suggesting={suggesting}
          label={t("plan.bold")}
          active={editor.isActive("bold")}
          onClick={() => editor.chain().focus().toggleBold().run()}
        />
        <ToolbarButton
          editor={editor}
          suggesting={suggesting}
          label={t("plan.italic")}
          active={editor.isActive("italic")}
          onClick={() => editor.chain().focus().toggleItalic().run()}
        />
        <ToolbarButton
          editor={editor}
          suggesting={suggesting}
          label={t("plan.heading")}
          active={editor.isActive("heading", { level: 2 })}
          onClick={() => editor.chain().focus().toggleHeading({ level: 2 }).run()}
        />
        <ToolbarButton
          editor={editor}
          suggesting={suggesting}
          label={t("plan.subheading")}
          active={editor.isActive("heading", { level: 3 })}
          onClick={() => editor.chain().focus().toggleHeading({ level: 3 }).run()}
        />
        <ToolbarButton
          editor={editor}
          suggesting={suggesting}
          label={t("plan.bulletList")}
          active={editor.isActive("bulletList")}
          onClick={() => editor.chain().focus().toggleBulletList().run()}
        />
        <ToolbarButton
          editor={editor}
          suggesting={suggesting}
          label={t("plan.numberedList")}
          active={editor.isActive("orderedList")}
          onClick={() => editor.chain().focus().toggleOrderedList().run()}
        />
        <ToolbarButton
          editor={editor}
          suggesting={suggesting}
          label={t("plan.addRow")}
          active={false}
          onClick={() => editor.chain().focus().addRowAfter().run()}
        />
        {canComment ? (
          <button
            type="button"
            className="toolbar-button toolbar-button--comment"
            onMouseDown={(event) => event.preventDefault()}
            onClick={requestComment}
          >
            {t("plan.commentOnSelection")}
          </button>
        ) : null}
      </div>
      <EditorContent editor={editor} />
    </div>
  );
}
