import * as Y from "yjs";
import { CollabClose } from "../../app/lib/collab-protocol.js";
import type { PlanConnection } from "./connection.js";
import type { CollabLogger } from "./logger.js";
import type { LoadedPlan, PlanDocuments, UpdateOrigin } from "./plan-documents.js";
import type { PlanStore } from "./plan-store.js";
import { checkSuggestionUpdate } from "./suggest-filter.js";
import { encodeStored, encodeUpdate, isEmptyUpdate } from "./sync-protocol.js";

export interface CommitBroadcastOptions {
  documents: PlanDocuments;
  store: PlanStore;
  logger: CollabLogger;
  /** The open sockets on a plan. */
  socketsOf: (plan: LoadedPlan) => Iterable<PlanConnection>;
  /** The highest rights-change epoch whose re-check has finished. */
  handledEpoch: () => bigint;
}

/**
 * The edit hot path, socket → commit → broadcast: an update from a socket is checked (edit rights, decodable),
 * stored (PlanDocuments.submit: group-committed, then applied), and only then sent to the plan's other sockets,
 * while its sender is told it is stored. Nobody ever receives an update that is not yet durable.
 */
export class CommitBroadcast {
  /** Updates dropped because their sender may not edit (a metric). */
  droppedUpdates = 0;

  /** A suggest-only socket's accepted updates not yet applied to the document: its next ones build on them. */
  private readonly suggestionsInFlight = new WeakMap<PlanConnection, Uint8Array[]>();

  constructor(private readonly options: CommitBroadcastOptions) {}

  /** An update a connection sent (a sync step 2 or an update message). */
  receive(connection: PlanConnection, update: Uint8Array): void {
    if (isEmptyUpdate(update)) return;
    if (connection.access === "comment") {
      // Issue 18: comment rights may suggest. Only an update that adds or removes the person's own suggestion marks
      // is stored; anything else closes the socket (the editor then reloads the stored document).
      Y.decodeUpdate(update); // throws on a malformed update (closed with 1007 by the caller)
      const inFlight = this.suggestionsInFlight.get(connection) ?? [];
      const verdict = checkSuggestionUpdate(connection.plan.doc, update, connection.principal.userId, inFlight);
      if (!verdict.ok) {
        connection.droppedUpdates++;
        this.droppedUpdates++;
        connection.logger.warn(
          { userId: connection.principal.userId, planId: connection.plan.planId, reason: verdict.reason },
          `refused an update from suggest-only user ${connection.principal.userId} on plan ${connection.plan.planId}: ${verdict.reason}`,
        );
        connection.socket.close(CollabClose.updateRefused, "only own suggestions");
        return;
      }
      inFlight.push(update);
      this.suggestionsInFlight.set(connection, inFlight);
      void this.submit(connection, update).finally(() => {
        const index = inFlight.indexOf(update);
        if (index >= 0) inFlight.splice(index, 1);
      });
      return;
    }
    if (connection.access !== "edit") {
      // Issue 6: a read-only or comment-only connection never changes the text; its updates are dropped and logged.
      connection.droppedUpdates++;
      this.droppedUpdates++;
      if (connection.droppedUpdates === 1 || connection.droppedUpdates % 100 === 0) {
        connection.logger.warn(
          { userId: connection.principal.userId, planId: connection.plan.planId, dropped: connection.droppedUpdates },
          `dropped ${connection.droppedUpdates} update(s) from ${connection.access}-only user ${connection.principal.userId} on plan ${connection.plan.planId}`,
        );
      }
      return;
    }
    Y.decodeUpdate(update); // throws on a malformed update, before anything is stored
    void this.submit(connection, update);
  }

  private submit(connection: PlanConnection, update: Uint8Array): Promise<void> {
    return this.options.documents.submit(connection.plan, update, connection).catch((error: unknown) => {
      connection.logger.error(
        { err: error, planId: connection.plan.planId },
        `update for ${connection.plan.planId} failed: ${String(error)}`,
      );
      // Decoded but could not be applied: as malformed as one that does not decode.
      connection.socket.close(CollabClose.updateRefused, "malformed update");
    });
  }

  /**
   * Called once updates are stored and applied (a group commit's worth, merged into one update): everyone else
   * receives them, their senders an acknowledgement. When several people's updates were merged, their senders receive
   * the merged update too (what they sent themselves in it is already theirs, and Yjs skips it).
   */
  broadcast(plan: LoadedPlan, update: Uint8Array, origins: Set<UpdateOrigin>): void {
    // Stored after a rights change this server has not re-checked yet: whoever lost access must not receive it.
    const epoch = this.options.store.accessEpoch;
    if (epoch > this.options.handledEpoch())
      for (const connection of this.options.socketsOf(plan)) connection.hold(epoch);
    const frame = encodeUpdate(update);
    let stored: Uint8Array | undefined;
    for (const connection of this.options.socketsOf(plan)) {
      const sender = origins.has(connection);
      if (!sender || origins.size > 1) connection.send(frame);
      if (sender) {
        stored ??= encodeStored(plan.doc);
        connection.send(stored);
      }
    }
  }
}
