/**
 * Real clients for the three servers, behind one small interface: y-websocket's WebsocketProvider for ours (with a
 * session and an Origin, as the editor connects) and for the bare reference server, HocuspocusProvider (one socket
 * per document) for Hocuspocus.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { CollabMessage, collabPath, planDocumentName } from "../../../app/lib/collab-protocol";

export type ServerKind = "ours" | "bare" | "hocuspocus";

export type Target =
  { kind: "ours"; port: number; token: string } | { kind: "bare"; port: number } | { kind: "hocuspocus"; port: number };

export interface BenchClient {
  doc: Y.Doc;
  /** Resolves when the first sync with the server completed. */
  synced: Promise<void>;
  /**
   * From now on the client sends its edits but ignores what the server sends (a writer in the rate ramp): at thousands
   * of updates a second, applying every other writer's updates in this one process would measure the clients.
   */
  mute(): void;
  destroy(): void;
}

function webSocketWith(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers, perMessageDeflate: false });
    }
  } as typeof WebSocket;
}

const PlainWebSocket = class extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { perMessageDeflate: false });
  }
} as typeof WebSocket;

/** Who is editing, as the editor announces it (CollaborationCaret): awareness traffic like a real session's. */
function benchUser(doc: Y.Doc) {
  return { name: `Bench ${doc.clientID}`, color: "#2f6f9f" };
}

/** Opens a client for plan `planId`; `seed` is applied to its document before it connects. */
export function openClient(target: Target, planId: string, options: { seed?: Uint8Array } = {}): BenchClient {
  const doc = new Y.Doc();
  if (options.seed) Y.applyUpdate(doc, options.seed);
  const name = planDocumentName(planId);
  if (target.kind === "hocuspocus") {
    const socket = new HocuspocusProviderWebsocket({
      url: `ws://127.0.0.1:${target.port}`,
      WebSocketPolyfill: PlainWebSocket,
    });
    const provider = new HocuspocusProvider({ websocketProvider: socket, name, document: doc });
    provider.setAwarenessField("user", benchUser(doc));
    const synced = new Promise<void>((resolve) => provider.on("synced", () => resolve()));
    provider.attach();
    return {
      doc,
      synced,
      mute: () => {
        // The socket hands each message to its document's provider by calling provider.onMessage.
        provider.onMessage = () => undefined;
      },
      destroy: () => {
        provider.destroy();
        socket.destroy();
        doc.destroy();
      },
    };
  }
  const origin = `http://127.0.0.1:${target.port}`;
  const provider =
    target.kind === "ours"
      ? new WebsocketProvider(`ws://127.0.0.1:${target.port}${collabPath}`, name, doc, {
          WebSocketPolyfill: webSocketWith({ origin, authorization: `Bearer ${target.token}` }) as never,
          disableBc: true,
          maxBackoffTime: 1000,
        })
      : new WebsocketProvider(`ws://127.0.0.1:${target.port}`, name, doc, {
          WebSocketPolyfill: PlainWebSocket as never,
          disableBc: true,
          maxBackoffTime: 1000,
        });
  if (target.kind === "ours") {
    // Our server's own messages (access level, "stored" acknowledgements, comment signals): read and ignored here.
    for (const type of [CollabMessage.access, CollabMessage.stored, CollabMessage.commentsChanged])
      provider.messageHandlers[type] = () => undefined;
  }
  provider.awareness.setLocalStateField("user", benchUser(doc));
  const synced = new Promise<void>((resolve) => provider.on("sync", (state: boolean) => state && resolve()));
  return {
    doc,
    synced,
    mute: () => {
      for (const type of [0, 1, CollabMessage.access, CollabMessage.stored, CollabMessage.commentsChanged])
        provider.messageHandlers[type] = () => undefined;
    },
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}
