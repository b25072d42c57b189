import { randomUUID } from "node:crypto";
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CollabClose } from "~/lib/collab-protocol";
import { planFragmentName } from "~/lib/plan-schema";
import {
  accessTokenOf,
  appendParagraph,
  collabUrl,
  openPlanClient,
  openRawSocket,
  ownEditsStored,
  planDocumentUrl,
  readStoredContent,
  sessionCookieOf,
  sessionHeaders,
  signAccessToken,
  upgradeStatus,
  waitFor,
  waitForSync,
  within,
  hasSettled,
  type PlanClient,
  type RawSocket,
} from "../support/collab";
import { buildApplication, buildCast, buildOrganisation, rpc } from "../support/factories";
import { stack, withDatabase, type TestUser } from "../support/supabase";

const clients: PlanClient[] = [];
const sockets: RawSocket[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  for (const raw of sockets.splice(0)) raw.socket.terminate();
});

/** A y-websocket provider as `user`; it does not reconnect by itself after the server closes it. */
async function connect(user: TestUser, planId: string, token?: string): Promise<PlanClient> {
  const client = openPlanClient({
    baseUrl: stack().url,
    planId,
    token: token ?? (await accessTokenOf(user)),
    reconnect: false,
  });
  clients.push(client);
  return client;
}

function rawSocket(planId: string, token: string): RawSocket {
  const raw = openRawSocket(stack().url, planId, token);
  sockets.push(raw);
  return raw;
}

/** A handshake that passes our authorisation but that ws itself refuses (its Sec-WebSocket-Key is malformed). */
function refusedHandshake(planId: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(planDocumentUrl(stack().url, planId).replace(/^ws/, "http"), {
      headers: {
        ...sessionHeaders(stack().url, token),
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "not a key",
      },
    });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("upgrade", (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on("error", reject);
    request.end();
  });
}

/** Applies `change` to the database and expects `client`'s socket closed with 4403 within 2 s of it. */
async function expectClosedForAccess(client: PlanClient, change: () => Promise<unknown>): Promise<void> {
  await waitForSync(client);
  let closedAt = Number.POSITIVE_INFINITY;
  void client.closed.then(() => (closedAt = Date.now()));
  await change();
  const changedAt = Date.now();
  const { code } = await within(client.closed, 10_000, "close after the rights change");
  expect(code).toBe(CollabClose.accessChanged);
  expect(closedAt - changedAt).toBeLessThanOrEqual(2_000);
}

describe("authorisation before the upgrade", () => {
  it("refuses a missing, forged or expired session, a foreign origin, a stranger and a bad document name", async () => {
    const cast = await buildCast();
    const [{ plan }] = await Promise.all([buildApplication(cast, "draft"), buildOrganisation(cast.outsider)]);
    const base = stack().url;
    const url = planDocumentUrl(base, plan);
    const token = await accessTokenOf(cast.applicant);

    expect(await upgradeStatus(url, sessionHeaders(base, token))).toBe(101);
    expect(await upgradeStatus(url, { origin: base })).toBe(401);
    const forged = await signAccessToken(`not-the-secret-${randomUUID()}`, {
      sub: cast.applicant.id,
      expiresInSeconds: 3600,
    });
    expect(await upgradeStatus(url, sessionHeaders(base, forged))).toBe(401);
    const expired = await signAccessToken(stack().jwtSecret, { sub: cast.applicant.id, expiresInSeconds: -60 });
    expect(await upgradeStatus(url, sessionHeaders(base, expired))).toBe(401);
    expect(await upgradeStatus(url, { ...sessionHeaders(base, token), origin: "https://evil.example" })).toBe(403);
    expect(await upgradeStatus(url, { authorization: `Bearer ${token}` })).toBe(403);
    // An applicant of another organisation.
    expect(await upgradeStatus(url, sessionHeaders(base, await accessTokenOf(cast.outsider)))).toBe(403);
    expect(await upgradeStatus(`${collabUrl(base)}/plan.not-a-uuid`, sessionHeaders(base, token))).toBe(400);
    expect(await upgradeStatus(`${collabUrl(base)}/application.${plan}`, sessionHeaders(base, token))).toBe(400);
    expect(await upgradeStatus(`${url}/more`, sessionHeaders(base, token))).toBe(400);
    expect([403, 404]).toContain(await upgradeStatus(planDocumentUrl(base, randomUUID()), sessionHeaders(base, token)));
  });

  it("accepts a browser's session cookie, and still requires its own origin and access to the plan", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const base = stack().url;
    const url = planDocumentUrl(base, plan);
    const cookie = await sessionCookieOf(cast.applicant);
    expect(await upgradeStatus(url, { origin: base, cookie })).toBe(101);
    expect(await upgradeStatus(url, { origin: "https://evil.example", cookie })).toBe(403);
    expect(await upgradeStatus(url, { origin: base, cookie: await sessionCookieOf(cast.outsider) })).toBe(403);
    expect(await upgradeStatus(url, { origin: base, cookie: "sb-127-auth-token=base64-bm90IGpzb24" })).toBe(401);
  });

  it("accepts a token signed with the real secret, and keeps a long-lived one open until it expires", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    // Thirty days: longer than a Node timer can wait (2^31-1 ms), which once closed the socket at once as expired.
    const token = await signAccessToken(stack().jwtSecret, { sub: cast.applicant.id, expiresInSeconds: 30 * 86_400 });
    const client = await connect(cast.applicant, plan, token);
    expect(await client.access).toBe("edit");
    await waitForSync(client);
    appendParagraph(client.doc, "still connected");
    await waitFor(() => ownEditsStored(client), 10_000, "the edit to be stored");
    expect(await hasSettled(client.closed)).toBe(false);
  });

  it("grants edit to editors and comment to the applicant once the application is submitted", async () => {
    const cast = await buildCast();
    const [draft, submitted] = await Promise.all([
      buildApplication(cast, "draft"),
      buildApplication(cast, "submitted"),
    ]);
    expect(await (await connect(cast.applicant, draft.plan)).access).toBe("edit");
    expect(await (await connect(cast.colleague, draft.plan)).access).toBe("edit");
    expect(await (await connect(cast.reviewer, draft.plan)).access).toBe("edit");
    expect(await (await connect(cast.applicant, submitted.plan)).access).toBe("comment");
    expect(await (await connect(cast.reviewer, submitted.plan)).access).toBe("edit");
  });
});

describe("what reaches the stored document", () => {
  it("never stores or forwards a comment-only person's edits, even when they reconnect", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "submitted");
    const editor = await connect(cast.reviewer, plan);
    const commenter = await connect(cast.applicant, plan);
    expect(await commenter.access).toBe("comment");
    await Promise.all([waitForSync(editor), waitForSync(commenter)]);
    const before = editor.text();
    expect(before).toContain("Action plan:");

    // A tampered editor: delete the title, write into an existing paragraph, add a paragraph. Comment rights may
    // only suggest (issue 18): plain edits close the socket as a refused update.
    const secret = `secret-${randomUUID()}`;
    const fragment = commenter.doc.getXmlFragment(planFragmentName);
    commenter.doc.transact(() => fragment.delete(0, 1));
    const summary = fragment.toArray().find((node) => (node.toJSON() as string).includes("Summary"));
    ((summary as Y.XmlElement).get(0) as Y.XmlText).insert(0, `${secret}-inline `);
    appendParagraph(commenter.doc, secret);
    expect(commenter.text()).toContain(secret);
    expect((await within(commenter.closed, 10_000, "the refusal")).code).toBe(CollabClose.updateRefused);

    // Reconnecting sends the same edits again, as sync step 2: refused again.
    const again = await connect(cast.applicant, plan);
    Y.applyUpdate(again.doc, Y.encodeStateAsUpdate(commenter.doc));
    expect((await within(again.closed, 10_000, "the second refusal")).code).toBe(CollabClose.updateRefused);

    const marker = `editor-${randomUUID()}`;
    appendParagraph(editor.doc, marker);
    await waitFor(() => ownEditsStored(editor), 10_000, "the editor's paragraph to be stored");
    expect(editor.text()).toBe(`${before}\n${marker}`);

    const fresh = await connect(cast.reviewer, plan);
    await waitForSync(fresh);
    expect(fresh.text()).toBe(editor.text());
    const stored = await withDatabase((db) => readStoredContent(db, plan));
    expect(stored.text).toBe(editor.text());
    expect(stored.text).not.toContain(secret);
  });

  it("stores every update before anyone else receives it", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const writer = await connect(cast.applicant, plan);
    const reader = await connect(cast.reviewer, plan);
    await Promise.all([waitForSync(writer), waitForSync(reader)]);
    await withDatabase(async (db) => {
      for (let round = 0; round < 15; round++) {
        // A burst of separate updates, so several are in flight (and group-committed) at once.
        const texts = Array.from({ length: 4 }, (_, index) => `durable-${round}-${index}-${randomUUID().slice(0, 8)}`);
        for (const text of texts) appendParagraph(writer.doc, text);
        const last = texts.at(-1) ?? "";
        await waitFor(() => reader.text().includes(last), 10_000, "the reader to receive the burst");
        // The reader has seen it: the database must already hold it (and everything before it).
        const stored = await readStoredContent(db, plan);
        for (const text of texts) expect(stored.text).toContain(text);
      }
    });
  });
});

describe("rights changes", () => {
  it("closes the socket of a member removed from the organisation within 2 s, and only theirs", async () => {
    const cast = await buildCast();
    const { plan, organisation } = await buildApplication(cast, "draft");
    const removed = await connect(cast.colleague, plan);
    const staying = await connect(cast.applicant, plan);
    await waitForSync(staying);
    await expectClosedForAccess(removed, () =>
      withDatabase((db) =>
        db.query("delete from public.organisation_members where organisation_id = $1 and user_id = $2", [
          organisation,
          cast.colleague.id,
        ]),
      ),
    );
    appendParagraph(staying.doc, "the applicant carries on");
    await waitFor(() => ownEditsStored(staying), 10_000, "the applicant's edit to be stored");
    expect(await hasSettled(staying.closed)).toBe(false);
    const base = stack().url;
    expect(
      await upgradeStatus(planDocumentUrl(base, plan), sessionHeaders(base, await accessTokenOf(cast.colleague))),
    ).toBe(403);
  });

  it("closes a reviewer's socket within 2 s when the reviewer role is revoked", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const reviewer = await connect(cast.reviewer, plan);
    await expectClosedForAccess(reviewer, () =>
      withDatabase((db) =>
        db.query("delete from public.role_grants where user_id = $1 and role = 'reviewer'", [cast.reviewer.id]),
      ),
    );
    const base = stack().url;
    expect(
      await upgradeStatus(planDocumentUrl(base, plan), sessionHeaders(base, await accessTokenOf(cast.reviewer))),
    ).toBe(403);
  });

  it("sends a revoked socket nothing typed after the revoking call returned, while another person keeps typing", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const typist = await connect(cast.applicant, plan);
    const revoked = await connect(cast.reviewer, plan);
    await Promise.all([waitForSync(typist), waitForSync(revoked)]);
    let typed = 0;
    let typing = true;
    const typingDone = (async () => {
      // Continuous typing, one paragraph every few milliseconds, for as long as the test needs.
      while (typing) {
        appendParagraph(typist.doc, `typed-${++typed};`);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    await waitFor(() => revoked.text().includes("typed-5;"), 10_000, "the reviewer to receive the typing");
    await rpc(cast.coordinator.client, "revoke_role", { person: cast.reviewer.id, role: "reviewer" });
    // Everything typed from here on was typed after the revoking call returned.
    const typedBeforeRevocation = typed;
    const { code } = await within(revoked.closed, 10_000, "close after the revocation");
    await waitFor(() => typed > typedBeforeRevocation + 20, 10_000, "typing to go on after the revocation");
    typing = false;
    await typingDone;
    expect(code).toBe(CollabClose.accessChanged);
    const received = [...revoked.text().matchAll(/typed-(\d+);/g)].map((match) => Number(match[1]));
    const typedAfterRevocation = received.filter((number) => number > typedBeforeRevocation);
    expect(typedAfterRevocation).toEqual([]);
    // The typist was never disturbed: everything it typed is stored.
    await waitFor(() => ownEditsStored(typist), 10_000, "the typist's edits to be stored");
    expect(await hasSettled(typist.closed)).toBe(false);
  });

  it("closes the applicant's editing socket within 2 s of submitting, and lets them back in to comment", async () => {
    const cast = await buildCast();
    const { plan, application } = await buildApplication(cast, "draft");
    const applicant = await connect(cast.applicant, plan);
    const reviewer = await connect(cast.reviewer, plan);
    await waitForSync(reviewer);
    await expectClosedForAccess(applicant, () => rpc(cast.applicant.client, "submit_application", { application }));
    // BDT still edits a submitted plan: its socket stays.
    expect(await hasSettled(reviewer.closed)).toBe(false);
    expect(await (await connect(cast.applicant, plan)).access).toBe("comment");
  });

  it("closes a deactivated account's socket within 2 s", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const reviewer = await connect(cast.otherReviewer, plan);
    await expectClosedForAccess(reviewer, () =>
      withDatabase((db) =>
        db.query("update auth.users set banned_until = 'infinity' where id = $1", [cast.otherReviewer.id]),
      ),
    );
    const base = stack().url;
    expect(
      await upgradeStatus(planDocumentUrl(base, plan), sessionHeaders(base, await accessTokenOf(cast.otherReviewer))),
    ).toBe(403);
  });
});

describe("limits", () => {
  it("closes a socket that sends a message over the size limit with 1009, and serves the document on", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const token = await accessTokenOf(cast.applicant);
    const raw = rawSocket(plan, token);
    expect(await raw.access).toBe("edit");
    raw.socket.send(Buffer.alloc(3 * 1024 * 1024));
    expect((await within(raw.closed, 10_000, "close after the oversized message")).code).toBe(
      CollabClose.messageTooLarge,
    );
    const client = await connect(cast.applicant, plan);
    await waitForSync(client);
    expect(client.text()).toContain("Action plan:");
  });

  it("refuses the 101st connection to a document with 4503; refused handshakes never take a place", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const token = await accessTokenOf(cast.reviewer);
    // Authorised by us, then refused by ws: these once kept a place each, for good.
    for (let attempt = 0; attempt < 5; attempt++) expect(await refusedHandshake(plan, token)).toBe(400);

    const open = Array.from({ length: 100 }, () => rawSocket(plan, token));
    expect(await within(Promise.all(open.map((raw) => raw.access)), 20_000, "100 connections")).toEqual(
      Array(100).fill("edit"),
    );
    const extra = rawSocket(plan, token);
    expect((await within(extra.closed, 10_000, "the 101st to be closed")).code).toBe(CollabClose.documentFull);

    // A refused socket that misbehaves at once (an oversized frame) once crashed the server.
    const rude = rawSocket(plan, token);
    rude.socket.once("open", () => rude.socket.send(Buffer.alloc(3 * 1024 * 1024)));
    expect((await within(rude.closed, 10_000, "the rude socket to be closed")).code).toBe(CollabClose.documentFull);

    // A place freed is a place taken.
    open[0]?.socket.close();
    await waitFor(
      async () => {
        const next = rawSocket(plan, token);
        return Promise.race([next.access.then(() => true), next.closed.then(() => false)]);
      },
      10_000,
      "a connection to take the freed place",
    );
  });
});
