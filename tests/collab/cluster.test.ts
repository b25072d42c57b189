import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CollabClose } from "~/lib/collab-protocol";
import {
  accessTokenOf,
  appendParagraph,
  openPlanClient,
  ownEditsStored,
  readStoredContent,
  waitFor,
  waitForSync,
  within,
  type PlanClient,
} from "../support/collab";
import { startCollabNode, type CollabNode } from "../support/collab-nodes";
import { buildApplication, buildCast, rpc } from "../support/factories";
import { withDatabase, type TestUser } from "../support/supabase";

/*
 * Several collaboration servers on ONE database (issue 19), each in this process with its own HTTP port, its own pool
 * and its own LISTEN connection, exactly as separate app servers would have: what one stores, the others relay;
 * compaction and unloading on one never drop what another stored; rights changes close sockets on every server.
 */

/** What the editor puts in a person's awareness state (as far as these tests look). */
interface Presence {
  user?: { name: string; colour: string };
  cursor?: { anchor: number; head: number };
}

const nodes: CollabNode[] = [];
const clients: PlanClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  const started = nodes.splice(0);
  await Promise.all(started.map((node) => node.close()));
  for (const node of started) expect(node.problems).toEqual([]);
});

async function node(limits: Parameters<typeof startCollabNode>[0] = {}): Promise<CollabNode> {
  const started = await startCollabNode({ idleUnloadMs: 200, ...limits });
  nodes.push(started);
  return started;
}

async function connect(on: CollabNode, user: TestUser, planId: string): Promise<PlanClient> {
  const client = openPlanClient({ baseUrl: on.url, planId, token: await accessTokenOf(user) });
  clients.push(client);
  await waitForSync(client);
  return client;
}

async function type(client: PlanClient, text: string): Promise<void> {
  appendParagraph(client.doc, text);
  await waitFor(() => ownEditsStored(client), 10_000, `"${text}" to be stored`);
}

async function unloaded(...all: CollabNode[]): Promise<void> {
  await waitFor(() => all.every((one) => one.collab.documents.openCount === 0), 10_000, "every server to unload");
}

describe("co-editing across servers on one database", { timeout: 120_000 }, () => {
  it("relays edits, carets and presence between people on different servers", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const [a, b] = await Promise.all([node(), node()]);
    const ann = await connect(a, cast.applicant, plan);
    const rafael = await connect(b, cast.reviewer, plan);
    appendParagraph(ann.doc, "typed on server A");
    appendParagraph(rafael.doc, "typed on server B");
    await waitFor(
      () =>
        [ann, rafael].every(
          (client) => client.text().includes("typed on server A") && client.text().includes("typed on server B"),
        ),
      10_000,
      "each to see the other's edit",
    );
    expect(Y.encodeStateVector(ann.doc)).toEqual(Y.encodeStateVector(rafael.doc));

    ann.provider.awareness.setLocalStateField("user", { name: "Ann", colour: "#c00" });
    ann.provider.awareness.setLocalStateField("cursor", { anchor: 3, head: 5 });
    const annSeenByRafael = () => rafael.provider.awareness.getStates().get(ann.doc.clientID) as Presence | undefined;
    await waitFor(() => annSeenByRafael()?.cursor?.head === 5, 10_000, "Ann's caret on server B");
    expect(annSeenByRafael()?.user).toEqual({ name: "Ann", colour: "#c00" });

    // Someone opening the plan on a third server, where it was not loaded, sees who is already there.
    const c = await node();
    const colleague = await connect(c, cast.colleague, plan);
    await waitFor(
      () =>
        (colleague.provider.awareness.getStates().get(ann.doc.clientID) as Presence | undefined)?.user?.name === "Ann",
      10_000,
      "Ann's presence on server C",
    );

    // Leaving removes the person on the other servers.
    ann.destroy();
    await waitFor(() => annSeenByRafael() === undefined, 10_000, "Ann to leave on server B");
  });

  it("loads on one server everything stored through another", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const [a, b] = await Promise.all([node(), node()]);
    const ann = await connect(a, cast.applicant, plan);
    for (let i = 0; i < 5; i++) await type(ann, `stored through A ${i}`);
    // B loads it while A still holds it open, then again after A unloaded and compacted it.
    const rafael = await connect(b, cast.reviewer, plan);
    expect(rafael.text()).toContain("stored through A 4");
    rafael.destroy();
    ann.destroy();
    await unloaded(a, b);
    const later = await connect(b, cast.reviewer, plan);
    for (let i = 0; i < 5; i++) expect(later.text()).toContain(`stored through A ${i}`);
  });

  it("writes a new plan's template once when two servers open it at the same moment", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    const [a, b] = await Promise.all([node(), node()]);
    const [ann, rafael] = await Promise.all([connect(a, cast.applicant, plan), connect(b, cast.reviewer, plan)]);
    await waitFor(() => ann.text() === rafael.text(), 10_000, "the two to agree");
    const stored = await withDatabase(async (db) => {
      const rows = await db.query("select id from private.plan_updates where plan_id = $1", [plan]);
      return { rows: rows.rows.length, content: await readStoredContent(db, plan) };
    });
    // One template row; two would put every heading in the document twice.
    expect(stored.rows).toBe(1);
    expect(stored.content.text.length).toBeGreaterThan(0);
    expect(ann.text()).toBe(stored.content.text);
  });

  it("keeps an edit stored through one server when both servers unload and compact the plan (issue 19)", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const [a, b] = await Promise.all([node(), node()]);
    const ann = await connect(a, cast.applicant, plan);
    const rafael = await connect(b, cast.reviewer, plan);
    // Interleaved: B's row lies between two of A's.
    await type(ann, "alpha from A");
    await type(rafael, "bravo from B");
    await type(ann, "charlie from A");
    ann.destroy();
    rafael.destroy();
    await unloaded(a, b);
    const stored = await withDatabase((db) => readStoredContent(db, plan));
    for (const text of ["alpha from A", "bravo from B", "charlie from A"]) expect(stored.text).toContain(text);
    const again = await connect(a, cast.applicant, plan);
    for (const text of ["alpha from A", "bravo from B", "charlie from A"]) expect(again.text()).toContain(text);
  });

  it("compacts only what a server has applied: a row it has not heard of yet survives its compaction", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const [a, b] = await Promise.all([node(), node()]);
    const ann = await connect(a, cast.applicant, plan);
    // A hears nothing from the other servers from now on (a listener that lags or is reconnecting).
    await a.collab.relay.close();
    const rafael = await connect(b, cast.reviewer, plan);
    await type(ann, "alpha from A");
    await type(rafael, "bravo from B");
    await type(ann, "charlie from A");
    expect(ann.text()).not.toContain("bravo from B");
    rafael.destroy();
    await unloaded(b);
    ann.destroy();
    await unloaded(a);
    const stored = await withDatabase((db) => readStoredContent(db, plan));
    for (const text of ["alpha from A", "bravo from B", "charlie from A"]) expect(stored.text).toContain(text);
  });

  it("closes a person's sockets on every server within 2 s of losing access", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const [a, b, c] = await Promise.all([node(), node(), node()]);
    const onA = await connect(a, cast.reviewer, plan);
    const onB = await connect(b, cast.reviewer, plan);
    const onC = await connect(c, cast.applicant, plan);
    const closedAt: number[] = [];
    for (const client of [onA, onB]) void client.closed.then(() => closedAt.push(Date.now()));
    await rpc(cast.coordinator.client, "revoke_role", { person: cast.reviewer.id, role: "reviewer" });
    const changedAt = Date.now();
    const codes = await within(Promise.all([onA.closed, onB.closed]), 10_000, "both closes");
    expect(codes.map(({ code }) => code)).toEqual([CollabClose.accessChanged, CollabClose.accessChanged]);
    await waitFor(() => closedAt.length === 2, 1_000, "both close times");
    for (const at of closedAt) expect(at - changedAt).toBeLessThanOrEqual(2_000);
    // The applicant, on a third server, keeps editing.
    await type(onC, "still editing");
  });

  it("sends a socket revoked on one server nothing typed on another after the revoking call returned", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const [a, b] = await Promise.all([node(), node()]);
    const typist = await connect(a, cast.applicant, plan);
    const revoked = await connect(b, cast.reviewer, plan);
    let typed = 0;
    let typing = true;
    const typingDone = (async () => {
      while (typing) {
        appendParagraph(typist.doc, `typed-${++typed};`);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    await waitFor(() => revoked.text().includes("typed-5;"), 10_000, "the reviewer to receive the typing");
    await rpc(cast.coordinator.client, "revoke_role", { person: cast.reviewer.id, role: "reviewer" });
    const typedBeforeRevocation = typed;
    const { code } = await within(revoked.closed, 10_000, "close after the revocation");
    await waitFor(() => typed > typedBeforeRevocation + 20, 10_000, "typing to go on after the revocation");
    typing = false;
    await typingDone;
    expect(code).toBe(CollabClose.accessChanged);
    const received = [...revoked.text().matchAll(/typed-(\d+);/g)].map((match) => Number(match[1]));
    expect(received.filter((number) => number > typedBeforeRevocation)).toEqual([]);
    await waitFor(() => ownEditsStored(typist), 10_000, "the typist's edits to be stored");
  });
});
