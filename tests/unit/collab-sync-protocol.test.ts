import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { CollabMessage } from "~/lib/collab-protocol";
import {
  awarenessClientIds,
  decodeClientMessage,
  encodeAccess,
  encodeAwareness,
  encodeCommentsChanged,
  encodeStored,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  isEmptyUpdate,
} from "../../server/collab/sync-protocol";

function clientFrame(type: number, write: (encoder: encoding.Encoder) => void = () => undefined): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function docWith(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText("t").insert(0, text);
  return doc;
}

/** What a y-websocket client does with a sync frame the server sent: returns its reply (if any). */
function clientReceivesSync(doc: Y.Doc, frame: Uint8Array): Uint8Array | undefined {
  const decoder = decoding.createDecoder(frame);
  expect(decoding.readVarUint(decoder)).toBe(CollabMessage.sync);
  const reply = encoding.createEncoder();
  encoding.writeVarUint(reply, CollabMessage.sync);
  syncProtocol.readSyncMessage(decoder, reply, doc, "server");
  return encoding.length(reply) > 1 ? encoding.toUint8Array(reply) : undefined;
}

describe("what the server sends", () => {
  it("announces the access level first, as a string after type 100", () => {
    const decoder = decoding.createDecoder(encodeAccess("comment"));
    expect(decoding.readVarUint(decoder)).toBe(CollabMessage.access);
    expect(decoding.readVarString(decoder)).toBe("comment");
  });

  it("syncs a client both ways: step 1 asks for the client's changes, step 2 sends what the client lacks", () => {
    const server = docWith("server text");
    const client = docWith("");
    const reply = clientReceivesSync(client, encodeSyncStep1(server));
    // The client answers step 1 with its own step 2 (what the server lacks), which the server reads as an update.
    expect(reply && decodeClientMessage(reply).kind).toBe("update");
    clientReceivesSync(client, encodeSyncStep2(server, Y.encodeStateVector(client)));
    expect(client.getText("t").toJSON()).toBe("server text");
  });

  it("relays an update that the client applies, and acknowledges stored state with type 101", () => {
    const server = docWith("");
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
    const before = Y.encodeStateVector(server);
    server.getText("t").insert(0, "typed");
    clientReceivesSync(client, encodeUpdate(Y.encodeStateAsUpdate(server, before)));
    expect(client.getText("t").toJSON()).toBe("typed");

    const decoder = decoding.createDecoder(encodeStored(server));
    expect(decoding.readVarUint(decoder)).toBe(CollabMessage.stored);
    expect(decoding.readVarUint8Array(decoder)).toEqual(Y.encodeStateVector(server));
  });

  it("sends awareness states and a bare comments-changed signal", () => {
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({ user: { name: "Amina" } });
    const decoder = decoding.createDecoder(encodeAwareness(awareness, [doc.clientID]));
    expect(decoding.readVarUint(decoder)).toBe(CollabMessage.awareness);
    const observer = new awarenessProtocol.Awareness(new Y.Doc());
    awarenessProtocol.applyAwarenessUpdate(observer, decoding.readVarUint8Array(decoder), "test");
    expect(observer.getStates().get(doc.clientID)).toEqual({ user: { name: "Amina" } });

    expect([...encodeCommentsChanged()]).toEqual([CollabMessage.commentsChanged]);
  });
});

describe("what a client sends", () => {
  it("reads sync step 1, step 2 and updates, awareness and awareness queries", () => {
    const doc = docWith("hello");
    const step1 = decodeClientMessage(clientFrame(CollabMessage.sync, (e) => syncProtocol.writeSyncStep1(e, doc)));
    expect(step1).toEqual({ kind: "sync-step-1", stateVector: Y.encodeStateVector(doc) });

    const step2 = decodeClientMessage(
      clientFrame(CollabMessage.sync, (e) => syncProtocol.writeSyncStep2(e, doc, new Uint8Array([0]))),
    );
    expect(step2).toEqual({ kind: "update", update: Y.encodeStateAsUpdate(doc) });

    const update = Y.encodeStateAsUpdate(doc);
    expect(decodeClientMessage(clientFrame(CollabMessage.sync, (e) => syncProtocol.writeUpdate(e, update)))).toEqual({
      kind: "update",
      update,
    });

    const awareness = new Uint8Array([1, 2, 3]);
    expect(
      decodeClientMessage(clientFrame(CollabMessage.awareness, (e) => encoding.writeVarUint8Array(e, awareness))),
    ).toEqual({ kind: "awareness", update: awareness });
    expect(decodeClientMessage(clientFrame(CollabMessage.queryAwareness))).toEqual({ kind: "query-awareness" });
  });

  it("ignores y-websocket's auth message and types it does not know", () => {
    expect(decodeClientMessage(clientFrame(CollabMessage.auth, (e) => encoding.writeVarString(e, "x")))).toEqual({
      kind: "ignored",
      type: CollabMessage.auth,
    });
    expect(decodeClientMessage(clientFrame(CollabMessage.stored))).toEqual({ kind: "ignored", type: 101 });
  });

  it("throws on an empty or truncated message and on an unknown sync step", () => {
    expect(() => decodeClientMessage(new Uint8Array())).toThrow();
    expect(() => decodeClientMessage(new Uint8Array([CollabMessage.sync]))).toThrow();
    // Sync update announcing 10 bytes, carrying 2.
    expect(() => decodeClientMessage(new Uint8Array([CollabMessage.sync, 2, 10, 0, 0]))).toThrow();
    expect(() => decodeClientMessage(new Uint8Array([CollabMessage.sync, 7, 0]))).toThrow(/unknown sync message 7/);
    expect(() => decodeClientMessage(new Uint8Array([CollabMessage.awareness, 5]))).toThrow();
  });

  it("tells an update that adds nothing from one that does", () => {
    expect(isEmptyUpdate(Y.encodeStateAsUpdate(new Y.Doc()))).toBe(true);
    expect(isEmptyUpdate(Y.encodeStateAsUpdate(docWith("x")))).toBe(false);
  });
});

describe("awarenessClientIds", () => {
  it("lists the client ids an awareness update speaks for", () => {
    const server = new awarenessProtocol.Awareness(new Y.Doc());
    const ids = [new Y.Doc(), new Y.Doc()].map((doc) => {
      const awareness = new awarenessProtocol.Awareness(doc);
      awareness.setLocalState({ id: doc.clientID });
      awarenessProtocol.applyAwarenessUpdate(
        server,
        awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]),
        "test",
      );
      return doc.clientID;
    });
    expect([...awarenessClientIds(awarenessProtocol.encodeAwarenessUpdate(server, ids))]).toEqual(ids);
  });

  it("throws on a malformed entry, but never reads past where the caller stopped", () => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 2); // two entries announced
    encoding.writeVarUint(encoder, 42); // client id
    encoding.writeVarUint(encoder, 1); // clock
    encoding.writeVarString(encoder, "{}");
    encoding.writeVarUint(encoder, 43); // the second entry stops after its id
    const update = encoding.toUint8Array(encoder);
    expect(() => [...awarenessClientIds(update)]).toThrow();
    const ids: number[] = [];
    for (const id of awarenessClientIds(update)) {
      ids.push(id);
      if (id === 43) break;
    }
    expect(ids).toEqual([42, 43]);
  });
});
