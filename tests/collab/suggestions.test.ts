import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CollabClose } from "~/lib/collab-protocol";
import { planFragmentName } from "~/lib/plan-schema";
import { suggestionDeleteMark, suggestionInsertMark, type SuggestionAttrs } from "~/lib/plan-suggestions";
import {
  accessTokenOf,
  hasSettled,
  openPlanClient,
  ownEditsStored,
  readStoredDocument,
  waitFor,
  waitForSync,
  within,
  type PlanClient,
} from "../support/collab";
import { buildApplication, buildCast } from "../support/factories";
import { stack, withDatabase, type TestUser } from "../support/supabase";

/*
 * Issue 18: a suggest-only socket (comment rights: the applicant once the application is submitted) may only add or
 * remove suggestion marks of its own person. Each smuggling attempt is made on the Yjs document directly, as a
 * tampered editor would, and must close the socket with the refused-update code and leave the stored plan unchanged.
 */

const clients: PlanClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

async function connect(user: TestUser, planId: string): Promise<PlanClient> {
  const client = openPlanClient({
    baseUrl: stack().url,
    planId,
    token: await accessTokenOf(user),
    reconnect: false,
  });
  clients.push(client);
  await waitForSync(client);
  return client;
}

function mark(author: string, id = randomUUID().replaceAll("-", "").slice(0, 16)): SuggestionAttrs {
  return { id, author, at: new Date().toISOString() };
}

/** The text of the plan's summary paragraph (the template's second block). */
function summaryText(doc: Y.Doc): Y.XmlText {
  const fragment = doc.getXmlFragment(planFragmentName);
  const summary = fragment.toArray().find((node) => (node.toJSON() as string).includes("Summary"));
  return (summary as Y.XmlElement).get(0) as Y.XmlText;
}

/** The runs of the stored summary paragraph: text with its marks. */
async function storedSummary(plan: string): Promise<{ insert: string; attributes?: Record<string, unknown> }[]> {
  return withDatabase(async (db) => {
    const doc = await readStoredDocument(db, plan);
    try {
      return summaryText(doc).toDelta() as { insert: string; attributes?: Record<string, unknown> }[];
    } finally {
      doc.destroy();
    }
  });
}

async function suggestOnlySetup() {
  const cast = await buildCast();
  const { plan } = await buildApplication(cast, "submitted");
  const editor = await connect(cast.reviewer, plan);
  const suggester = await connect(cast.applicant, plan);
  expect(await suggester.access).toBe("comment");
  return { cast, plan, editor, suggester };
}

/** Makes `change` on the suggest-only client and expects its socket closed as refused, with nothing stored. */
async function expectRefused(
  setup: Awaited<ReturnType<typeof suggestOnlySetup>>,
  change: (doc: Y.Doc) => void,
): Promise<void> {
  const before = await storedSummary(setup.plan);
  const editorText = setup.editor.text();
  setup.suggester.doc.transact(() => change(setup.suggester.doc));
  const { code } = await within(setup.suggester.closed, 10_000, "the suggest-only socket to be closed");
  expect(code).toBe(CollabClose.updateRefused);
  // The editor carries on, and what it writes is stored: the refused update never reached the document.
  const marker = `editor-${randomUUID()}`;
  const paragraph = new Y.XmlElement("paragraph");
  paragraph.insert(0, [new Y.XmlText(marker)]);
  const fragment = setup.editor.doc.getXmlFragment(planFragmentName);
  fragment.insert(fragment.length, [paragraph]);
  await waitFor(() => ownEditsStored(setup.editor), 10_000, "the editor's paragraph to be stored");
  expect(setup.editor.text()).toBe(`${editorText}\n${marker}`);
  expect(await storedSummary(setup.plan)).toEqual(before);
  expect(await hasSettled(setup.editor.closed)).toBe(false);
}

// Several tests build two or three plans each (users, EoI, application): on a shared machine that takes a while.
describe("a suggest-only socket", { timeout: 120_000 }, () => {
  it("stores and broadcasts its own suggested insertion and deletion, and may withdraw its own insertion", async () => {
    const { cast, plan, editor, suggester } = await suggestOnlySetup();
    const text = summaryText(suggester.doc);
    const insertion = mark(cast.applicant.id);
    const deletion = mark(cast.applicant.id);
    suggester.doc.transact(() => text.insert(0, "Proposed: ", { [suggestionInsertMark]: insertion }));
    suggester.doc.transact(() => text.format(10, 7, { [suggestionDeleteMark]: deletion }));
    await waitFor(() => ownEditsStored(suggester), 10_000, "the suggestions to be stored");
    // Broadcast: the editor sees both marks exactly as sent.
    await waitFor(
      () => JSON.stringify(summaryText(editor.doc).toDelta()).includes(deletion.id),
      10_000,
      "the editor to receive the suggestions",
    );
    const expected = [
      { insert: "Proposed: ", attributes: { [suggestionInsertMark]: insertion } },
      { insert: "Summary", attributes: { [suggestionDeleteMark]: deletion } },
      { insert: ": what the centre will achieve in its first three years." },
    ];
    expect(summaryText(editor.doc).toDelta()).toEqual(expected);
    expect(await storedSummary(plan)).toEqual(expected);

    // Typing fast: several keystrokes in flight at once, each building on the previous one.
    for (const [index, char] of [..."ABC"].entries())
      suggester.doc.transact(() => text.insert(10 + index, char, { [suggestionInsertMark]: insertion }));
    // Withdrawing part of its own insertion (Backspace over it) is a plain delete of its own suggested text.
    suggester.doc.transact(() => text.delete(0, 3));
    await waitFor(() => ownEditsStored(suggester), 10_000, "the keystrokes to be stored");
    expect(await hasSettled(suggester.closed)).toBe(false);
    const stored = await storedSummary(plan);
    expect(stored[0]).toEqual({ insert: "posed: ABC", attributes: { [suggestionInsertMark]: insertion } });
  });

  it("is closed for a plain insertion, and nothing of it is stored", async () => {
    const setup = await suggestOnlySetup();
    await expectRefused(setup, (doc) => summaryText(doc).insert(0, "Plain text "));
  });

  it("is closed for a plain deletion", async () => {
    const setup = await suggestOnlySetup();
    await expectRefused(setup, (doc) => summaryText(doc).delete(0, 8));
  });

  it("is closed for an attribute change (a heading's level) and for a formatting change", async () => {
    const setup = await suggestOnlySetup();
    await expectRefused(setup, (doc) => {
      const title = doc.getXmlFragment(planFragmentName).get(0) as Y.XmlElement;
      title.setAttribute("level", 3 as unknown as string);
    });
    const other = await suggestOnlySetup();
    await expectRefused(other, (doc) => summaryText(doc).format(0, 7, { bold: true }));
  });

  it("is closed for a suggestion forged in someone else's name", async () => {
    const setup = await suggestOnlySetup();
    await expectRefused(setup, (doc) =>
      summaryText(doc).insert(0, "Forged ", { [suggestionInsertMark]: mark(setup.cast.reviewer.id) }),
    );
    const deletion = await suggestOnlySetup();
    await expectRefused(deletion, (doc) =>
      summaryText(doc).format(0, 7, { [suggestionDeleteMark]: mark(deletion.cast.reviewer.id) }),
    );
  });

  it("is closed for deleting someone else's suggestion, a new block, or a suggestion with extra attributes", async () => {
    // The editor suggests (it may: its own mark); the suggest-only person then deletes that suggested text.
    const setup = await suggestOnlySetup();
    const theirs = mark(setup.cast.reviewer.id);
    setup.editor.doc.transact(() =>
      summaryText(setup.editor.doc).insert(0, "Reviewer's idea ", { [suggestionInsertMark]: theirs }),
    );
    await waitFor(
      () => JSON.stringify(summaryText(setup.suggester.doc).toDelta()).includes(theirs.id),
      10_000,
      "the suggester to receive the reviewer's suggestion",
    );
    await expectRefused(setup, (doc) => summaryText(doc).delete(0, 9));

    const block = await suggestOnlySetup();
    await expectRefused(block, (doc) => {
      // Even a block whose whole text is its own suggested insertion: suggestions stay within existing blocks.
      const paragraph = new Y.XmlElement("paragraph");
      doc.getXmlFragment(planFragmentName).insert(2, [paragraph]);
      const text = new Y.XmlText();
      paragraph.insert(0, [text]);
      text.insert(0, "A whole new paragraph", { [suggestionInsertMark]: mark(block.cast.applicant.id) });
    });

    const extra = await suggestOnlySetup();
    await expectRefused(extra, (doc) =>
      summaryText(doc).insert(0, "Sneaky ", {
        [suggestionInsertMark]: { ...mark(extra.cast.applicant.id), author2: "x" },
      }),
    );
  });

  it("is closed for a change outside the plan's text (another root type)", async () => {
    const setup = await suggestOnlySetup();
    await expectRefused(setup, (doc) => doc.getMap("smuggled").set("key", "value"));
  });
});
