import { randomBytes, randomUUID } from "node:crypto";
import net from "node:net";
import { createServerClient } from "@supabase/ssr";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import * as decoding from "lib0/decoding";
import * as prng from "lib0/prng";
import pg from "pg";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { CollabMessage, collabPath, planDocumentName, type PlanAccessLevel } from "~/lib/collab-protocol";
import { planFragmentName } from "~/lib/plan-schema";
import type { Database } from "~/lib/database.types";
import { buildPlanTemplate, type TemplateCapability } from "../../server/collab/plan-template";
import {
  applicationContent,
  completeEoiContent,
  fillEmptyParagraphs,
  rpc,
  typedKpiValues,
  validation,
} from "./factories";
import { readSecrets, type RunningServer } from "./server-process";
import { DEMO_PASSWORD, stack, type TestUser } from "./supabase";

export async function accessTokenOf(user: TestUser): Promise<string> {
  const { data } = await user.client.auth.getSession();
  if (!data.session) throw new Error(`${user.email} has no session`);
  return data.session.access_token;
}

/**
 * The Cookie header a browser signed in as `user` sends: the session exactly as the app's @supabase/ssr client
 * writes it (base64, chunked when long).
 */
export async function sessionCookieOf(user: TestUser): Promise<string> {
  const jar = new Map<string, string>();
  const client = createServerClient<Database>(stack().url, stack().anonKey, {
    cookies: {
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      setAll: (cookies) => {
        for (const { name, value } of cookies) {
          if (value) jar.set(name, value);
          else jar.delete(name);
        }
      },
    },
    realtime: { transport: WebSocket as never },
  });
  const { error } = await client.auth.signInWithPassword({ email: user.email, password: user.password });
  if (error) throw new Error(`sign in ${user.email}: ${error.message}`);
  if (jar.size === 0) throw new Error("no session cookie was written");
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/** A switch a test flips to cut its clients off from the server (a network partition), and to let them back. */
export interface Network {
  up: boolean;
}

/**
 * A WebSocket class for y-websocket that sends what a browser would: a session and an Origin. While `network` is
 * down, every connection attempt goes nowhere (port 1 refuses at once) and the provider keeps retrying by itself.
 */
export function webSocketWith(headers: Record<string, string>, network?: Network): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(network && !network.up ? "ws://127.0.0.1:1/" : url, protocols, { headers });
    }
  } as typeof WebSocket;
}

export function collabUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, "ws")}${collabPath}`;
}

export interface PlanClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** The access level the server granted (its first message). */
  access: Promise<PlanAccessLevel>;
  /** Resolves with the code of the first close the provider saw (from the server, or the network failing). */
  closed: Promise<{ code: number; reason: string }>;
  /** State vectors the server acknowledged as stored. */
  storedVectors: Map<number, number>[];
  synced(): Promise<void>;
  text(): string;
  destroy(): void;
}

export interface PlanClientOptions {
  baseUrl: string;
  planId: string;
  token?: string;
  origin?: string;
  connect?: boolean;
  reconnect?: boolean;
  network?: Network;
  /** The WebSocket class the provider uses (e.g. one that picks a live server, as a load balancer would). */
  webSocket?: typeof WebSocket;
}

/** A real y-websocket provider connected as a person would connect from the editor. */
export function openPlanClient(options: PlanClientOptions): PlanClient {
  const doc = new Y.Doc();
  const headers: Record<string, string> = { origin: options.origin ?? options.baseUrl };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const provider = new WebsocketProvider(collabUrl(options.baseUrl), planDocumentName(options.planId), doc, {
    WebSocketPolyfill: (options.webSocket ?? webSocketWith(headers, options.network)) as never,
    disableBc: true,
    connect: options.connect ?? true,
    maxBackoffTime: 200,
    shouldReconnect: () => options.reconnect ?? true,
  });
  let grant: (level: PlanAccessLevel) => void = () => undefined;
  const access = new Promise<PlanAccessLevel>((resolve) => (grant = resolve));
  const storedVectors: Map<number, number>[] = [];
  provider.messageHandlers[CollabMessage.access] = (_encoder, decoder) =>
    grant(decoding.readVarString(decoder) as PlanAccessLevel);
  provider.messageHandlers[CollabMessage.stored] = (_encoder, decoder) =>
    void storedVectors.push(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
  provider.messageHandlers[CollabMessage.commentsChanged] = () => undefined;
  let destroyed = false;
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    provider.on("connection-close", (event) => event && resolve({ code: event.code, reason: event.reason })),
  );
  return {
    doc,
    provider,
    access,
    closed,
    storedVectors,
    synced: () =>
      provider.synced
        ? Promise.resolve()
        : new Promise((resolve) => provider.once("sync", (state: boolean) => state && resolve())),
    text: () => fragmentText(doc),
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      provider.destroy();
      doc.destroy();
    },
  };
}

/** The plain text of a plan document, block by block. */
export function fragmentText(doc: Y.Doc): string {
  const walk = (node: Y.XmlElement | Y.XmlText | Y.XmlFragment): string =>
    node instanceof Y.XmlText
      ? (node.toString() as string).replace(/<[^>]+>/g, "")
      : node
          .toArray()
          .map((child) => walk(child as Y.XmlElement))
          .join(
            node instanceof Y.XmlElement && ["paragraph", "heading", "tableCell", "tableHeader"].includes(node.nodeName)
              ? ""
              : "\n",
          );
  return walk(doc.getXmlFragment(planFragmentName));
}

/** Writes `text` into every empty paragraph of the plan (table cells included), as people answering every section would. */
export function fillEmptyParagraphsOf(doc: Y.Doc, text = "Answered."): void {
  // A typed KPI table's cells get values that type (issue 16): indicator, unit, baseline, target, target date.
  const walk = (node: Y.XmlElement | Y.XmlFragment, fill = text) => {
    if (node instanceof Y.XmlElement && node.nodeName === "paragraph" && node.length === 0)
      node.insert(0, [new Y.XmlText(fill)]);
    if (node instanceof Y.XmlElement && node.nodeName === "tableRow" && node.getAttribute("kpiKey") !== undefined) {
      node.toArray().forEach((cell, column) => {
        if (cell instanceof Y.XmlElement) walk(cell, typedKpiValues(text)[column] ?? text);
      });
      return;
    }
    for (const child of node.toArray()) if (child instanceof Y.XmlElement) walk(child, fill);
  };
  doc.transact(() => walk(doc.getXmlFragment(planFragmentName)));
}

/** Appends a paragraph with `text` at the end of the plan, as the editor would. */
export function appendParagraph(doc: Y.Doc, text: string): void {
  const paragraph = new Y.XmlElement("paragraph");
  paragraph.insert(0, [new Y.XmlText(text)]);
  const fragment = doc.getXmlFragment(planFragmentName);
  fragment.insert(fragment.length, [paragraph]);
}

/** What an HTTP upgrade to the collaboration path answers, without y-websocket in between. */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on("open", () => {
      resolve(101);
      socket.close();
    });
    socket.on("error", (error) => (error.message.includes("Unexpected server response") ? undefined : reject(error)));
  });
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Raw sockets, tokens and the stored document, for tests that need to look underneath y-websocket.

/** The URL of one plan's document, as y-websocket builds it. */
export function planDocumentUrl(baseUrl: string, planId: string): string {
  return `${collabUrl(baseUrl)}/${planDocumentName(planId)}`;
}

/** What a browser on the site sends with the upgrade: its Origin, and here the session as a bearer token. */
export function sessionHeaders(baseUrl: string, token: string): Record<string, string> {
  return { origin: baseUrl, authorization: `Bearer ${token}` };
}

export interface RawSocket {
  socket: WebSocket;
  /** Resolves when the socket opened; rejects when the upgrade was refused. */
  opened: Promise<void>;
  /** The access level from the server's first message. */
  access: Promise<PlanAccessLevel>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A plain `ws` socket to a plan, without y-websocket: for limits (size, count) that a provider would hide. */
export function openRawSocket(baseUrl: string, planId: string, token: string): RawSocket {
  const socket = new WebSocket(planDocumentUrl(baseUrl, planId), { headers: sessionHeaders(baseUrl, token) });
  socket.on("error", () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
  });
  opened.catch(() => undefined);
  const access = new Promise<PlanAccessLevel>((resolve) => {
    socket.on("message", (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) === CollabMessage.access)
        resolve(decoding.readVarString(decoder) as PlanAccessLevel);
    });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { socket, opened, access, closed };
}

/** An access token as the auth server would sign it (or, with another secret, as a forger would). */
export async function signAccessToken(
  secret: string,
  claims: { sub: string; expiresInSeconds: number },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: "authenticated", aal: "aal1", session_id: randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setAudience("authenticated")
    .setIssuedAt(now - 60)
    .setExpirationTime(now + claims.expiresInSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** The document as the database holds it: the snapshot, then every update stored after it. */
export async function readStoredDocument(db: pg.Client, planId: string): Promise<Y.Doc> {
  const snapshot = await db.query<{ state: Buffer; through_update_id: string }>(
    "select state, through_update_id from private.plan_snapshots where plan_id = $1",
    [planId],
  );
  const updates = await db.query<{ update: Buffer }>(
    `select "update" from private.plan_updates where plan_id = $1 and id > $2 order by id`,
    [planId, snapshot.rows[0]?.through_update_id ?? "0"],
  );
  const doc = new Y.Doc();
  doc.transact(() => {
    if (snapshot.rows[0]) Y.applyUpdate(doc, new Uint8Array(snapshot.rows[0].state));
    for (const row of updates.rows) Y.applyUpdate(doc, new Uint8Array(row.update));
  });
  return doc;
}

/** The stored document's plain text and ProseMirror-shaped JSON. */
export async function readStoredContent(db: pg.Client, planId: string): Promise<{ text: string; json: unknown }> {
  const doc = await readStoredDocument(db, planId);
  try {
    return { text: fragmentText(doc), json: doc.getXmlFragment(planFragmentName).toJSON() };
  } finally {
    doc.destroy();
  }
}

/**
 * True once the server has acknowledged as stored everything this client has written itself. Meant for a client
 * that stays connected: an edit stored just as its socket closed is never acknowledged (the sync after reconnecting
 * finds nothing to send), so after a reconnect compare documents instead.
 */
export function ownEditsStored(client: PlanClient): boolean {
  const own = Y.encodeStateVector(client.doc);
  const clock = Y.decodeStateVector(own).get(client.doc.clientID) ?? 0;
  return clock === 0 || client.storedVectors.some((vector) => (vector.get(client.doc.clientID) ?? 0) >= clock);
}

/** The client's text at the very moment its next sync with the server completes (before any later broadcast). */
export function textAtNextSync(client: PlanClient): Promise<string> {
  return new Promise((resolve) => {
    const handle = (synced: boolean) => {
      if (!synced) return;
      client.provider.off("sync", handle);
      resolve(client.text());
    };
    client.provider.on("sync", handle);
  });
}

/** The collaboration server's counters, from /healthz. */
export async function collabMetrics(baseUrl: string): Promise<{ documents: number; connections: number }> {
  const health = (await (await fetch(`${baseUrl}/healthz`)).json()) as {
    collab: { documents: number; connections: number };
  };
  return health.collab;
}

/**
 * A WebSocket that completes the handshake by hand and then never answers anything (a frozen laptop, a half-open
 * connection): the server's close frame is read and reported, but never acknowledged, so the server keeps the
 * socket until it is destroyed.
 */
export function openSilentSocket(
  baseUrl: string,
  planId: string,
  token: string,
): { closeCode: Promise<number>; destroy: () => void } {
  const url = new URL(planDocumentUrl(baseUrl, planId));
  const socket = net.connect(Number(url.port), url.hostname);
  socket.on("error", () => undefined);
  socket.write(
    [
      `GET ${url.pathname} HTTP/1.1`,
      `Host: ${url.host}`,
      "Connection: Upgrade",
      "Upgrade: websocket",
      "Sec-WebSocket-Version: 13",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      `Origin: ${baseUrl}`,
      `Authorization: Bearer ${token}`,
      "",
      "",
    ].join("\r\n"),
  );
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  const closeCode = new Promise<number>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const status = buffer.subarray(0, end).toString().split("\r\n")[0] ?? "";
        if (!status.startsWith("HTTP/1.1 101")) return reject(new Error(`upgrade refused: ${status}`));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
      }
      // Server frames are never masked: opcode, then a 7-bit, 16-bit or 64-bit payload length.
      while (buffer.length >= 2) {
        const opcode = (buffer[0] ?? 0) & 0x0f;
        let length = (buffer[1] ?? 0) & 0x7f;
        let offset = 2;
        if (length === 126) [length, offset] = [buffer.length >= 4 ? buffer.readUInt16BE(2) : Infinity, 4];
        else if (length === 127)
          [length, offset] = [buffer.length >= 10 ? Number(buffer.readBigUInt64BE(2)) : Infinity, 10];
        if (buffer.length < offset + length) return;
        if (opcode === 0x8) resolve(length >= 2 ? buffer.readUInt16BE(offset) : 1005);
        buffer = buffer.subarray(offset + length);
      }
    });
  });
  closeCode.catch(() => undefined);
  return { closeCode, destroy: () => socket.destroy() };
}

/** Waits until a provider is connected and has completed its first sync with the server. */
export async function waitForSync(client: PlanClient, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => client.provider.wsconnected && client.provider.synced, timeoutMs, "the provider to sync");
}

// ---------------------------------------------------------------------------------------------------------------------
// A plan on a server of a test's own (tests/support/server-process.ts), built through its demo accounts.

/** A superuser connection to a separately started server's embedded database. */
export async function connectToDatabaseOf(server: RunningServer): Promise<pg.Client> {
  const secrets = readSecrets(server.dataDir);
  const client = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${server.pgPort}/postgres`,
  });
  // The server under test may be killed while this connection is open; that is expected, not an error to throw.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function signInDemo(server: RunningServer, email: string): Promise<SupabaseClient<Database>> {
  const client = createClient<Database>(server.url, readSecrets(server.dataDir).anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  });
  const { error } = await client.auth.signInWithPassword({ email, password: DEMO_PASSWORD });
  if (error) throw new Error(`sign in ${email}: ${error.message}`);
  return client;
}

export interface ServerPlan {
  planId: string;
  application: string;
  /** Access tokens of two BDT people (the demo reviewer and coordinator), both editors of a draft plan. */
  editorTokens: [string, string];
  /** The demo applicant, an editor until the application is submitted. */
  applicant: SupabaseClient<Database>;
  applicantToken: string;
}

/**
 * A draft application's plan on a server started by the test, driven through the real transitions by the demo
 * applicant, coordinator and reviewer (the factories only know the shared stack).
 */
/** `completePlan`: every required section of the plan written (its JSON copy), so the application can be submitted. */
export async function buildPlanOnServer(
  server: RunningServer,
  options: { completePlan?: boolean } = {},
): Promise<ServerPlan> {
  const [applicant, reviewer, coordinator] = await Promise.all([
    signInDemo(server, "applicant@demo.local"),
    signInDemo(server, "reviewer@demo.local"),
    signInDemo(server, "coordinator@demo.local"),
  ]);
  const organisation = await rpc<string>(applicant, "create_organisation", {
    name: `Institution ${randomUUID().slice(0, 6)}`,
    kind: "university",
    country_code: "KE",
    website: "https://example.org",
  });
  const call = await rpc<string>(coordinator, "create_call", {
    title: `Call ${randomUUID().slice(0, 6)}`,
    description: "Collaboration test call",
    opens_at: new Date(Date.now() - 3600_000).toISOString(),
    closes_at: new Date(Date.now() + 3600_000).toISOString(),
    allowed_centre_types: [],
  });
  await rpc(coordinator, "open_call", { call });
  const eoi = await rpc<string>(applicant, "create_eoi", { call, organisation });
  const filled = await applicant.from("eois").update(completeEoiContent).eq("id", eoi);
  if (filled.error) throw new Error(`fill eoi: ${filled.error.message}`);
  await rpc(applicant, "submit_eoi", { eoi });
  await rpc(reviewer, "start_validation", { eoi });
  await rpc(reviewer, "validate_eoi", { eoi, ...validation });
  const application = await rpc<string>(reviewer, "invite_application", { eoi });
  const completed = await applicant.from("centre_applications").update(applicationContent).eq("id", application);
  if (completed.error) throw new Error(`fill application: ${completed.error.message}`);
  const plan = await reviewer.from("action_plans").select("id").eq("application_id", application).single();
  if (plan.error) throw new Error(`read plan: ${plan.error.message}`);
  if (options.completePlan) {
    const db = await connectToDatabaseOf(server);
    try {
      const labels = await db.query<TemplateCapability>(
        `select c.code, c.label ->> 'en' as label from public.strategic_capabilities c
         where c.code = any((select capabilities from public.centre_applications where id = $1)::text[]) order by c.position`,
        [application],
      );
      const content = fillEmptyParagraphs(buildPlanTemplate("Acceleration Centre", labels.rows));
      await db.query("update public.action_plans set content = $2 where id = $1", [plan.data.id, content]);
    } finally {
      await db.end();
    }
  }
  const [reviewerToken, coordinatorToken, applicantToken] = await Promise.all(
    [reviewer, coordinator, applicant].map(
      async (client) => (await client.auth.getSession()).data.session?.access_token ?? "",
    ),
  );
  return {
    planId: plan.data.id,
    application,
    editorTokens: [reviewerToken ?? "", coordinatorToken ?? ""],
    applicant,
    applicantToken: applicantToken ?? "",
  };
}

/** Rejects with `what` if `promise` has not settled within `ms` (a clearer failure than the test's own timeout). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether a promise has settled by now. */
export async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol("pending");
  return (
    (await Promise.race([promise.then(() => true), new Promise((resolve) => setImmediate(() => resolve(pending)))])) !==
    pending
  );
}

/**
 * An edit of `doc` with a few bytes flipped until Yjs still decodes it (the server's first check) but throws when
 * applying it to `doc`: Yjs does not validate references to the sender's own earlier items. Seeded, so reproducible.
 */
export function unappliableUpdateFor(doc: Y.Doc): Uint8Array {
  const base = Y.encodeStateAsUpdate(doc);
  const editor = new Y.Doc();
  editor.clientID = 4242;
  Y.applyUpdate(editor, base);
  const before = Y.encodeStateVector(editor);
  const fragment = editor.getXmlFragment(planFragmentName);
  const paragraph = new Y.XmlElement("paragraph");
  const text = new Y.XmlText("hello world");
  paragraph.insert(0, [text]);
  fragment.insert(1, [paragraph, new Y.XmlElement("heading")]);
  text.insert(3, "abc", { bold: {} });
  text.delete(0, 2);
  paragraph.setAttribute("class", "x");
  const edit = Y.encodeStateAsUpdate(editor, before);
  editor.destroy();
  const gen = prng.create(6);
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const candidate = Uint8Array.from(edit);
    for (let flips = prng.int32(gen, 1, 3); flips > 0; flips--) {
      candidate[prng.int32(gen, 0, candidate.length - 1)] = prng.int32(gen, 0, 255);
    }
    try {
      Y.decodeUpdate(candidate);
    } catch {
      continue;
    }
    const probe = new Y.Doc();
    Y.applyUpdate(probe, base);
    try {
      Y.applyUpdate(probe, candidate);
    } catch {
      return candidate;
    } finally {
      probe.destroy();
    }
  }
  throw new Error("found no update that decodes but cannot be applied");
}

/** What a replica holds, read back through its own full state update (as a new peer would receive it). */
export function contentOf(doc: Y.Doc): string {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const content = copy.getXmlFragment(planFragmentName).toJSON();
  copy.destroy();
  return content;
}
