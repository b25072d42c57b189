import * as prng from "lib0/prng";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { CollabClose } from "~/lib/collab-protocol";
import { planFragmentName } from "~/lib/plan-schema";
import { startCluster, type Cluster } from "../support/cluster";
import {
  buildPlanOnServer,
  connectToDatabaseOf,
  openPlanClient,
  readStoredContent,
  readStoredDocument,
  waitFor,
  waitForSync,
  within,
  type Network,
  type PlanClient,
} from "../support/collab";
import { rpc } from "../support/factories";

/*
 * Three real app servers (`npm run serve`) on one embedded stack (issue 19), with real y-websocket providers spread
 * over them. A provider reaches the servers through a "load balancer": a WebSocket class that sends each connection
 * attempt to the client's preferred server while it is alive, else to another live one.
 */

let cluster: Cluster;
let db: pg.Client;
const clients: PlanClient[] = [];
/** Which servers the load balancer considers alive (a health check would take a dead one out). */
const alive = [true, true, true];

beforeAll(async () => {
  cluster = await startCluster({ servers: 3 });
  db = await connectToDatabaseOf(cluster.stack);
}, 600_000);

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

afterAll(async () => {
  await db?.end().catch(() => undefined);
  const codes = await cluster?.stop();
  // The servers stopped by the tests themselves already exited (null after SIGKILL).
  expect(codes?.stack).toBe(0);
});

interface Balanced {
  client: PlanClient;
  network: Network;
  /** The server its current (or last) connection went to. */
  server: () => number;
}

/** A provider behind the load balancer: `prefer` while alive, else the next live server; `random` picks anew each time. */
function openBalanced(planId: string, token: string, prefer: number, gen?: prng.PRNG): Balanced {
  const network: Network = { up: true };
  let current = prefer;
  const pick = () => {
    const live = [0, 1, 2].filter((i) => alive[i]);
    if (gen) return prng.oneOf(gen, live);
    return alive[prefer] ? prefer : (live.find((i) => i > prefer) ?? live[0]!);
  };
  const Balancer = class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      current = pick();
      const base = cluster.url(current);
      const target = String(url).replace(/^ws:\/\/[^/]+/, base.replace(/^http/, "ws"));
      super(network.up ? target : "ws://127.0.0.1:1/", protocols, {
        headers: { origin: base, authorization: `Bearer ${token}` },
      });
    }
  };
  const client = openPlanClient({
    baseUrl: cluster.url(prefer),
    planId,
    webSocket: Balancer as unknown as typeof WebSocket,
  });
  clients.push(client);
  return { client, network, server: () => current };
}

function sameStateVectors(docs: Y.Doc[]): boolean {
  const vectors = docs.map((doc) => Buffer.from(Y.encodeStateVector(doc)).toString("base64"));
  return vectors.every((vector) => vector === vectors[0]);
}

async function converged(all: PlanClient[], timeoutMs = 60_000): Promise<string> {
  await waitFor(
    () =>
      all.every((client) => client.provider.wsconnected && client.provider.synced) &&
      sameStateVectors(all.map((client) => client.doc)) &&
      new Set(all.map((client) => client.text())).size === 1,
    timeoutMs,
    "the clients to converge",
  );
  return all[0]!.text();
}

interface Typist {
  name: string;
  balanced: Balanced;
  typed: { token: string; clock: number }[];
  stop: () => void;
}

/** Types a token into the typist's own paragraph every few milliseconds, connected or not. */
function startTyping(name: string, balanced: Balanced): Typist {
  const { doc } = balanced.client;
  const paragraph = new Y.XmlElement("paragraph");
  const text = new Y.XmlText(`[${name}]`);
  paragraph.insert(0, [text]);
  const fragment = doc.getXmlFragment(planFragmentName);
  fragment.insert(fragment.length, [paragraph]);
  const typist: Typist = { name, balanced, typed: [], stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    const token = `(${name}${typist.typed.length})`;
    text.insert(text.length, token);
    typist.typed.push({ token, clock: Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0 });
  }, 15);
  return typist;
}

function tokensOf(name: string, text: string): string[] {
  return text.match(new RegExp(`\\(${name}\\d+\\)`, "g")) ?? [];
}

/** What the servers have promised: tokens acknowledged as stored to their typist, and tokens others received. */
function promised(typists: Typist[]): string[] {
  const acknowledged = typists.flatMap(({ balanced: { client }, typed }) => {
    const stored = Math.max(0, ...client.storedVectors.map((vector) => vector.get(client.doc.clientID) ?? 0));
    return typed.filter(({ clock }) => clock <= stored).map(({ token }) => token);
  });
  const received = typists.flatMap(({ name, balanced: { client } }) =>
    typists.filter((other) => other.name !== name).flatMap((other) => tokensOf(other.name, client.text())),
  );
  return [...new Set([...acknowledged, ...received])];
}

/** Stops a server mid-typing; its typists are held off until what was stored is read, then reconnect elsewhere. */
async function stopMidTyping(typists: Typist[], server: number, signal: NodeJS.Signals) {
  const onIt = typists.filter((typist) => typist.balanced.server() === server);
  expect(onIt.length).toBeGreaterThan(0);
  // Everyone has received some typing from everyone else (through the relay where they sit on different servers).
  await waitFor(
    () =>
      typists.every(({ name, balanced }) =>
        typists.every((other) => other.name === name || tokensOf(other.name, balanced.client.text()).length >= 5),
      ),
    60_000,
    "typing to cross the servers",
  );
  for (const typist of onIt) typist.balanced.network.up = false;
  alive[server] = false;
  const code = await cluster.kill(server, signal);
  expect(code).toBe(signal === "SIGKILL" ? null : 0);
  const promises = promised(typists);
  const stored = await readStoredContent(db, planIdOf(typists));
  const lost = promises.filter((token) => !stored.text.includes(token));
  for (const typist of onIt) typist.balanced.network.up = true;
  return { promises, lost, moved: onIt };
}

const plans = new WeakMap<Typist[], string>();
function planIdOf(typists: Typist[]): string {
  return plans.get(typists)!;
}

describe("co-editing over three app servers on one stack (issue 19)", { timeout: 600_000 }, () => {
  it("converges under random edits and reconnects spread over the servers, and stores what every replica holds", async () => {
    const plan = await buildPlanOnServer(cluster.stack);
    const tokens = [...plan.editorTokens, plan.applicantToken];
    const gen = prng.create(20261202);
    const replicas = [0, 1, 2, 3, 4].map((i) => openBalanced(plan.planId, tokens[i % 3]!, i % 3, gen));
    await Promise.all(replicas.map(({ client }) => waitForSync(client, 60_000)));
    const servers = new Set<number>();
    for (let step = 0; step < 150; step++) {
      const { client, server } = prng.oneOf(gen, replicas);
      servers.add(server());
      const roll = prng.int32(gen, 0, 99);
      if (roll < 8 && client.provider.shouldConnect) client.provider.disconnect();
      else if (roll < 16 && !client.provider.shouldConnect) client.provider.connect();
      else {
        const fragment = client.doc.getXmlFragment(planFragmentName);
        const paragraph = new Y.XmlElement("paragraph");
        paragraph.insert(0, [new Y.XmlText(`${prng.word(gen, 1, 8)} `)]);
        client.doc.transact(() => fragment.insert(prng.int32(gen, 0, fragment.length), [paragraph]));
      }
      const pause = prng.int32(gen, 0, 6);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
    expect(servers.size).toBe(3);
    for (const { client } of replicas) client.provider.connect();
    const text = await converged(replicas.map(({ client }) => client));
    const stored = await readStoredDocument(db, plan.planId);
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(replicas[0]!.client.doc));
    stored.destroy();
    // A newcomer on each server loads the same document.
    for (const server of [0, 1, 2]) {
      const fresh = openBalanced(plan.planId, tokens[0]!, server);
      await waitForSync(fresh.client, 60_000);
      expect(fresh.client.text()).toBe(text);
    }
  });

  it("closes a person's sockets on every server within 2 s of losing edit access", async () => {
    const plan = await buildPlanOnServer(cluster.stack, { completePlan: true });
    const sockets = [0, 1, 2].map((server) => openBalanced(plan.planId, plan.applicantToken, server));
    await Promise.all(sockets.map(({ client }) => waitForSync(client, 60_000)));
    expect(sockets.map(({ server }) => server())).toEqual([0, 1, 2]);
    const closedAt: number[] = [];
    for (const { client } of sockets) void client.closed.then(() => closedAt.push(Date.now()));
    // Submitting the application takes edit access away from the applicant (comment-only from then on).
    await rpc(plan.applicant, "submit_application", { application: plan.application });
    const changedAt = Date.now();
    const closes = await within(Promise.all(sockets.map(({ client }) => client.closed)), 20_000, "the closes");
    expect(closes.map(({ code }) => code)).toEqual([0, 1, 2].map(() => CollabClose.accessChanged));
    await waitFor(() => closedAt.length === 3, 1_000, "every close time");
    for (const at of closedAt) expect(at - changedAt).toBeLessThanOrEqual(2_000);
  });

  it("loses no acknowledged update when a server is killed (SIGKILL) or stopped (SIGTERM) mid-typing", async () => {
    const plan = await buildPlanOnServer(cluster.stack);
    const tokens = [...plan.editorTokens, plan.applicantToken];
    const balanced = [0, 1, 2].map((server) => openBalanced(plan.planId, tokens[server]!, server));
    await Promise.all(balanced.map(({ client }) => waitForSync(client, 60_000)));
    const typists = balanced.map((one, i) => startTyping(`t${i}x`, one));
    plans.set(typists, plan.planId);

    const killed = await stopMidTyping(typists, 0, "SIGKILL");
    expect(killed.promises.length).toBeGreaterThan(0);
    expect(killed.lost).toEqual([]);
    // Its typist carries on through another server.
    await waitFor(
      () => killed.moved.every((typist) => typist.balanced.client.provider.wsconnected),
      60_000,
      "reconnect",
    );
    expect(killed.moved.every((typist) => typist.balanced.server() !== 0)).toBe(true);

    const stopped = await stopMidTyping(typists, 1, "SIGTERM");
    expect(stopped.lost).toEqual([]);
    await waitFor(
      () => stopped.moved.every((typist) => typist.balanced.client.provider.wsconnected),
      60_000,
      "reconnect",
    );

    for (const typist of typists) typist.stop();
    const text = await converged(balanced.map(({ client }) => client));
    // Nothing typed anywhere, before, during or after the stops, is missing: offline edits merged.
    for (const typist of typists)
      expect(typist.typed.map(({ token }) => token).filter((token) => !text.includes(token))).toEqual([]);
    await waitFor(
      async () => (await readStoredContent(db, plan.planId)).text === text,
      30_000,
      "the store to hold the converged text",
    );
  });
});
