import { Extension, getSchema, type AnyExtension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import { TableKit } from "@tiptap/extension-table";
import { SuggestionDelete, SuggestionInsert } from "./plan-suggestions";

/**
 * The nodes and marks an action plan may hold. The editor, the collaboration server (template, restore) and the
 * plan renderer all use this one list, so a document can never contain what the others do not know.
 * StarterKit's own history is off: under Collaboration, undo is Yjs's (CONVENTIONS.md).
 */
/**
 * Issue 16: a KPI table is recognisable (table attrs kind = "kpi" and its capability's code) and each of its rows
 * keeps a key across the plan's versions (row attrs kpiKey). Attributes of the schema travel through Yjs (element
 * attributes), the stored JSON and private.plan_kpis; app/lib/plan-kpis.ts reads and converts them.
 */
const KpiAttributes = Extension.create({
  name: "kpiAttributes",
  addGlobalAttributes() {
    const attribute = (name: string) => ({
      default: null,
      parseHTML: (element: HTMLElement) => element.getAttribute(`data-${name}`),
      renderHTML: (attrs: Record<string, unknown>) => {
        const key = name === "kpi-key" ? "kpiKey" : name;
        return typeof attrs[key] === "string" ? { [`data-${name}`]: attrs[key] } : {};
      },
    });
    return [
      { types: ["table"], attributes: { kind: attribute("kind"), capability: attribute("capability") } },
      { types: ["tableRow"], attributes: { kpiKey: attribute("kpi-key") } },
    ];
  },
});

export const planExtensions: AnyExtension[] = [
  StarterKit.configure({
    undoRedo: false,
    heading: { levels: [1, 2, 3, 4] },
    link: { openOnClick: false, autolink: true, protocols: ["http", "https", "mailto"], defaultProtocol: "https" },
  }),
  TableKit.configure({ table: { resizable: false } }),
  KpiAttributes,
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
