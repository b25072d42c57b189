import { EditorState, TextSelection, type Transaction } from "@tiptap/pm/state";
import { prosemirrorJSONToYXmlFragment } from "@tiptap/y-tiptap";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { getPlanSchema, planFragmentName, type PlanNode } from "~/lib/plan-schema";
import { listSuggestions } from "~/lib/plan-suggestions";
import { suggestDelete, suggestReplacement } from "~/lib/suggesting-plugin";
import { checkSuggestionUpdate } from "../../server/collab/suggest-filter";

/*
 * Issue 18: what suggesting mode produces is what the collaboration server's suggest-only filter accepts. Each change is
 * made by the plugin's own transaction builders, turned into a Yjs update the way y-prosemirror's binding does
 * (updateYFragment), and checked by the server's filter against the document before it.
 */

const me = "11111111-1111-4111-8111-111111111111";
const other = "22222222-2222-4222-8222-222222222222";
const schema = getPlanSchema();

function setup(content: PlanNode[]) {
  const json: PlanNode = { type: "doc", content: [{ type: "paragraph", content }] };
  const ydoc = new Y.Doc();
  prosemirrorJSONToYXmlFragment(schema, json, ydoc.getXmlFragment(planFragmentName));
  let state = EditorState.create({ doc: schema.nodeFromJSON(json) });
  return {
    get state() {
      return state;
    },
    /** Applies `tr` locally and returns the server filter's verdict on the update it makes (applied when accepted). */
    send(tr: Transaction) {
      state = state.apply(tr);
      const copy = new Y.Doc();
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(ydoc));
      const before = Y.encodeStateVector(copy);
      prosemirrorJSONToYXmlFragment(schema, state.doc.toJSON(), copy.getXmlFragment(planFragmentName));
      const update = Y.encodeStateAsUpdate(copy, before);
      copy.destroy();
      const verdict = checkSuggestionUpdate(ydoc, update, me);
      if (verdict.ok) Y.applyUpdate(ydoc, update);
      return verdict;
    },
    caret(pos: number) {
      state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, pos)));
    },
  };
}

describe("suggesting mode's changes", () => {
  it("types, deletes, replaces and withdraws as the author's own suggestions, which the server accepts", () => {
    // "Grow SMEs quickly" with "SMEs" bold; position 1 is before "G", 7 between "S" and "M".
    const plan = setup([
      { type: "text", text: "Grow " },
      { type: "text", text: "SMEs", marks: [{ type: "bold" }] },
      { type: "text", text: " quickly" },
    ]);
    // Typing inside bold text keeps the bold and adds the insertion mark; consecutive keys extend one suggestion.
    expect(plan.send(suggestReplacement(plan.state, 7, 7, "x", me))).toEqual({ ok: true });
    expect(plan.send(suggestReplacement(plan.state, 8, 8, "y", me))).toEqual({ ok: true });
    let open = listSuggestions(plan.state.doc);
    expect(open).toEqual([expect.objectContaining({ kind: "insert", author: me, text: "xy" })]);
    expect(plan.state.doc.textContent).toBe("Grow SxyMEs quickly");
    expect(plan.state.selection.from).toBe(9);

    // Backspace twice at the end: one deletion suggestion over "ly", the text stays, the caret moves before it.
    plan.caret(plan.state.doc.content.size - 1);
    expect(plan.send(suggestDelete(plan.state, false, me)!)).toEqual({ ok: true });
    expect(plan.send(suggestDelete(plan.state, false, me)!)).toEqual({ ok: true });
    open = listSuggestions(plan.state.doc);
    expect(open.map(({ kind, text }) => [kind, text])).toEqual([
      ["insert", "xy"],
      ["delete", "ly"],
    ]);
    expect(plan.state.doc.textContent).toBe("Grow SxyMEs quickly");

    // Backspace over the author's own insertion withdraws it: that text goes.
    plan.caret(9);
    expect(plan.send(suggestDelete(plan.state, false, me)!)).toEqual({ ok: true });
    expect(plan.state.doc.textContent).toBe("Grow SxMEs quickly");

    // Typing over a selection: the selection is suggested for deletion, the new text for insertion after it.
    expect(plan.send(suggestReplacement(plan.state, 1, 5, "Boost", me))).toEqual({ ok: true });
    expect(plan.state.doc.textContent).toBe("GrowBoost SxMEs quickly");
    const kinds = listSuggestions(plan.state.doc).map(({ kind, text }) => [kind, text]);
    expect(kinds).toContainEqual(["delete", "Grow"]);
    expect(kinds).toContainEqual(["insert", "Boost"]);
  });

  it("leaves other people's suggestions alone, and at a block's edge joins nothing", () => {
    const at = new Date().toISOString();
    const plan = setup([
      {
        type: "text",
        text: "Their idea",
        marks: [{ type: "suggestionInsert", attrs: { id: "theirs01", author: other, at } }],
      },
      { type: "text", text: " stays" },
    ]);
    // Delete over their insertion: nothing to mark there (the server would refuse marking it), the caret moves on.
    plan.caret(1);
    const tr = suggestDelete(plan.state, true, me)!;
    expect(plan.send(tr)).toEqual({ ok: true });
    expect(listSuggestions(plan.state.doc)).toEqual([expect.objectContaining({ author: other, text: "Their idea" })]);
    expect(plan.state.selection.from).toBe(2);
    // Backspace at the start of the paragraph would join blocks: no change is offered.
    plan.caret(1);
    expect(suggestDelete(plan.state, false, me)).toBeNull();
  });
});
