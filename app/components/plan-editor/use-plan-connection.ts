import * as decoding from "lib0/decoding";
import type { IndexeddbPersistence } from "y-indexeddb";
import { useEffect, useRef, useState } from "react";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { CollabClose, CollabMessage, collabPath, planDocumentName, type PlanAccessLevel } from "~/lib/collab-protocol";
import { deleteDatabase, deviceCopyName } from "~/lib/device-copies";
import { changeBurstMs, openDeviceCopy, readPending, writePending, type PendingChange } from "./device-copy";

export type ConnectionState = "connecting" | "connected" | "offline" | "no-access" | "full";

export interface PlanConnection {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

export interface PlanConnectionStatus {
  state: ConnectionState;
  /** What the server granted this connection; null until the first connection. */
  access: PlanAccessLevel | null;
  /** True once the server has stored every local change (this tab's and those kept on the device from before). */
  saved: boolean;
  /** Local changes the server has not acknowledged yet, kept on this device (issue 18). */
  pending: number;
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
  options: { userId?: string } = {},
): [PlanConnection | null, PlanConnectionStatus] {
  const { userId } = options;
  const [connection, setConnection] = useState<PlanConnection | null>(null);
  const [status, setStatus] = useState<PlanConnectionStatus>({
    state: "connecting",
    access: null,
    saved: true,
    pending: 0,
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
    let lastClose: number | null = null;
    let grantedBefore: PlanAccessLevel | null = null;
    const update = (patch: Partial<PlanConnectionStatus>) => setStatus((current) => ({ ...current, ...patch }));
    const localClock = () => Y.getState(doc.store, doc.clientID);
    // What the server has stored, per client: from its sync step 1 (its document holds only stored updates) and
    // from each acknowledgement. A change is pending until this covers it, whichever tab or session made it.
    const storedVector = new Map<number, number>();
    let pending: PendingChange[] = [];
    let device: IndexeddbPersistence | null = userId ? openDeviceCopy(userId, planId, doc) : null;
    const refreshPending = (persist: boolean) => {
      const before = pending.length;
      pending = pending.filter((change) => (storedVector.get(change.client) ?? 0) < change.clock);
      if (device && (persist || pending.length !== before)) writePending(device, pending);
      update({ saved: pending.length === 0, pending: pending.length });
    };
    const learnStored = (vector: Map<number, number>) => {
      vector.forEach((clock, client) => storedVector.set(client, Math.max(storedVector.get(client) ?? 0, clock)));
      refreshPending(false);
    };
    /** The server refused or narrowed access: nothing of this plan stays on the device. */
    const dropDeviceCopy = async () => {
      const copy = device;
      device = null;
      if (!copy || !userId) return;
      await copy.destroy();
      await deleteDatabase(deviceCopyName(userId, planId));
    };

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
      // Only people who may write keep a device copy; changes kept from when they could would be refused forever,
      // so they are dropped and the plan starts again from the server's copy.
      if (access !== "edit" && device) {
        const hadPending = pending.length > 0;
        void dropDeviceCopy().then(() => {
          if (!hadPending || stopped) return;
          stopped = true;
          update({ access: null, synced: false, state: "connecting", pending: 0, saved: true });
          setGeneration((value) => value + 1);
        });
      }
    };
    provider.messageHandlers[CollabMessage.stored] = (_encoder, decoder) => {
      learnStored(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
    };
    const handleSync = provider.messageHandlers[CollabMessage.sync]!;
    provider.messageHandlers[CollabMessage.sync] = (encoder, decoder, ...rest) => {
      // Peek at the server's sync step 1 (its state vector) without consuming it: what it already has is stored.
      const peek = decoding.clone(decoder);
      if (decoding.readVarUint(peek) === 0) learnStored(Y.decodeStateVector(decoding.readVarUint8Array(peek)));
      handleSync(encoder, decoder, ...rest);
    };
    provider.messageHandlers[CollabMessage.commentsChanged] = () => commentsChanged.current();

    const onLocalUpdate = (_update: Uint8Array, origin: unknown) => {
      // Updates from the server, or loaded from the device copy (already counted there), are not new changes.
      if (origin === provider || (origin !== null && origin === device)) return;
      const now = Date.now();
      const last = pending.at(-1);
      if (last && last.client === doc.clientID && now - last.at < changeBurstMs) {
        last.clock = localClock();
        last.at = now;
      } else pending.push({ client: doc.clientID, clock: localClock(), at: now });
      refreshPending(true);
    };
    doc.on("update", onLocalUpdate);

    const connect = async () => {
      timer = undefined;
      if (stopped) return;
      // Offline as far as the browser knows: wait for its "online" event rather than failing attempts.
      if (typeof navigator !== "undefined" && navigator.onLine === false) {
        update({ state: "offline" });
        return;
      }
      // After a rights/session close or repeated failures, re-authorise through the app before reconnecting.
      if (lastClose === CollabClose.accessChanged || lastClose === CollabClose.sessionEnded || attempt > 0) {
        try {
          const response = await fetch(`/plans/${planId}/access`, { headers: { accept: "application/json" } });
          const body = (await response.json()) as { access: PlanAccessLevel | null };
          if (stopped) return;
          if (!body.access) {
            update({ state: "no-access", access: null });
            await dropDeviceCopy();
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
      update({ synced: true });
      refreshPending(false);
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
    // The browser says the network is gone: stop here (the device copy keeps every change) until it returns.
    const onOffline = () => {
      clearTimeout(timer);
      timer = undefined;
      if (provider.wsconnected || provider.wsconnecting) provider.disconnect();
      update({ state: "offline" });
    };
    window.addEventListener("offline", onOffline);

    // The provider must live in an effect (CONVENTIONS.md: create and destroy it there); the editor needs it as state.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setConnection({ doc, provider });
    if (device) {
      // The device copy first: its document and the changes it kept, so the first sync sends them.
      const copy = device;
      // A device whose IndexedDB never answers (blocked storage) still connects, without a copy.
      const unavailable = new Promise<void>((resolve) => setTimeout(resolve, 5000));
      void Promise.race([copy.whenSynced, unavailable])
        .then(() => (copy.synced ? readPending(copy) : []))
        .then((kept) => {
          if (stopped) return;
          pending = [...kept, ...pending];
          refreshPending(true);
          void connect();
        });
    } else void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      doc.off("update", onLocalUpdate);
      provider.destroy();
      void device?.destroy();
      doc.destroy();
      setConnection(null);
    };
  }, [planId, generation, userId]);

  return [connection, status];
}
