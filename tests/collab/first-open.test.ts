import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { editingHistory, templateUpdate } from "../bench/collab/fixtures";
import {
  accessTokenOf,
  contentOf,
  openPlanClient,
  type PlanClient,
  readStoredDocument,
  unappliableUpdateFor,
  waitFor,
  waitForSync,
} from "../support/collab";
import { buildApplication, buildCast } from "../support/factories";
import { stack, withDatabase } from "../support/supabase";

/*
 * Issue 14: the first open of a plan whose history was never compacted reads it in chunks (PlanStore.load) and applies
 * it in batches of Yjs transactions. Whatever the batching, the document must be exactly the one the stored updates
 * make when applied one after another, each update that cannot be applied skipped alone.
 */

const clients: PlanClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

/** The document the history makes, applied as the server always did: in order, a failing update skipped alone. */
function reference(updates: Uint8Array[]): { doc: Y.Doc; failed: number[] } {
  const doc = new Y.Doc();
  const failed: number[] = [];
  doc.transact(() => {
    updates.forEach((update, index) => {
      try {
        Y.applyUpdate(doc, update);
      } catch {
        failed.push(index);
      }
    });
  });
  return { doc, failed };
}

describe("the first open of a long uncompacted history", () => {
  it("loads exactly what the stored updates make, skipping each one that cannot be applied", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft", undefined, { fillPlan: false });

    // More updates than one read chunk holds (20,000), by several typists, with two that cannot be applied: one
    // that does not even decode (cut short), and one that decodes but throws half-way (a tampered client's).
    const history = editingHistory(25_000, templateUpdate());
    const template = new Y.Doc();
    Y.applyUpdate(template, history.updates[0]!);
    const tampered = unappliableUpdateFor(template);
    template.destroy();
    const cut = history.updates[9000]!.slice(0, 3);
    const updates = [
      history.updates[0]!,
      tampered,
      ...history.updates.slice(1, 9000),
      cut,
      ...history.updates.slice(9000),
    ];
    const expected = reference(updates);
    expect(expected.failed).toEqual([1, 9001]);

    await withDatabase(async (db) => {
      // Its KPI tables count as converted already: the first open must add nothing of its own.
      await db.query("insert into private.plan_kpi_conversions (plan_id) values ($1)", [plan]);
      for (let start = 0; start < updates.length; start += 5000) {
        await db.query(
          `insert into private.plan_updates (plan_id, "update")
           select $1, u from unnest($2::bytea[]) with ordinality as t (u, position) order by position`,
          [plan, updates.slice(start, start + 5000).map((update) => Buffer.from(update))],
        );
      }
    });

    const client = openPlanClient({ baseUrl: stack().url, planId: plan, token: await accessTokenOf(cast.applicant) });
    clients.push(client);
    expect(await client.access).toBe("edit");
    await waitForSync(client, 60_000);
    expect(contentOf(client.doc)).toBe(contentOf(expected.doc));
    expect(Y.encodeStateVector(client.doc)).toEqual(Y.encodeStateVector(expected.doc));

    // The first open compacts the history; the snapshot holds the same document.
    await waitFor(
      () =>
        withDatabase(async (db) => {
          const left = await db.query("select 1 from private.plan_updates where plan_id = $1 limit 1", [plan]);
          return left.rows.length === 0;
        }),
      60_000,
      "the history to be compacted",
    );
    const stored = await withDatabase((db) => readStoredDocument(db, plan));
    expect(contentOf(stored)).toBe(contentOf(expected.doc));
    stored.destroy();
    expected.doc.destroy();
  });
});
