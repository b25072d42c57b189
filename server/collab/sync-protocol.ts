import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { CollabMessage, type PlanAccessLevel } from "../../app/lib/collab-protocol.js";

/*
 * The y-websocket wire format (sync + awareness) and the message types we add: encoding what the server sends and
 * decoding what a client sends. Pure: no sockets, no documents' lifecycle.
 */

function frame(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Server → client, first on every connection: the access level it was authorised with. */
export function encodeAccess(access: PlanAccessLevel): Uint8Array {
  return frame(CollabMessage.access, (encoder) => encoding.writeVarString(encoder, access));
}

/** The server's state vector: the client answers with what the server lacks. */
export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  return frame(CollabMessage.sync, (encoder) => syncProtocol.writeSyncStep1(encoder, doc));
}

/** What the client with `stateVector` lacks. */
export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  return frame(CollabMessage.sync, (encoder) => {
    encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
    encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc, stateVector));
  });
}

/** A stored update, for everyone but its sender. */
export function encodeUpdate(update: Uint8Array): Uint8Array {
  return frame(CollabMessage.sync, (encoder) => syncProtocol.writeUpdate(encoder, update));
}

/** To the sender of stored updates: the stored document's state vector, so it knows its edits are durable. */
export function encodeStored(doc: Y.Doc): Uint8Array {
  return frame(CollabMessage.stored, (encoder) => encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc)));
}

/** The awareness states of `clients` (presence, carets). */
export function encodeAwareness(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  return frame(CollabMessage.awareness, (encoder) =>
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients)),
  );
}

/** The plan's comment threads changed: reload them. */
export function encodeCommentsChanged(): Uint8Array {
  return frame(CollabMessage.commentsChanged, () => undefined);
}

/** What a client may send; anything else (y-websocket's `auth`, unknown types) is ignored as before. */
export type ClientMessage =
  | { kind: "sync-step-1"; stateVector: Uint8Array }
  /** A sync step 2 or an update: both carry an update to apply. */
  | { kind: "update"; update: Uint8Array }
  | { kind: "awareness"; update: Uint8Array }
  | { kind: "query-awareness" }
  | { kind: "ignored"; type: number };

/**
 * Reads a client message's framing; throws on a malformed one (the caller closes with 1007). The update and awareness
 * payloads are checked later, where the order of checks matters (a read-only person's updates are dropped unread).
 */
export function decodeClientMessage(data: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(data);
  const type = decoding.readVarUint(decoder);
  if (type === CollabMessage.sync) {
    const step = decoding.readVarUint(decoder);
    if (step === syncProtocol.messageYjsSyncStep1)
      return { kind: "sync-step-1", stateVector: decoding.readVarUint8Array(decoder) };
    if (step !== syncProtocol.messageYjsSyncStep2 && step !== syncProtocol.messageYjsUpdate)
      throw new Error(`unknown sync message ${step}`);
    return { kind: "update", update: decoding.readVarUint8Array(decoder) };
  }
  if (type === CollabMessage.awareness) return { kind: "awareness", update: decoding.readVarUint8Array(decoder) };
  if (type === CollabMessage.queryAwareness) return { kind: "query-awareness" };
  return { kind: "ignored", type };
}

/** An update message that adds nothing (y-prosemirror and reconnecting clients send many). */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}

/**
 * The client ids an awareness update speaks for, read one at a time: a caller that stops early (a foreign client id)
 * never reads the rest. Throws on a malformed entry.
 */
export function* awarenessClientIds(update: Uint8Array): Generator<number> {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  for (let index = 0; index < count; index++) {
    yield decoding.readVarUint(decoder);
    decoding.readVarUint(decoder); // clock
    decoding.readVarString(decoder); // state (JSON)
  }
}
