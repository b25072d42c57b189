import { WebSocket } from "ws";
import { CollabClose, type PlanAccessLevel } from "../../app/lib/collab-protocol.js";
import type { CollabPrincipal } from "./authorise.js";
import type { AwarenessRelay } from "./awareness.js";
import type { CollabLogger } from "./logger.js";
import type { LoadedPlan } from "./plan-documents.js";
import type { MessageBudget } from "./rate-limit.js";
import { decodeClientMessage, encodeAccess, encodeSyncStep1, encodeSyncStep2 } from "./sync-protocol.js";

/** What a connection uses of the server it belongs to. */
export interface ConnectionContext {
  /** Shutting down: nothing new is accepted. */
  isClosing(): boolean;
  /** How many messages a held connection may queue before it is closed as too fast (the burst). */
  readonly holdCapacity: number;
  readonly awareness: AwarenessRelay<LoadedPlan, PlanConnection>;
  /** An update the client sent (see commit-broadcast.ts: checked, stored, then broadcast). */
  receiveUpdate(connection: PlanConnection, update: Uint8Array): void;
}

export interface PlanConnectionInit {
  socket: WebSocket;
  plan: LoadedPlan;
  principal: CollabPrincipal;
  access: PlanAccessLevel;
  budget: MessageBudget;
  logger: CollabLogger;
}

/**
 * One WebSocket on one plan: the y-websocket messages it sends and receives, its message budget, and the hold that
 * stops its traffic while a rights change that may concern it is being re-checked.
 */
export class PlanConnection {
  readonly socket: WebSocket;
  readonly plan: LoadedPlan;
  readonly principal: CollabPrincipal;
  readonly access: PlanAccessLevel;
  readonly logger: CollabLogger;
  /** The awareness client ids this connection introduced, removed when it leaves. */
  readonly awarenessClients = new Set<number>();
  alive = true;
  expiryTimer?: NodeJS.Timeout;
  droppedUpdates = 0;
  revoked = false;
  /**
   * Set while the connection's rights may have changed and the re-check for that epoch has not finished: nothing is
   * sent to it or taken from it until then (issue 10: a revoked socket receives nothing typed after the revocation).
   */
  private held?: { untilEpoch: bigint; outgoing: Uint8Array[]; incoming: Uint8Array[] };
  private readonly budget: MessageBudget;

  constructor(
    private readonly context: ConnectionContext,
    init: PlanConnectionInit,
  ) {
    this.socket = init.socket;
    this.plan = init.plan;
    this.principal = init.principal;
    this.access = init.access;
    this.budget = init.budget;
    this.logger = init.logger;
  }

  /** The first messages: the access level, the server's state vector, and who is present. */
  greet(): void {
    this.send(encodeAccess(this.access));
    this.send(encodeSyncStep1(this.plan.doc));
    const present = this.context.awareness.current(this.plan);
    if (present) this.send(present);
  }

  send(frame: Uint8Array): void {
    if (this.held) {
      this.held.outgoing.push(frame);
      return;
    }
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(frame, (error) => error && this.socket.terminate());
  }

  receive(data: Uint8Array): void {
    // Once shutting down nothing new is accepted (the store is being drained and closed); the client keeps its
    // unacknowledged edits and sends them again when it syncs with the restarted server.
    if (this.revoked || this.context.isClosing()) return;
    if (this.held) {
      if (this.held.incoming.length >= this.context.holdCapacity)
        this.socket.close(CollabClose.rateLimited, "too many messages");
      else this.held.incoming.push(data);
      return;
    }
    if (!this.budget.take(performance.now())) {
      this.socket.close(CollabClose.rateLimited, "too many messages");
      return;
    }
    try {
      const message = decodeClientMessage(data);
      if (message.kind === "sync-step-1") this.send(encodeSyncStep2(this.plan.doc, message.stateVector));
      else if (message.kind === "update") this.context.receiveUpdate(this, message.update);
      else if (message.kind === "awareness") this.context.awareness.receive(this.plan, this, message.update);
      else if (message.kind === "query-awareness") {
        const present = this.context.awareness.current(this.plan);
        if (present) this.send(present);
      }
    } catch (error) {
      this.logger.warn(
        { err: error, userId: this.principal.userId },
        `malformed message from ${this.principal.userId}: ${(error as Error).message}`,
      );
      this.socket.close(1007, "malformed message");
    }
  }

  /** Stops traffic to and from this connection until the re-check of rights-change `epoch` has finished. */
  hold(epoch: bigint): void {
    if (this.revoked) return;
    if (!this.held) this.held = { untilEpoch: epoch, outgoing: [], incoming: [] };
    else if (epoch > this.held.untilEpoch) this.held.untilEpoch = epoch;
  }

  /** Lets through, in order, what waited, once every re-check up to its epoch has finished. */
  releaseHold(handledEpoch: bigint): void {
    const { held } = this;
    if (!held || held.untilEpoch > handledEpoch) return;
    this.held = undefined;
    if (this.revoked) return;
    for (const frame of held.outgoing) this.send(frame);
    for (const data of held.incoming) this.receive(data);
  }

  /** Its rights are no longer what it was authorised with: stop at once; the client re-authorises on 4403. */
  revoke(): void {
    this.revoked = true;
    this.held = undefined;
    this.plan.connections.delete(this);
    this.socket.close(CollabClose.accessChanged, "access changed");
  }

  /** Closes the socket when its access token expires. */
  closeAtExpiry(): void {
    const untilExpiry = this.principal.expiresAt * 1000 - Date.now();
    // Clamped: Node fires a timeout longer than 2^31-1 ms at once, which would close a long-lived token's socket.
    const expiryDelay = Math.min(Math.max(0, untilExpiry), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => this.socket.close(CollabClose.sessionEnded, "session expired"), expiryDelay);
    this.expiryTimer.unref();
  }

  /** Heartbeat: false (and terminated) when the last ping went unanswered. */
  ping(): boolean {
    if (!this.alive) {
      this.socket.terminate();
      return false;
    }
    this.alive = false;
    this.socket.ping();
    return true;
  }
}
