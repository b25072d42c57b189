import { getSchema, type AnyExtension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import { TableKit } from "@tiptap/extension-table";
import { SuggestionDelete, SuggestionInsert } from "./plan-suggestions";

/**
 * The nodes and marks an action plan may hold. The editor, the collaboration server (template, restore) and the
 * plan renderer all use this one list, so a document can never contain what the others do not know.
 * StarterKit's own history is off: under Collaboration, undo is Yjs's (CONVENTIONS.md).
 */
export const planExtensions: AnyExtension[] = [
  StarterKit.configure({
    undoRedo: false,
    heading: { levels: [1, 2, 3, 4] },
    link: { openOnClick: false, autolink: true, protocols: ["http", "https", "mailto"], defaultProtocol: "https" },
  }),
  TableKit.configure({ table: { resizable: false } }),
  // Suggestion mode (issue 18): suggested insertions and deletions, with author and time.
  SuggestionInsert,
  SuggestionDelete,
];

export const planFragmentName = "default";

let schema: ReturnType<typeof getSchema> | undefined;

export function getPlanSchema() {
  schema ??= getSchema(planExtensions);
  return schema;
}

/** TipTap/ProseMirror JSON, as stored in action_plans.content and plan_versions.content. */
export interface PlanNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: PlanNode[];
  text?: string;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
}
