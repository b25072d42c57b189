import { afterAll, describe, expect, it } from "vitest";
import type { PlanNode } from "~/lib/plan-schema";
import { startCollabNode, type CollabNode } from "../support/collab-nodes";
import { waitFor } from "../support/collab";
import { buildApplication, buildCast } from "../support/factories";
import { withDatabase } from "../support/supabase";

/*
 * action_plans.content is the JSON copy of the live document that versions, Board packets and exports read. It must
 * follow the document and nothing else: the e2e restore test saw the copy go back to the text a restore had replaced,
 * two seconds after a plan's first open on a busy machine. A first open that found the plan's KPI tables
 * unconverted loaded twice, and the discarded first load's debounced write still ran, with its own, older content.
 */

const nodes: CollabNode[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close()));
});

const paragraph = (text: string): PlanNode => ({
  type: "doc",
  content: [{ type: "paragraph", content: [{ type: "text", text }] }],
});

async function storedCopy(plan: string): Promise<string> {
  return withDatabase(async (db) => {
    const { rows } = await db.query<{ content: unknown }>("select content from public.action_plans where id = $1", [
      plan,
    ]);
    return JSON.stringify(rows[0]!.content);
  });
}

describe("the plan's JSON copy follows the live document", { timeout: 60_000 }, () => {
  it("keeps a version restored right after the plan's first open, after every timer of that open has run", async () => {
    // Short timers so that the whole life of the loaded plan (content writes, idle unload) passes quickly.
    const node = await startCollabNode({ contentDebounceMs: 20, idleUnloadMs: 400 });
    nodes.push(node);
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    // No live document yet: the first open starts from the JSON the plan already has.
    await withDatabase((db) =>
      db.query("update public.action_plans set content = $2 where id = $1", [
        plan,
        JSON.stringify(paragraph("Beta text")),
      ]),
    );

    await node.collab.flushContent(plan); // what a restore does first (the first open here)
    await node.collab.replaceContent(plan, paragraph("Alpha text"));
    expect(await storedCopy(plan)).toContain("Alpha text");

    // The plan unloads once idle, after its debounced writes: every timer of its loads has run by then.
    await waitFor(() => node.collab.metrics().documents === 0, 30_000, "the plan to unload");
    const copy = await storedCopy(plan);
    expect(copy).toContain("Alpha text");
    expect(copy).not.toContain("Beta text");
    expect(node.problems).toEqual([]);
  });
});
