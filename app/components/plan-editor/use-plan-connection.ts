import * as decoding from "lib0/decoding";
import { useEffect, useRef, useState } from "react";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { CollabClose, CollabMessage, collabPath, planDocumentName, type PlanAccessLevel } from "~/lib/collab-protocol";

export type ConnectionState = "connecting" | "connected" | "offline" | "no-access" | "full";

export interface PlanConnection {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

export interface PlanConnectionStatus {
  state: ConnectionState;
  /** What the server granted this connection; null until the first connection. */
  access: PlanAccessLevel | null;
  /** True once the server has stored every local change. */
  saved: boolean;
  /** True once the first sync finished: the editor never shows a half-loaded document as "the plan". */
  synced: boolean;
}

const maxBackoffMs = 15_000;

/** Full jitter: a random wait up to an exponentially growing cap, so thousands of clients do not reconnect at once. */
export function reconnectDelay(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(maxBackoffMs, 250 * 2 ** attempt));
}

/**
 * Owns the Yjs document and the y-websocket provider of one plan. The provider never reconnects by itself: we
 * reconnect with jittered backoff and, after a rights or session close, first ask the app whether the person still
 * has access (which also refreshes the session cookie the socket sends).
 */
export function usePlanConnection(
  planId: string,
  onCommentsChanged: () => void,
): [PlanConnection | null, PlanConnectionStatus] {
  const [connection, setConnection] = useState<PlanConnection | null>(null);
  const [status, setStatus] = useState<PlanConnectionStatus>({
    state: "connecting",
    access: null,
    saved: true,
    synced: false,
  });
  const [generation, setGeneration] = useState(0);
  const commentsChanged = useRef(onCommentsChanged);
  useEffect(() => {
    commentsChanged.current = onCommentsChanged;
  }, [onCommentsChanged]);

  useEffect(() => {
    const doc = new Y.Doc();
    const url = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}${collabPath}`;
    const provider = new WebsocketProvider(url, planDocumentName(planId), doc, {
      connect: false,
      disableBc: true,
      shouldReconnect: () => false,
    });
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let storedClock = 0;
    let lastClose: number | null = null;
    let grantedBefore: PlanAccessLevel | null = null;
    const update = (patch: Partial<PlanConnectionStatus>) => setStatus((current) => ({ ...current, ...patch }));
    const localClock = () => Y.getState(doc.store, doc.clientID);

    provider.messageHandlers[CollabMessage.access] = (_encoder, decoder) => {
      const access = decoding.readVarString(decoder) as PlanAccessLevel;
      // Edits this copy made while it could not write were dropped by the server; now that it may write, start from
      // a fresh copy of the stored document so they never reappear.
      if (access === "edit" && grantedBefore !== null && grantedBefore !== "edit") {
        stopped = true;
        update({ access: null, synced: false, state: "connecting" });
        setGeneration((value) => value + 1);
        return;
      }
      grantedBefore = access;
      update({ access });
    };
    provider.messageHandlers[CollabMessage.stored] = (_encoder, decoder) => {
      const stored = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
      storedClock = Math.max(storedClock, stored.get(doc.clientID) ?? 0);
      update({ saved: storedClock >= localClock() });
    };
    provider.messageHandlers[CollabMessage.commentsChanged] = () => commentsChanged.current();

    const onLocalUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin !== provider) update({ saved: storedClock >= localClock() });
    };
    doc.on("update", onLocalUpdate);

    const connect = async () => {
      timer = undefined;
      if (stopped) return;
      // After a rights/session close or repeated failures, re-authorise through the app before reconnecting.
      if (lastClose === CollabClose.accessChanged || lastClose === CollabClose.sessionEnded || attempt > 0) {
        try {
          const response = await fetch(`/plans/${planId}/access`, { headers: { accept: "application/json" } });
          const body = (await response.json()) as { access: PlanAccessLevel | null };
          if (stopped) return;
          if (!body.access) {
            update({ state: "no-access", access: null });
            return;
          }
        } catch {
          // Offline: try the socket anyway after the backoff.
        }
      }
      update({ state: "connecting" });
      provider.connect();
    };
    const schedule = () => {
      if (stopped || timer) return;
      timer = setTimeout(() => void connect(), reconnectDelay(attempt++));
    };
    provider.on("status", ({ status: state }) => {
      if (state === "connected") update({ state: "connected" });
    });
    provider.on("sync", (synced: boolean) => {
      if (!synced) return;
      attempt = 0;
      lastClose = null;
      // Whatever we had locally has now been sent; the server acknowledges when it is stored.
      update({ synced: true, saved: storedClock >= localClock() });
    });
    provider.on("connection-close", (event) => {
      lastClose = event?.code ?? null;
      if (stopped) return;
      if (lastClose === CollabClose.documentFull) update({ state: "full" });
      else update({ state: "offline" });
      // A close we caused ourselves (event null) is followed by the provider's own reconnect; others are ours.
      if (event) schedule();
    });
    const onOnline = () => {
      if (!provider.wsconnected && !provider.wsconnecting) {
        clearTimeout(timer);
        timer = undefined;
        attempt = 0;
        void connect();
      }
    };
    window.addEventListener("online", onOnline);

    // The provider must live in an effect (CONVENTIONS.md: create and destroy it there); the editor needs it as state.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setConnection({ doc, provider });
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener("online", onOnline);
      doc.off("update", onLocalUpdate);
      provider.destroy();
      doc.destroy();
      setConnection(null);
    };
  }, [planId, generation]);

  return [connection, status];
}
