import * as decoding from "lib0/decoding";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { CollabMessage } from "~/lib/collab-protocol";
import { AwarenessRelay } from "../../server/collab/awareness";

interface Peer {
  name: string;
  awarenessClients: Set<number>;
  received: Uint8Array[];
}

interface Document {
  awareness: awarenessProtocol.Awareness;
  peers: Peer[];
}

function documentWith(...names: string[]): Document {
  const awareness = new awarenessProtocol.Awareness(new Y.Doc());
  awareness.setLocalState(null); // the server has no presence of its own
  return { awareness, peers: names.map((name) => ({ name, awarenessClients: new Set(), received: [] })) };
}

function relayFor(throttleMs = 50) {
  return new AwarenessRelay<Document, Peer>({
    throttleMs,
    peersOf: (doc) => doc.peers,
    send: (peer, frame) => peer.received.push(frame),
    isIdle: (doc) => doc.peers.length === 0,
    now: () => Date.now(),
  });
}

/** A person's editor: its own awareness, whose updates it sends. */
function editor(state: Record<string, unknown>) {
  const doc = new Y.Doc();
  const awareness = new awarenessProtocol.Awareness(doc);
  awareness.setLocalState(state);
  return {
    clientId: doc.clientID,
    awareness,
    update: () => awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]),
  };
}

/** What a peer knows of everyone's states after applying every awareness frame it received. */
function statesSeenBy(peer: Peer): Map<number, unknown> {
  const seen = new awarenessProtocol.Awareness(new Y.Doc());
  seen.setLocalState(null);
  for (const frame of peer.received) {
    const decoder = decoding.createDecoder(frame);
    expect(decoding.readVarUint(decoder)).toBe(CollabMessage.awareness);
    awarenessProtocol.applyAwarenessUpdate(seen, decoding.readVarUint8Array(decoder), "test");
  }
  const states = new Map(seen.getStates());
  states.delete(seen.clientID);
  return states;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

describe("AwarenessRelay", () => {
  it("relays a person's presence to everyone on the document at once, and records whose client it is", () => {
    const doc = documentWith("amina", "boris");
    const [amina, boris] = doc.peers as [Peer, Peer];
    const relay = relayFor();
    const aminasEditor = editor({ user: "Amina" });
    relay.receive(doc, amina, aminasEditor.update());
    expect(amina.awarenessClients).toEqual(new Set([aminasEditor.clientId]));
    expect(statesSeenBy(boris)).toEqual(new Map([[aminasEditor.clientId, { user: "Amina" }]]));
    expect(statesSeenBy(amina).size).toBe(1);
  });

  it("ignores a connection speaking for another connection's client (no moving another person's caret)", () => {
    const doc = documentWith("amina", "boris");
    const [amina, boris] = doc.peers as [Peer, Peer];
    const relay = relayFor();
    const aminasEditor = editor({ cursor: 1 });
    relay.receive(doc, amina, aminasEditor.update());
    vi.advanceTimersByTime(1_000);
    const before = boris.received.length;

    aminasEditor.awareness.setLocalState({ cursor: 99 }); // Boris replays a forged copy of Amina's client
    relay.receive(doc, boris, aminasEditor.update());
    vi.advanceTimersByTime(1_000);
    expect(doc.awareness.getStates().get(aminasEditor.clientId)).toEqual({ cursor: 1 });
    expect(boris.awarenessClients.size).toBe(0);
    expect(boris.received.length).toBe(before);
  });

  it("sends at most one broadcast per window, carrying every change of the window", () => {
    const doc = documentWith("amina", "boris");
    const [amina, boris] = doc.peers as [Peer, Peer];
    const relay = relayFor(50);
    const first = editor({ cursor: 1 });
    const second = editor({ cursor: 2 });
    relay.receive(doc, amina, first.update());
    expect(boris.received).toHaveLength(1);
    first.awareness.setLocalState({ cursor: 3 });
    relay.receive(doc, amina, first.update());
    relay.receive(doc, amina, second.update());
    expect(boris.received).toHaveLength(1);
    vi.advanceTimersByTime(49);
    expect(boris.received).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(boris.received).toHaveLength(2);
    expect(statesSeenBy(boris)).toEqual(
      new Map([
        [first.clientId, { cursor: 3 }],
        [second.clientId, { cursor: 2 }],
      ]),
    );
  });

  it("removes a leaving connection's clients for everyone", () => {
    const doc = documentWith("amina", "boris");
    const [amina, boris] = doc.peers as [Peer, Peer];
    const relay = relayFor();
    relay.receive(doc, amina, editor({ user: "Amina" }).update());
    vi.advanceTimersByTime(1_000);
    doc.peers = [boris];
    relay.leave(doc, amina);
    expect(doc.awareness.getStates().size).toBe(0);
    expect(statesSeenBy(boris).size).toBe(0);
    expect(boris.received).toHaveLength(2);
  });

  it("answers with every known state for a newcomer, or nothing when nobody is present", () => {
    const doc = documentWith("amina");
    const relay = relayFor();
    expect(relay.current(doc)).toBeUndefined();
    const aminasEditor = editor({ user: "Amina" });
    relay.receive(doc, doc.peers[0]!, aminasEditor.update());
    const newcomer: Peer = { name: "new", awarenessClients: new Set(), received: [relay.current(doc)!] };
    expect(statesSeenBy(newcomer)).toEqual(new Map([[aminasEditor.clientId, { user: "Amina" }]]));
  });

  it("throws on a malformed update and changes nothing", () => {
    const doc = documentWith("amina");
    const relay = relayFor();
    expect(() => relay.receive(doc, doc.peers[0]!, new Uint8Array([1, 42]))).toThrow();
    expect(doc.awareness.getStates().size).toBe(0);
    expect(doc.peers[0]!.received).toHaveLength(0);
  });

  it("drops pending broadcasts on close", () => {
    const doc = documentWith("amina", "boris");
    const [amina, boris] = doc.peers as [Peer, Peer];
    const relay = relayFor();
    const aminasEditor = editor({ cursor: 1 });
    relay.receive(doc, amina, aminasEditor.update());
    aminasEditor.awareness.setLocalState({ cursor: 2 });
    relay.receive(doc, amina, aminasEditor.update());
    relay.close();
    vi.advanceTimersByTime(1_000);
    expect(boris.received).toHaveLength(1);
  });
});
