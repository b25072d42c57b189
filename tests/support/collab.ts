import * as decoding from "lib0/decoding";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { CollabMessage, collabPath, planDocumentName, type PlanAccessLevel } from "~/lib/collab-protocol";
import { planFragmentName } from "~/lib/plan-schema";
import type { TestUser } from "./supabase";

export async function accessTokenOf(user: TestUser): Promise<string> {
  const { data } = await user.client.auth.getSession();
  if (!data.session) throw new Error(`${user.email} has no session`);
  return data.session.access_token;
}

/** A WebSocket class for y-websocket that sends what a browser would: a session and an Origin. */
export function webSocketWith(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
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
  /** Resolves with the close code of the first socket the server closed. */
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
}

/** A real y-websocket provider connected as a person would connect from the editor. */
export function openPlanClient(options: PlanClientOptions): PlanClient {
  const doc = new Y.Doc();
  const headers: Record<string, string> = { origin: options.origin ?? options.baseUrl };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const provider = new WebsocketProvider(collabUrl(options.baseUrl), planDocumentName(options.planId), doc, {
    WebSocketPolyfill: webSocketWith(headers) as never,
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
      provider.synced ? Promise.resolve() : new Promise((resolve) => provider.once("sync", (state: boolean) => state && resolve())),
    text: () => fragmentText(doc),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** The plain text of a plan document, block by block. */
export function fragmentText(doc: Y.Doc): string {
  const walk = (node: Y.XmlElement | Y.XmlText | Y.XmlFragment): string =>
    node instanceof Y.XmlText ? node.toString().replace(/<[^>]+>/g, "") : node.toArray().map((child) => walk(child as Y.XmlElement)).join(node instanceof Y.XmlElement && ["paragraph", "heading", "tableCell", "tableHeader"].includes(node.nodeName) ? "" : "\n");
  return walk(doc.getXmlFragment(planFragmentName));
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

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
