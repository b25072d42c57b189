import * as prng from "lib0/prng";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { planFragmentName } from "~/lib/plan-schema";
import {
  accessTokenOf,
  contentOf,
  openPlanClient,
  type PlanClient,
  readStoredDocument,
  waitFor,
  waitForSync,
} from "../support/collab";
import { buildApplication, buildCast } from "../support/factories";
import { stack, withDatabase } from "../support/supabase";

/*
 * In the spirit of Yjs's own randomised tests (tests/testHelper.js, applyRandomTests): several replicas make random
 * edits to the plan's XmlFragment while their real y-websocket providers randomly go offline and come back; in the
 * end every replica, and the document as stored in Postgres, must be the same. The operations are drawn from a seeded
 * generator (set COLLAB_CONVERGENCE_SEED to replay one); network timing adds the interleavings.
 */

const steps = 150;
const seeds = process.env.COLLAB_CONVERGENCE_SEED
  ? [Number(process.env.COLLAB_CONVERGENCE_SEED)]
  : [20261123, 7, 424242];

const clients: PlanClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

type Gen = ReturnType<typeof prng.create>;

function textsOf(node: Y.XmlFragment | Y.XmlElement): Y.XmlText[] {
  return node
    .toArray()
    .flatMap((child) => (child instanceof Y.XmlText ? [child] : child instanceof Y.XmlElement ? textsOf(child) : []));
}

function paragraphWith(text: string): Y.XmlElement {
  const paragraph = new Y.XmlElement("paragraph");
  paragraph.insert(0, [new Y.XmlText(text)]);
  return paragraph;
}

const edits: [weight: number, name: string, apply: (gen: Gen, doc: Y.Doc) => void][] = [
  [
    20,
    "insert a paragraph",
    (gen, doc) => {
      const fragment = doc.getXmlFragment(planFragmentName);
      fragment.insert(prng.int32(gen, 0, fragment.length), [paragraphWith(`${prng.word(gen, 1, 8)} `)]);
    },
  ],
  [
    40,
    "type into a text",
    (gen, doc) => {
      const texts = textsOf(doc.getXmlFragment(planFragmentName));
      if (texts.length === 0) return;
      const text = prng.oneOf(gen, texts);
      text.insert(prng.int32(gen, 0, text.length), prng.word(gen, 1, 6));
    },
  ],
  [
    20,
    "delete a range of text",
    (gen, doc) => {
      const texts = textsOf(doc.getXmlFragment(planFragmentName)).filter((text) => text.length > 0);
      if (texts.length === 0) return;
      const text = prng.oneOf(gen, texts);
      const index = prng.int32(gen, 0, text.length - 1);
      text.delete(index, prng.int32(gen, 1, Math.min(6, text.length - index)));
    },
  ],
  [
    12,
    "format a range",
    (gen, doc) => {
      const texts = textsOf(doc.getXmlFragment(planFragmentName)).filter((text) => text.length > 0);
      if (texts.length === 0) return;
      const text = prng.oneOf(gen, texts);
      const index = prng.int32(gen, 0, text.length - 1);
      const mark = prng.oneOf(gen, ["bold", "italic", "code"]);
      // y-prosemirror stores a mark as a format attribute holding the mark's attrs; null removes it.
      text.format(index, prng.int32(gen, 1, text.length - index), { [mark]: prng.bool(gen) ? {} : null });
    },
  ],
  [
    5,
    "delete a block",
    (gen, doc) => {
      const fragment = doc.getXmlFragment(planFragmentName);
      if (fragment.length > 3) fragment.delete(prng.int32(gen, 0, fragment.length - 1), 1);
    },
  ],
];

function pickEdit(gen: Gen) {
  const total = edits.reduce((sum, [weight]) => sum + weight, 0);
  let roll = prng.int32(gen, 0, total - 1);
  for (const edit of edits) {
    roll -= edit[0];
    if (roll < 0) return edit;
  }
  return edits[0]!;
}

function sameStateVectors(docs: Y.Doc[]): boolean {
  const vectors = docs.map((doc) => Buffer.from(Y.encodeStateVector(doc)).toString("base64"));
  return vectors.every((vector) => vector === vectors[0]);
}

describe("convergence under random edits and disconnects", () => {
  it.each(seeds)("converges, and stores what every replica holds (seed %i)", async (seed) => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const editors = [cast.applicant, cast.colleague, cast.reviewer, cast.otherReviewer, cast.coordinator];
    const tokens = await Promise.all(editors.map((editor) => accessTokenOf(editor)));
    for (const token of tokens) clients.push(openPlanClient({ baseUrl: stack().url, planId: plan, token }));
    expect(await Promise.all(clients.map((client) => client.access))).toEqual(editors.map(() => "edit"));
    await Promise.all(clients.map((client) => waitForSync(client)));

    const gen = prng.create(seed);
    const tally = { edits: 0, offlineEdits: 0, disconnects: 0, reconnects: 0 };
    for (let step = 0; step < steps; step++) {
      const client = prng.oneOf(gen, clients);
      const roll = prng.int32(gen, 0, 99);
      if (roll < 8 && client.provider.shouldConnect) {
        client.provider.disconnect();
        tally.disconnects++;
      } else if (roll < 16 && !client.provider.shouldConnect) {
        client.provider.connect();
        tally.reconnects++;
      } else {
        const [, , apply] = pickEdit(gen);
        client.doc.transact(() => apply(gen, client.doc));
        tally.edits++;
        if (!client.provider.shouldConnect) tally.offlineEdits++;
      }
      // Let messages cross: sometimes none, sometimes a few milliseconds' worth.
      const pause = prng.int32(gen, 0, 4);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
    expect(tally.edits).toBeGreaterThan(steps / 2);
    // The seeds are chosen so that replicas really do go offline and edit there.
    expect(tally.disconnects).toBeGreaterThan(0);
    expect(tally.offlineEdits).toBeGreaterThan(0);

    for (const client of clients) client.provider.connect();
    const docs = clients.map((client) => client.doc);
    await waitFor(
      () =>
        clients.every((client) => client.provider.wsconnected && client.provider.synced) &&
        sameStateVectors(docs) &&
        new Set(docs.map(contentOf)).size === 1,
      20_000,
      "every replica to converge",
    );
    const content = contentOf(docs[0]!);
    expect(docs.map(contentOf)).toEqual(docs.map(() => content));

    // Every update reached another replica through the server, which stores before it forwards: the database
    // holds exactly what the replicas hold.
    const stored = await withDatabase((db) => readStoredDocument(db, plan));
    expect(contentOf(stored)).toBe(content);
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(docs[0]!));
    stored.destroy();

    // A newcomer loads the same document.
    const fresh = openPlanClient({ baseUrl: stack().url, planId: plan, token: tokens[0]! });
    clients.push(fresh);
    await waitForSync(fresh);
    expect(contentOf(fresh.doc)).toBe(content);
  });
});
