import { Extension } from "@tiptap/core";
import type { Node as PmNode } from "@tiptap/pm/model";
import { Plugin, PluginKey, type Transaction } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { ySyncPluginKey } from "@tiptap/y-tiptap";
import { kpiCellProblem, kpiFields, type KpiProblem } from "~/lib/plan-kpis";

/*
 * Issue 16: KPI tables (attrs kind = "kpi") are validated as people type: each cell that does not type (a number
 * cell, the date cell, a required one) gets aria-invalid, a visible message in the reader's language inside the cell
 * (not colour alone) and aria-describedby pointing at it. Rows get the key that keeps a KPI the same across versions
 * (attrs kpiKey) when an editor adds or copies one; suggest-only and read-only editors never write it (the socket's
 * filter refuses attribute changes from them).
 */

export interface KpiTablesOptions {
  /** The sentence for a problem, in the reader's language. */
  message: (problem: KpiProblem) => string;
  /** Whether this editor may write row keys: only people who edit the plan itself. */
  canAssignKeys: () => boolean;
}

const kpiTablesKey = new PluginKey<DecorationSet>("kpiTables");

/** A cell's text as private.kpi_cell_text reads it: its paragraphs' text joined by a space. */
function cellText(cell: PmNode): string | null {
  const parts: string[] = [];
  cell.forEach((child) => parts.push(child.textContent.replace(/^ +| +$/g, "")));
  const joined = parts.join(" ").replace(/^ +| +$/g, "");
  return joined === "" ? null : joined;
}

const isBodyRow = (row: PmNode) => row.firstChild?.type.name !== "tableHeader";

function eachKpiRow(doc: PmNode, visit: (row: PmNode, rowPos: number) => void): void {
  doc.forEach((node, offset) => {
    if (node.type.name !== "table" || node.attrs.kind !== "kpi") return;
    node.forEach((row, rowOffset) => {
      if (isBodyRow(row)) visit(row, offset + 1 + rowOffset);
    });
  });
}

function problemsOf(doc: PmNode, message: (problem: KpiProblem) => string): DecorationSet {
  const decorations: Decoration[] = [];
  let count = 0;
  eachKpiRow(doc, (row, rowPos) => {
    if (!/\S/.test(row.textContent)) return;
    row.forEach((cell, cellOffset, index) => {
      const field = kpiFields[index];
      const problem = field ? kpiCellProblem(field, cellText(cell)) : null;
      if (!problem) return;
      const from = rowPos + 1 + cellOffset;
      const id = `kpi-problem-${++count}`;
      decorations.push(
        Decoration.node(from, from + cell.nodeSize, {
          class: "kpi-cell--invalid",
          "aria-invalid": "true",
          "aria-describedby": id,
        }),
        Decoration.widget(
          from + cell.nodeSize - 1,
          () => {
            const note = document.createElement("span");
            note.id = id;
            note.className = "kpi-cell__problem";
            note.contentEditable = "false";
            note.textContent = message(problem);
            return note;
          },
          { side: -1, key: `${id}:${problem}`, ignoreSelection: true },
        ),
      );
    });
  });
  return DecorationSet.create(doc, decorations);
}

function newKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `kpi-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export const KpiTables = Extension.create<KpiTablesOptions>({
  name: "kpiTables",
  addOptions() {
    return { message: (problem) => problem, canAssignKeys: () => false };
  },
  addProseMirrorPlugins() {
    const { message, canAssignKeys } = this.options;
    return [
      new Plugin<DecorationSet>({
        key: kpiTablesKey,
        state: {
          init: (_, state) => problemsOf(state.doc, message),
          apply: (tr, previous, _old, state) => (tr.docChanged ? problemsOf(state.doc, message) : previous),
        },
        props: { decorations: (state) => kpiTablesKey.getState(state) },
        // Only after the person's own changes (never a remote one arriving through Yjs).
        appendTransaction: (transactions, _old, state) => {
          if (!canAssignKeys()) return null;
          if (!transactions.some((tr) => tr.docChanged && !tr.getMeta(ySyncPluginKey))) return null;
          const seen = new Set<string>();
          let tr: Transaction | null = null;
          eachKpiRow(state.doc, (row, rowPos) => {
            const key = typeof row.attrs.kpiKey === "string" ? row.attrs.kpiKey : "";
            if (key !== "" && !seen.has(key)) {
              seen.add(key);
              return;
            }
            const fresh = newKey();
            seen.add(fresh);
            tr ??= state.tr;
            tr.setNodeMarkup(rowPos, undefined, { ...row.attrs, kpiKey: fresh });
          });
          return tr;
        },
      }),
    ];
  },
});
