import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as encoding from "lib0/encoding";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { CollabClose, CollabMessage } from "~/lib/collab-protocol";
import { planFragmentName } from "~/lib/plan-schema";
import {
  appendParagraph,
  collabMetrics,
  connectToDatabaseOf,
  openPlanClient,
  openRawSocket,
  openSilentSocket,
  ownEditsStored,
  readStoredContent,
  readStoredDocument,
  textAtNextSync,
  unappliableUpdateFor,
  waitFor,
  waitForSync,
  within,
  buildPlanOnServer,
  type Network,
  type PlanClient,
} from "../support/collab";
import { rpc } from "../support/factories";
import { startServer, type RunningServer } from "../support/server-process";

/*
 * Crashes and restarts of a server of this file's own (the shared one must never be killed). Clients reach it through
 * a `Network` switch, so that after a crash the test can read what the restarted server stored before the clients'
 * own copies flow back in and would hide a loss.
 */

let dataDir: string;
let server: RunningServer;
let db: pg.Client | undefined;
const clients: PlanClient[] = [];

// These tests stop and start real servers: on a busy 2-core machine a start alone can outlast vitest's defaults, so
// they wait for the servers' own deadlines instead (issue 11).
const serverStarts = { timeout: 300_000 };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "an-collab-fault-"));
  server = await startServer({ dataDir });
}, serverStarts.timeout);

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

afterAll(async () => {
  await db?.end().catch(() => undefined);
  await server?.stop("SIGTERM");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the server again on the same data, HTTP port and PostgreSQL port, as a supervisor would. */
async function restart(env: Record<string, string> = {}): Promise<void> {
  await db?.end().catch(() => undefined);
  db = undefined;
  server = await startServer({ dataDir, port: server.port, pgPort: server.pgPort, env });
}

async function database(): Promise<pg.Client> {
  db ??= await connectToDatabaseOf(server);
  return db;
}

function open(planId: string, token: string, options: { network?: Network; reconnect?: boolean } = {}): PlanClient {
  const client = openPlanClient({ baseUrl: server.url, planId, token, ...options });
  clients.push(client);
  return client;
}

interface Typist {
  name: string;
  client: PlanClient;
  /** Every token typed, with the client's own clock after it (to tell which the server acknowledged). */
  typed: { token: string; clock: number }[];
  stop: () => void;
}

/** Types a token into the typist's own paragraph every few milliseconds, connected or not. */
function startTyping(name: string, client: PlanClient): Typist {
  const paragraph = new Y.XmlElement("paragraph");
  const text = new Y.XmlText(`[${name}]`);
  paragraph.insert(0, [text]);
  const fragment = client.doc.getXmlFragment(planFragmentName);
  fragment.insert(fragment.length, [paragraph]);
  const typist: Typist = { name, client, typed: [], stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    const token = `(${name}${typist.typed.length})`;
    text.insert(text.length, token);
    typist.typed.push({
      token,
      clock: Y.decodeStateVector(Y.encodeStateVector(client.doc)).get(client.doc.clientID) ?? 0,
    });
  }, 8);
  return typist;
}

function tokensOf(name: string, text: string): string[] {
  return text.match(new RegExp(`\\(${name}\\d+\\)`, "g")) ?? [];
}

/** What the server has promised each typist: the tokens it acknowledged as stored, and those others received. */
function promised(typists: Typist[]): string[] {
  const acknowledged = typists.flatMap(({ client, typed }) => {
    const stored = Math.max(0, ...client.storedVectors.map((vector) => vector.get(client.doc.clientID) ?? 0));
    return typed.filter(({ clock }) => clock <= stored).map(({ token }) => token);
  });
  const received = typists.flatMap(({ name, client }) =>
    typists.filter((other) => other.name !== name).flatMap((other) => tokensOf(other.name, client.text())),
  );
  return [...new Set([...acknowledged, ...received])];
}

function isSubsequence(needle: string, haystack: string): boolean {
  let found = 0;
  for (const char of haystack) if (char === needle[found]) found++;
  return found === needle.length;
}

function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, CollabMessage.sync);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

function missingFrom(text: string, tokens: string[]): string[] {
  return tokens.filter((token) => !text.includes(token));
}

/** Waits until every client is connected and synced and all hold the same document; returns its text. */
async function converged(all: PlanClient[], timeoutMs = 20_000): Promise<string> {
  const state = (client: PlanClient) => Buffer.from(Y.encodeStateVector(client.doc)).toString("base64");
  await waitFor(
    () =>
      all.every((client) => client.provider.wsconnected && client.provider.synced) &&
      all.every((client) => state(client) === state(all[0]!) && client.text() === all[0]!.text()),
    timeoutMs,
    "the clients to converge",
  );
  return all[0]!.text();
}

/** Two editors typing at once, until each has received a fair amount from the other. */
async function twoTypists(planId: string, tokens: [string, string], network: Network): Promise<Typist[]> {
  const typists = tokens.map((token, index) => {
    const client = open(planId, token, { network });
    return { name: "AB"[index] ?? "X", client };
  });
  await Promise.all(typists.map(({ client }) => waitForSync(client)));
  const typing = typists.map(({ name, client }) => startTyping(name, client));
  await waitFor(
    () => tokensOf("A", typing[1]!.client.text()).length >= 15 && tokensOf("B", typing[0]!.client.text()).length >= 15,
    15_000,
    "the typists to receive each other's text",
  );
  return typing;
}

async function typeOffline(typists: Typist[], tokens = 8): Promise<void> {
  const counts = typists.map((typist) => typist.typed.length);
  await waitFor(
    () => typists.every((typist, index) => typist.typed.length >= (counts[index] ?? 0) + tokens),
    5_000,
    "offline typing",
  );
  for (const typist of typists) typist.stop();
}

describe("crashes", serverStarts, () => {
  it("keeps every update anyone received when killed with SIGKILL, and merges what was typed meanwhile", async () => {
    const { planId, editorTokens } = await buildPlanOnServer(server);
    const network: Network = { up: true };
    const typists = await twoTypists(planId, editorTokens, network);

    const mustSurvive = promised(typists);
    network.up = false;
    await server.stop("SIGKILL");
    await typeOffline(typists);
    await restart();

    // Before the typists' own copies can flow back: the database and a newcomer already have it all.
    expect(missingFrom((await readStoredContent(await database(), planId)).text, mustSurvive)).toEqual([]);
    const newcomer = open(planId, editorTokens[0], { reconnect: false });
    await waitForSync(newcomer);
    expect(missingFrom(newcomer.text(), mustSurvive)).toEqual([]);

    // The typists reconnect by themselves; what they typed unsynced or offline merges in.
    network.up = true;
    const text = await converged([...typists.map((typist) => typist.client), newcomer]);
    expect(
      missingFrom(
        text,
        typists.flatMap((typist) => typist.typed.map(({ token }) => token)),
      ),
    ).toEqual([]);
    expect(text.match(/Action plan:/g)).toHaveLength(1);
    expect((await readStoredContent(await database(), planId)).text).toBe(text);
  });

  it("never lets a stored update that Yjs cannot apply make the document unloadable", async () => {
    const { planId, editorTokens } = await buildPlanOnServer(server);
    const editor = open(planId, editorTokens[0]);
    await waitForSync(editor);
    appendParagraph(editor.doc, "an honest line");
    await waitFor(() => ownEditsStored(editor), 10_000, "the honest line to be stored");

    // A tampered client sends an update that decodes but throws when applied; updates are stored before they are
    // applied, so it is in the database by then. A crash follows before anything compacts it away.
    const poison = unappliableUpdateFor(editor.doc);
    const tampered = openRawSocket(server.url, planId, editorTokens[1]);
    expect(await tampered.access).toBe("edit");
    tampered.socket.send(syncUpdateMessage(poison));
    expect((await tampered.closed).code).toBe(1007);
    await server.stop("SIGKILL");
    await restart();
    await expect(readStoredDocument(await database(), planId)).rejects.toThrow();

    const newcomer = open(planId, editorTokens[0], { reconnect: false });
    expect(await newcomer.access).toBe("edit");
    // What Yjs integrated of it before throwing stays, as it did live (it may have inserted characters anywhere, so
    // the honest line is looked for letter by letter); everyone still converges on one document.
    const text = await converged([editor, newcomer]);
    expect(isSubsequence("an honest line", text)).toBe(true);
  });

  it("stores and compacts everything on SIGTERM while people type, and exits cleanly", async () => {
    const { planId, editorTokens } = await buildPlanOnServer(server);
    const network: Network = { up: true };
    const typists = await twoTypists(planId, editorTokens, network);

    const mustSurvive = promised(typists);
    network.up = false;
    expect(await server.stop("SIGTERM")).toBe(0);
    await typeOffline(typists);
    await restart();

    const stored = await database();
    const snapshot = await stored.query<{ through_update_id: string }>(
      "select through_update_id from private.plan_snapshots where plan_id = $1",
      [planId],
    );
    expect(snapshot.rows).toHaveLength(1);
    const after = await stored.query<{ count: string }>(
      "select count(*) from private.plan_updates where plan_id = $1 and id > $2",
      [planId, snapshot.rows[0]?.through_update_id],
    );
    expect(after.rows[0]?.count).toBe("0");
    expect(missingFrom((await readStoredContent(stored, planId)).text, mustSurvive)).toEqual([]);

    network.up = true;
    const text = await converged(typists.map((typist) => typist.client));
    expect(
      missingFrom(
        text,
        typists.flatMap((typist) => typist.typed.map(({ token }) => token)),
      ),
    ).toEqual([]);
    await waitFor(
      async () => (await readStoredContent(stored, planId)).text === text,
      10_000,
      "the merged text to be stored",
    );
  });
});

describe("on a server that unloads a document as soon as nobody uses it", serverStarts, () => {
  beforeAll(async () => {
    await server.stop("SIGTERM");
    await restart({ COLLAB_IDLE_UNLOAD_MS: "1" });
  }, serverStarts.timeout);

  it("never serves a stale or empty document to a reconnect within milliseconds of a save or an unload", async () => {
    const { planId, editorTokens } = await buildPlanOnServer(server);
    const writer = open(planId, editorTokens[0]);
    await waitForSync(writer);
    const lines = [writer.text()];
    const expected = () => lines.join("\n");
    for (let round = 0; round < 30; round++) {
      const line = `line ${round} ${randomUUID().slice(0, 8)}`;
      appendParagraph(writer.doc, line);
      // Two rounds in three leave after the save; the third leaves while it is still being stored.
      const saved = round % 3 !== 1;
      if (saved) await waitFor(() => ownEditsStored(writer), 10_000, "the save");
      const before = expected();
      lines.push(line);
      writer.provider.disconnect();
      if (round % 3 === 2) {
        // Straight back on the same provider: a document reloaded empty would bring a second template.
        writer.provider.connect();
        await waitForSync(writer);
        expect(writer.text()).toBe(expected());
        continue;
      }
      const newcomer = open(planId, editorTokens[1], { reconnect: false });
      const seen = await textAtNextSync(newcomer);
      if (saved) expect(seen).toBe(expected());
      else expect([before, expected()]).toContain(seen);
      await waitFor(() => newcomer.text() === expected(), 10_000, "the newcomer to receive the last line");
      newcomer.destroy();
      writer.provider.connect();
      await waitForSync(writer);
    }
    writer.provider.disconnect();
    await waitFor(async () => (await collabMetrics(server.url)).documents === 0, 10_000, "the document to be unloaded");
    const stored = await database();
    expect((await stored.query("select 1 from private.plan_snapshots where plan_id = $1", [planId])).rows).toHaveLength(
      1,
    );
    expect((await readStoredContent(stored, planId)).text).toBe(expected());
  });

  it("re-checks a connection whose rights changed while its document was loading", async () => {
    const { planId, application, applicant, applicantToken } = await buildPlanOnServer(server, { completePlan: true });
    const stored = await database();
    // Hold the document's load (it reads the snapshot table) after the upgrade has been authorised.
    const locker = await connectToDatabaseOf(server);
    try {
      await locker.query("begin");
      await locker.query("lock table private.plan_snapshots in access exclusive mode");
      const socket = openRawSocket(server.url, planId, applicantToken);
      await waitFor(
        async () =>
          (
            await stored.query(
              "select 1 from pg_stat_activity where application_name = 'collab' and wait_event_type = 'Lock'",
            )
          ).rows.length > 0,
        10_000,
        "the document load to wait",
      );
      await rpc(applicant, "submit_application", { application });
      await locker.query("commit");
      expect(await socket.access).toBe("edit");
      expect((await within(socket.closed, 5_000, "close of the socket")).code).toBe(CollabClose.accessChanged);
    } finally {
      await locker.end();
    }
  });

  it("hears rights changes again after losing its database connection, and catches what changed meanwhile", async () => {
    const { planId, application, applicant, applicantToken } = await buildPlanOnServer(server, { completePlan: true });
    const editor = open(planId, applicantToken, { reconnect: false });
    await waitForSync(editor);
    let closedAt = Number.POSITIVE_INFINITY;
    void editor.closed.then(() => (closedAt = Date.now()));
    const stored = await database();
    const listening = async () =>
      (await stored.query("select 1 from pg_stat_activity where application_name = 'collab-listen'")).rows.length > 0;
    await stored.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'collab-listen'",
    );
    await waitFor(async () => !(await listening()), 10_000, "the listener to be gone");
    // Changed while nobody listens: no signal will ever come for it.
    await rpc(applicant, "submit_application", { application });
    const changedAt = Date.now();
    expect((await within(editor.closed, 5_000, "close of the socket")).code).toBe(CollabClose.accessChanged);
    expect(closedAt - changedAt).toBeLessThanOrEqual(2_000);
    await waitFor(listening, 10_000, "the listener to be back");
  });

  it("keeps one document per plan when a socket closed for a rights change lingers past an unload", async () => {
    const { planId, application, editorTokens, applicant, applicantToken } = await buildPlanOnServer(server, {
      completePlan: true,
    });
    const lingering = openSilentSocket(server.url, planId, applicantToken);
    const first = open(planId, editorTokens[0]);
    await waitForSync(first);

    // Submitting turns the applicant's edit into comment: the server closes their socket, which never answers.
    await rpc(applicant, "submit_application", { application });
    expect(await lingering.closeCode).toBe(CollabClose.accessChanged);
    first.destroy();
    await waitFor(async () => (await collabMetrics(server.url)).documents === 0, 10_000, "the document to be unloaded");

    // The plan is loaded afresh; then the lingering socket finally goes.
    const second = open(planId, editorTokens[0]);
    await waitForSync(second);
    lingering.destroy();
    await waitFor(
      async () => (await collabMetrics(server.url)).connections === 1,
      10_000,
      "the lingering socket to go",
    );

    // Whoever comes next must join the same live document, not a second copy of it.
    const third = open(planId, editorTokens[1]);
    await waitForSync(third);
    appendParagraph(second.doc, "from the second");
    appendParagraph(third.doc, "from the third");
    await converged([second, third], 5_000);
    expect(second.text()).toContain("from the third");
    expect(third.text()).toContain("from the second");
    expect((await collabMetrics(server.url)).documents).toBe(1);
  });
});
