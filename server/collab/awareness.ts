import * as awarenessProtocol from "y-protocols/awareness";
import { awarenessClientIds, encodeAwareness } from "./sync-protocol.js";

const { encodeAwarenessUpdate } = awarenessProtocol;

/** A connection as awareness sees it: the client ids it introduced (removed when it leaves). */
export interface AwarenessPeer {
  awarenessClients: Set<number>;
}

export interface AwarenessDocument {
  awareness: awarenessProtocol.Awareness;
}

export interface AwarenessRelayOptions<D, P> {
  /** At most one broadcast per document in this window, the first one at once. */
  throttleMs: number;
  /** The open connections on a document (broadcasts go to them; they own client ids). */
  peersOf: (doc: D) => Iterable<P>;
  send: (peer: P, frame: Uint8Array) => void;
  /** Nobody holds the document any more: its throttle entry is dropped after the flush. */
  isIdle: (doc: D) => boolean;
  /** Hands what this server's own connections said (throttled like the broadcast) to the other servers. */
  publish?: (doc: D, update: Uint8Array) => void;
  now?: () => number;
}

interface Pending {
  clients: Set<number>;
  /** Of those, the ones whose change came from this server's connections (published to the other servers). */
  local: Set<number>;
  timer?: NodeJS.Timeout;
  last: number;
}

/**
 * Presence and carets: applies what each connection says about its own clients (never another's), removes a
 * connection's clients when it leaves, and relays changes per document, throttled.
 */
export class AwarenessRelay<D extends AwarenessDocument, P extends AwarenessPeer> {
  // Weak: an unloaded plan must not be kept alive by its last awareness broadcast (found by bench:collab's
  // open-and-close-10,000-documents run, which kept every document in memory).
  private readonly pending = new WeakMap<D, Pending>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly options: AwarenessRelayOptions<D, P>) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Applies `peer`'s awareness update; throws on a malformed one. An update naming another's client is ignored. */
  receive(doc: D, peer: P, update: Uint8Array): void {
    for (const clientId of awarenessClientIds(update)) {
      // A connection may only speak for its own clients (no moving another person's caret).
      const owner = this.ownerOf(doc, clientId);
      if (owner && owner !== peer) return;
    }
    const changed: number[] = [];
    const collect = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      for (const id of [...added, ...updated]) peer.awarenessClients.add(id);
      changed.push(...added, ...updated, ...removed);
    };
    doc.awareness.on("update", collect);
    try {
      awarenessProtocol.applyAwarenessUpdate(doc.awareness, update, peer);
    } finally {
      doc.awareness.off("update", collect);
    }
    if (changed.length > 0) this.queue(doc, changed, true);
  }

  /** An awareness update another server published: applied and relayed to this server's connections only. */
  receiveRemote(doc: D, update: Uint8Array): void {
    const changed: number[] = [];
    const collect = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) =>
      changed.push(...added, ...updated, ...removed);
    doc.awareness.on("update", collect);
    try {
      awarenessProtocol.applyAwarenessUpdate(doc.awareness, update, "remote");
    } finally {
      doc.awareness.off("update", collect);
    }
    if (changed.length > 0) this.queue(doc, changed, false);
  }

  /** The states this server's own connections introduced (another server that just loaded the plan asks for them). */
  local(doc: D): Uint8Array | undefined {
    const ids: number[] = [];
    for (const peer of this.options.peersOf(doc))
      for (const id of peer.awarenessClients) if (doc.awareness.getStates().has(id)) ids.push(id);
    return ids.length === 0 ? undefined : encodeAwarenessUpdate(doc.awareness, ids);
  }

  /** `peer` left: its clients disappear for everyone. */
  leave(doc: D, peer: P): void {
    if (peer.awarenessClients.size === 0) return;
    awarenessProtocol.removeAwarenessStates(doc.awareness, [...peer.awarenessClients], null);
    this.queue(doc, peer.awarenessClients, true);
  }

  /** Every state the document knows (for a new connection, or a client's query); undefined when there is none. */
  current(doc: D): Uint8Array | undefined {
    const ids = [...doc.awareness.getStates().keys()];
    return ids.length === 0 ? undefined : encodeAwareness(doc.awareness, ids);
  }

  /** Stops every pending broadcast (shutdown). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private ownerOf(doc: D, clientId: number): P | undefined {
    for (const peer of this.options.peersOf(doc)) if (peer.awarenessClients.has(clientId)) return peer;
    return undefined;
  }

  private queue(doc: D, clients: Iterable<number>, local: boolean): void {
    let pending = this.pending.get(doc);
    if (!pending) {
      pending = { clients: new Set(), local: new Set(), last: 0 };
      this.pending.set(doc, pending);
    }
    for (const client of clients) {
      pending.clients.add(client);
      if (local) pending.local.add(client);
    }
    if (pending.timer) return;
    const wait = Math.max(0, pending.last + this.options.throttleMs - this.now());
    const flush = () => {
      const entry = this.pending.get(doc);
      if (!entry) return;
      if (entry.timer) this.timers.delete(entry.timer);
      entry.timer = undefined;
      entry.last = this.now();
      const ids = [...entry.clients].filter((id) => doc.awareness.meta.has(id));
      const published = ids.filter((id) => entry.local.has(id));
      entry.clients.clear();
      entry.local.clear();
      if (ids.length === 0) return;
      const frame = encodeAwareness(doc.awareness, ids);
      for (const peer of this.options.peersOf(doc)) this.options.send(peer, frame);
      if (published.length > 0) this.options.publish?.(doc, encodeAwarenessUpdate(doc.awareness, published));
      if (this.options.isIdle(doc)) this.pending.delete(doc);
    };
    if (wait === 0) flush();
    else {
      pending.timer = setTimeout(flush, wait);
      this.timers.add(pending.timer);
    }
  }
}
