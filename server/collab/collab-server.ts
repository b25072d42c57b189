import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import pg from "pg";
import { WebSocket, WebSocketServer } from "ws";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { CollabClose, CollabMessage, collabPath, type PlanAccessLevel } from "../../app/lib/collab-protocol.js";
import type { PlanNode } from "../../app/lib/plan-schema.js";
import { authoriseUpgrade, checkPlanAccess, type CollabPrincipal } from "./authorise.js";
import { PlanDocuments, type LoadedPlan, type UpdateOrigin } from "./plan-documents.js";
import { PlanNotFoundError, PlanStore } from "./plan-store.js";

export interface CollabLimits {
  maxMessageBytes: number;
  messagesPerSecond: number;
  messageBurst: number;
  connectionsPerDocument: number;
  awarenessThrottleMs: number;
  heartbeatMs: number;
  idleUnloadMs: number;
  compactAfterUpdates: number;
  contentDebounceMs: number;
  accessSweepMs: number;
}

export const defaultCollabLimits: CollabLimits = {
  maxMessageBytes: 2 * 1024 * 1024,
  messagesPerSecond: 200,
  messageBurst: 1000,
  connectionsPerDocument: 100,
  awarenessThrottleMs: 50,
  heartbeatMs: 30_000,
  idleUnloadMs: 10_000,
  compactAfterUpdates: 500,
  contentDebounceMs: 2_000,
  accessSweepMs: 60_000,
};

export interface CollabServerOptions {
  databaseUrl: string;
  jwtSecret: string;
  siteUrl: string;
  log?: (message: string) => void;
  limits?: Partial<CollabLimits>;
}

interface Connection {
  socket: WebSocket;
  plan: LoadedPlan;
  principal: CollabPrincipal;
  access: PlanAccessLevel;
  /** The awareness client ids this connection introduced, removed when it leaves. */
  awarenessClients: Set<number>;
  tokens: number;
  lastRefill: number;
  alive: boolean;
  expiryTimer?: NodeJS.Timeout;
  droppedUpdates: number;
  revoked: boolean;
  /**
   * Set while the connection's rights may have changed and the re-check for that epoch has not finished: nothing is
   * sent to it or taken from it until then (issue 10: a revoked socket receives nothing typed after the revocation).
   */
  hold?: { untilEpoch: bigint; outgoing: Uint8Array[]; incoming: Uint8Array[] };
}

export interface CollabMetrics {
  documents: number;
  connections: number;
  pendingWrites: number;
  persistenceLagMs: number;
  droppedUpdates: number;
}

function message(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** An update message that adds nothing (y-prosemirror and reconnecting clients send many). */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}

/**
 * The y-websocket protocol (sync + awareness) for action plans, on the app's own HTTP server under /collab.
 * Every connection is authorised before the upgrade; read-only and comment-only connections never change the text;
 * updates are stored before they are broadcast; rights are re-checked whenever the database signals a change.
 */
export class CollabServer {
  private readonly pool: pg.Pool;
  private readonly store: PlanStore;
  readonly documents: PlanDocuments;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly limits: CollabLimits;
  private readonly log: (message: string) => void;
  private readonly jwtKey: Uint8Array;
  private readonly siteOrigin: string;
  // Weak: an unloaded plan must not be kept alive by its last awareness broadcast (found by bench:collab's
  // open-and-close-10,000-documents run, which kept every document in memory).
  private readonly awarenessPending = new WeakMap<
    LoadedPlan,
    { clients: Set<number>; timer?: NodeJS.Timeout; last: number }
  >();
  private readonly awarenessTimers = new Set<NodeJS.Timeout>();
  private listener?: pg.Client;
  private heartbeat?: NodeJS.Timeout;
  private sweep?: NodeJS.Timeout;
  private closing = false;
  private droppedUpdates = 0;
  /** Counts rights-change signals, so a connection authorised before one and opened after it is re-checked. */
  private accessSignals = 0;
  /** The highest rights-change epoch whose re-check has finished (see private.plan_access_epoch). */
  private accessEpochHandled = 0n;
  /** Re-checks run one after another, so an epoch is marked handled only once every earlier one is. */
  private accessChecks: Promise<void> = Promise.resolve();

  constructor(options: CollabServerOptions) {
    this.limits = { ...defaultCollabLimits, ...options.limits };
    this.log = options.log ?? ((line) => console.log(line));
    this.jwtKey = new TextEncoder().encode(options.jwtSecret);
    this.siteOrigin = new URL(options.siteUrl).origin;
    // Idle connections are kept: opening one (SCRAM authentication) would otherwise add tens of ms to the first load
    // after a quiet spell.
    this.pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 8,
      idleTimeoutMillis: 0,
      application_name: "collab",
    });
    this.pool.on("error", (error) => this.log(`collab: database pool error: ${error.message}`));
    this.store = new PlanStore(this.pool, this.log);
    this.documents = new PlanDocuments({
      store: this.store,
      log: this.log,
      idleUnloadMs: this.limits.idleUnloadMs,
      compactAfterUpdates: this.limits.compactAfterUpdates,
      contentDebounceMs: this.limits.contentDebounceMs,
      onApplied: (plan, update, origins) => this.broadcastUpdate(plan, update, origins),
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.maxMessageBytes,
      perMessageDeflate: false,
    });
  }

  async start(): Promise<void> {
    await this.listenForAccessChanges();
    this.heartbeat = setInterval(() => this.checkHeartbeats(), this.limits.heartbeatMs);
    this.heartbeat.unref();
    this.sweep = setInterval(() => void this.recheckAccess([...this.connections]), this.limits.accessSweepMs);
    this.sweep.unref();
  }

  /** For the HTTP server's `upgrade` event; answers false when the path is not ours. */
  handles(req: IncomingMessage): boolean {
    return (req.url ?? "").startsWith(`${collabPath}/`);
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => undefined);
    if (this.closing) return refuse(socket, 503, "shutting down");
    const signalsBefore = this.accessSignals;
    let decision;
    try {
      decision = await authoriseUpgrade(req, { pool: this.pool, jwtKey: this.jwtKey, siteOrigin: this.siteOrigin });
    } catch (error) {
      this.log(`collab: authorisation failed: ${(error as Error).message}`);
      return refuse(socket, 503, "authorisation unavailable");
    }
    if (!decision.ok) return refuse(socket, decision.status, decision.reason);
    const { planId, principal, access } = decision;
    const holder = {};
    let plan: LoadedPlan;
    try {
      plan = await this.documents.acquire(planId, holder);
    } catch (error) {
      if (error instanceof PlanNotFoundError) return refuse(socket, 404, "no such plan");
      this.log(`collab: loading ${planId} failed: ${(error as Error).message}`);
      return refuse(socket, 503, "document unavailable");
    }
    let upgraded = false;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      const connection: Connection = {
        socket: ws,
        plan,
        principal,
        access,
        awarenessClients: new Set(),
        tokens: this.limits.messageBurst,
        lastRefill: performance.now(),
        alive: true,
        droppedUpdates: 0,
        revoked: false,
      };
      plan.connections.delete(holder);
      this.open(connection, plan.connections.size >= this.limits.connectionsPerDocument);
      // Rights changed while it was authorised and its document loaded (the signal found no socket to re-check).
      if (this.accessSignals !== signalsBefore && this.connections.has(connection))
        void this.recheckAccess([connection]);
    });
    // ws answers a bad handshake itself (or drops a socket that closed while we authorised) without calling back
    // (it does call back synchronously otherwise): give the hold back, or each such request would count against the
    // connection limit forever and keep the document in memory.
    if (!upgraded) this.documents.release(plan, holder);
  }

  private open(connection: Connection, full: boolean): void {
    const { socket, plan } = connection;
    socket.binaryType = "nodebuffer";
    // ws reports a bad frame (too big, malformed) as an 'error' and closes the socket itself with the matching code
    // (1009, 1002...); terminating here could lose that close frame. Listened to before the full check: an 'error'
    // without a listener is thrown, so a refused socket sending a bad frame would crash the server.
    socket.on("error", () => undefined);
    if (full || this.closing) {
      socket.close(full ? CollabClose.documentFull : CollabClose.serverRestart, full ? "document full" : "restarting");
      this.documents.release(plan, {});
      return;
    }
    plan.connections.add(connection);
    this.connections.add(connection);
    socket.on("pong", () => (connection.alive = true));
    socket.on("message", (data: Buffer) =>
      this.receive(connection, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
    );
    socket.on("close", () => this.forget(connection));
    const untilExpiry = connection.principal.expiresAt * 1000 - Date.now();
    // Clamped: Node fires a timeout longer than 2^31-1 ms at once, which would close a long-lived token's socket.
    const expiryDelay = Math.min(Math.max(0, untilExpiry), 2 ** 31 - 1);
    connection.expiryTimer = setTimeout(() => socket.close(CollabClose.sessionEnded, "session expired"), expiryDelay);
    connection.expiryTimer.unref();

    this.send(
      connection,
      message(CollabMessage.access, (encoder) => encoding.writeVarString(encoder, connection.access)),
    );
    this.send(
      connection,
      message(CollabMessage.sync, (encoder) => syncProtocol.writeSyncStep1(encoder, plan.doc)),
    );
    const states = plan.awareness.getStates();
    if (states.size > 0) {
      this.send(
        connection,
        message(CollabMessage.awareness, (encoder) =>
          encoding.writeVarUint8Array(
            encoder,
            awarenessProtocol.encodeAwarenessUpdate(plan.awareness, [...states.keys()]),
          ),
        ),
      );
    }
  }

  private receive(connection: Connection, data: Uint8Array): void {
    // Once shutting down nothing new is accepted (the store is being drained and closed); the client keeps its
    // unacknowledged edits and sends them again when it syncs with the restarted server.
    if (connection.revoked || this.closing) return;
    if (connection.hold) {
      if (connection.hold.incoming.length >= this.limits.messageBurst)
        connection.socket.close(CollabClose.rateLimited, "too many messages");
      else connection.hold.incoming.push(data);
      return;
    }
    if (!this.takeToken(connection)) {
      connection.socket.close(CollabClose.rateLimited, "too many messages");
      return;
    }
    try {
      const decoder = decoding.createDecoder(data);
      const type = decoding.readVarUint(decoder);
      if (type === CollabMessage.sync) this.receiveSync(connection, decoder);
      else if (type === CollabMessage.awareness) this.receiveAwareness(connection, decoding.readVarUint8Array(decoder));
      else if (type === CollabMessage.queryAwareness) this.sendAllAwareness(connection);
    } catch (error) {
      this.log(`collab: malformed message from ${connection.principal.userId}: ${(error as Error).message}`);
      connection.socket.close(1007, "malformed message");
    }
  }

  private receiveSync(connection: Connection, decoder: decoding.Decoder): void {
    const kind = decoding.readVarUint(decoder);
    if (kind === syncProtocol.messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder);
      this.send(
        connection,
        message(CollabMessage.sync, (encoder) => {
          encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
          encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(connection.plan.doc, stateVector));
        }),
      );
      return;
    }
    if (kind !== syncProtocol.messageYjsSyncStep2 && kind !== syncProtocol.messageYjsUpdate)
      throw new Error(`unknown sync message ${kind}`);
    const update = decoding.readVarUint8Array(decoder);
    if (isEmptyUpdate(update)) return;
    if (connection.access !== "edit") {
      // Issue 6: a read-only or comment-only connection never changes the text; its updates are dropped and logged.
      connection.droppedUpdates++;
      this.droppedUpdates++;
      if (connection.droppedUpdates === 1 || connection.droppedUpdates % 100 === 0) {
        this.log(
          `collab: dropped ${connection.droppedUpdates} update(s) from ${connection.access}-only user ${connection.principal.userId} on plan ${connection.plan.planId}`,
        );
      }
      return;
    }
    Y.decodeUpdate(update); // throws on a malformed update, before anything is stored
    void this.documents.submit(connection.plan, update, connection).catch((error: unknown) => {
      this.log(`collab: update for ${connection.plan.planId} failed: ${String(error)}`);
      // Decoded but could not be applied: as malformed as one that does not decode.
      connection.socket.close(1007, "malformed update");
    });
  }

  private broadcastUpdate(plan: LoadedPlan, update: Uint8Array, origins: Set<UpdateOrigin>): void {
    // Stored after a rights change this server has not re-checked yet: whoever lost access must not receive it.
    const epoch = this.store.accessEpoch;
    if (epoch > this.accessEpochHandled) for (const connection of this.socketsOf(plan)) this.hold(connection, epoch);
    const frame = message(CollabMessage.sync, (encoder) => syncProtocol.writeUpdate(encoder, update));
    let stored: Uint8Array | undefined;
    for (const connection of this.socketsOf(plan)) {
      if (!origins.has(connection)) {
        this.send(connection, frame);
      } else {
        stored ??= message(CollabMessage.stored, (encoder) =>
          encoding.writeVarUint8Array(encoder, Y.encodeStateVector(plan.doc)),
        );
        this.send(connection, stored);
      }
    }
  }

  private receiveAwareness(connection: Connection, update: Uint8Array): void {
    const { plan } = connection;
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    for (let index = 0; index < count; index++) {
      const clientId = decoding.readVarUint(decoder);
      // A connection may only speak for its own clients (no moving another person's caret).
      const owner = this.awarenessOwner(plan, clientId);
      if (owner && owner !== connection) return;
      decoding.readVarUint(decoder);
      decoding.readVarString(decoder);
    }
    const changed: number[] = [];
    const collect = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      for (const id of [...added, ...updated]) connection.awarenessClients.add(id);
      changed.push(...added, ...updated, ...removed);
    };
    plan.awareness.on("update", collect);
    try {
      awarenessProtocol.applyAwarenessUpdate(plan.awareness, update, connection);
    } finally {
      plan.awareness.off("update", collect);
    }
    if (changed.length > 0) this.queueAwareness(plan, changed);
  }

  private awarenessOwner(plan: LoadedPlan, clientId: number): Connection | undefined {
    for (const connection of this.socketsOf(plan)) if (connection.awarenessClients.has(clientId)) return connection;
    return undefined;
  }

  /** Awareness broadcasts are throttled per document: at most one per window, the first one immediately. */
  private queueAwareness(plan: LoadedPlan, clients: Iterable<number>): void {
    let pending = this.awarenessPending.get(plan);
    if (!pending) {
      pending = { clients: new Set(), last: 0 };
      this.awarenessPending.set(plan, pending);
    }
    for (const client of clients) pending.clients.add(client);
    if (pending.timer) return;
    const wait = Math.max(0, pending.last + this.limits.awarenessThrottleMs - performance.now());
    const flush = () => {
      const entry = this.awarenessPending.get(plan);
      if (!entry) return;
      if (entry.timer) this.awarenessTimers.delete(entry.timer);
      entry.timer = undefined;
      entry.last = performance.now();
      const ids = [...entry.clients].filter((id) => plan.awareness.meta.has(id));
      entry.clients.clear();
      if (ids.length === 0) return;
      const frame = message(CollabMessage.awareness, (encoder) =>
        encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(plan.awareness, ids)),
      );
      for (const connection of this.socketsOf(plan)) this.send(connection, frame);
      if (plan.connections.size === 0) this.awarenessPending.delete(plan);
    };
    if (wait === 0) flush();
    else {
      pending.timer = setTimeout(flush, wait);
      this.awarenessTimers.add(pending.timer);
    }
  }

  private sendAllAwareness(connection: Connection): void {
    const ids = [...connection.plan.awareness.getStates().keys()];
    if (ids.length === 0) return;
    this.send(
      connection,
      message(CollabMessage.awareness, (encoder) =>
        encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(connection.plan.awareness, ids)),
      ),
    );
  }

  /** The open sockets on a plan (its holder set also counts in-process users such as a version restore). */
  private *socketsOf(plan: LoadedPlan): Generator<Connection> {
    for (const holder of plan.connections) if (this.connections.has(holder as Connection)) yield holder as Connection;
  }

  private takeToken(connection: Connection): boolean {
    const now = performance.now();
    connection.tokens = Math.min(
      this.limits.messageBurst,
      connection.tokens + ((now - connection.lastRefill) / 1000) * this.limits.messagesPerSecond,
    );
    connection.lastRefill = now;
    if (connection.tokens < 1) return false;
    connection.tokens -= 1;
    return true;
  }

  private send(connection: Connection, frame: Uint8Array): void {
    if (connection.hold) {
      connection.hold.outgoing.push(frame);
      return;
    }
    if (connection.socket.readyState !== WebSocket.OPEN) return;
    connection.socket.send(frame, (error) => error && connection.socket.terminate());
  }

  /** Stops traffic to and from `connection` until the re-check of rights-change `epoch` has finished. */
  private hold(connection: Connection, epoch: bigint): void {
    if (connection.revoked) return;
    if (!connection.hold) connection.hold = { untilEpoch: epoch, outgoing: [], incoming: [] };
    else if (epoch > connection.hold.untilEpoch) connection.hold.untilEpoch = epoch;
  }

  /** Lets through, in order, what waited for the re-checks that have now finished. */
  private releaseHolds(): void {
    for (const connection of this.connections) {
      const { hold } = connection;
      if (!hold || hold.untilEpoch > this.accessEpochHandled) continue;
      connection.hold = undefined;
      if (connection.revoked) continue;
      for (const frame of hold.outgoing) this.send(connection, frame);
      for (const data of hold.incoming) this.receive(connection, data);
    }
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    clearTimeout(connection.expiryTimer);
    const { plan } = connection;
    if (connection.awarenessClients.size > 0) {
      awarenessProtocol.removeAwarenessStates(plan.awareness, [...connection.awarenessClients], null);
      this.queueAwareness(plan, connection.awarenessClients);
    }
    this.documents.release(plan, connection);
  }

  private checkHeartbeats(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  // rights changes -------------------------------------------------------------------------------------------------

  private async listenForAccessChanges(): Promise<void> {
    const pending = new Set<string>();
    let pendingEpoch = 0n;
    let timer: NodeJS.Timeout | undefined;
    const connect = async (reconnecting: boolean) => {
      const client = new pg.Client({
        connectionString: this.pool.options.connectionString,
        application_name: "collab-listen",
      });
      client.on("notification", (note) => {
        this.accessSignals++;
        const signal = parseAccessSignal(note.payload);
        if (!signal) {
          this.log(`collab: ignored a malformed rights-change signal ${JSON.stringify(note.payload)}`);
          return;
        }
        // Held at once, before the re-check: updates stored from now on must not reach a socket that lost access.
        for (const connection of this.connections)
          if (signalConcerns(signal, connection)) this.hold(connection, signal.epoch);
        pending.add(`${signal.kind}:${signal.id}`);
        if (signal.epoch > pendingEpoch) pendingEpoch = signal.epoch;
        timer ??= setTimeout(() => {
          timer = undefined;
          const subjects = [...pending];
          const epoch = pendingEpoch;
          pending.clear();
          this.queueAccessCheck(async () => {
            await this.handleAccessSignals(subjects);
            return epoch;
          });
        }, 20);
      });
      client.on("error", (error) => {
        // Errors while connecting reject connect() below; this is for a listener that was working.
        if (this.closing || client !== this.listener) return;
        this.listener = undefined;
        this.log(`collab: lost the rights-change listener (${error.message}); reconnecting`);
        void client.end().catch(() => undefined);
        retry();
      });
      let epoch: bigint;
      try {
        await client.connect();
        await client.query("listen plan_access_changed");
        const current = await client.query<{ epoch: string }>("select epoch from private.plan_access_epoch");
        epoch = BigInt(current.rows[0]?.epoch ?? 0);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.listener = client;
      if (!reconnecting) {
        if (epoch > this.accessEpochHandled) this.accessEpochHandled = epoch;
        return;
      }
      // Whatever changed while we were deaf is caught by re-checking everyone, once we hear again (re-checking
      // before that would miss what changes in between), and so are the connections being opened meanwhile.
      this.accessSignals++;
      this.queueAccessCheck(async () => {
        await this.recheckAccess([...this.connections], { closeOnFailure: true });
        return epoch;
      });
    };
    // Until it works: a database that is briefly away must not leave rights changes unheard for good.
    const retry = () => {
      const timer = setTimeout(() => {
        if (this.closing) return;
        connect(true).catch((error: unknown) => {
          this.log(`collab: listening for rights changes failed (${(error as Error).message}); retrying`);
          retry();
        });
      }, 500);
      timer.unref();
    };
    await connect(false);
  }

  /** Runs re-checks one at a time; each marks its epoch handled and releases the sockets held for it. */
  private queueAccessCheck(check: () => Promise<bigint>): void {
    this.accessChecks = this.accessChecks
      .then(check)
      .then((epoch) => {
        if (epoch > this.accessEpochHandled) this.accessEpochHandled = epoch;
        this.releaseHolds();
      })
      .catch((error: unknown) => this.log(`collab: re-checking access failed: ${String(error)}`));
  }

  private async handleAccessSignals(subjects: string[]): Promise<void> {
    const users = new Set<string>();
    const applications = new Set<string>();
    const reviews: string[] = [];
    for (const subject of subjects) {
      const [kind, id = ""] = subject.split(":");
      if (kind === "user") users.add(id);
      else if (kind === "application") applications.add(id);
      else if (kind === "review") reviews.push(id);
    }
    let everyone = false;
    try {
      if (reviews.length > 0) {
        const rows = await this.pool.query<{ application_id: string }>(
          "select application_id from public.board_packets where review_id = any($1::uuid[])",
          [reviews],
        );
        for (const row of rows.rows) applications.add(row.application_id);
      }
    } catch (error) {
      this.log(`collab: reading review packets failed: ${(error as Error).message}`);
      everyone = true;
    }
    const affected = [...this.connections].filter(
      (connection) =>
        everyone || users.has(connection.principal.userId) || applications.has(connection.plan.applicationId),
    );
    await this.recheckAccess(affected, { closeOnFailure: true });
  }

  /**
   * Closes, with a dedicated code, every socket whose access is no longer what it was authorised with. When the
   * database cannot answer, a re-check after a rights change closes the sockets it could not confirm (they
   * re-authorise on reconnect) rather than letting them run on unconfirmed rights.
   */
  private async recheckAccess(connections: Connection[], options: { closeOnFailure?: boolean } = {}): Promise<void> {
    if (connections.length === 0 || this.closing) return;
    let levels: (PlanAccessLevel | null)[];
    try {
      levels = await checkPlanAccess(
        this.pool,
        connections.map((connection) => ({ planId: connection.plan.planId, userId: connection.principal.userId })),
      );
    } catch (error) {
      this.log(`collab: re-checking access failed: ${(error as Error).message}`);
      if (!options.closeOnFailure) return;
      levels = connections.map(() => null);
    }
    connections.forEach((connection, index) => {
      if (levels[index] === connection.access) return;
      // Stop sending and accepting at once; the close frame follows and the client re-authorises.
      connection.revoked = true;
      connection.hold = undefined;
      connection.plan.connections.delete(connection);
      connection.socket.close(CollabClose.accessChanged, "access changed");
    });
  }

  // the app's in-process API -----------------------------------------------------------------------------------------

  /** Writes the plan's current content to action_plans.content (before a version is saved or the plan is sent). */
  async flushContent(planId: string): Promise<void> {
    const holder = {};
    const plan = await this.documents.acquire(planId, holder);
    try {
      await this.documents.writeContent(plan);
    } finally {
      this.documents.release(plan, holder);
    }
  }

  /** Restores a version's content as a new change, broadcast to everyone editing. */
  async replaceContent(planId: string, content: PlanNode): Promise<void> {
    const holder = {};
    const plan = await this.documents.acquire(planId, holder);
    try {
      await this.documents.replaceContent(plan, content);
      await this.documents.writeContent(plan);
    } finally {
      this.documents.release(plan, holder);
    }
  }

  /** Tells everyone on the plan that its comment threads changed. */
  async notifyCommentsChanged(planId: string): Promise<void> {
    const plan = await this.documents.peek(planId);
    if (!plan) return;
    const frame = message(CollabMessage.commentsChanged, () => undefined);
    for (const connection of this.socketsOf(plan)) this.send(connection, frame);
  }

  metrics(): CollabMetrics {
    return {
      documents: this.documents.openCount,
      connections: this.connections.size,
      pendingWrites: this.store.pendingCount,
      persistenceLagMs: Math.round(this.store.lagMs),
      droppedUpdates: this.droppedUpdates,
    };
  }

  health(): Promise<"up" | "down"> {
    if (this.closing || !this.listener) return Promise.resolve("down");
    return Promise.resolve(this.store.lagMs > 5_000 ? "down" : "up");
  }

  /** SIGTERM: refuse new sockets, close the open ones, store everything, compact, disconnect. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.heartbeat);
    clearInterval(this.sweep);
    for (const connection of this.connections) connection.socket.close(CollabClose.serverRestart, "server restarting");
    await this.store.drain();
    await this.documents.flushAll();
    this.store.close();
    for (const timer of this.awarenessTimers) clearTimeout(timer);
    for (const connection of this.connections) connection.socket.terminate();
    this.wss.close();
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

interface AccessSignal {
  kind: "user" | "application" | "review";
  id: string;
  epoch: bigint;
}

/** `kind:id@epoch`, as private.signal_plan_access_change() writes it. */
function parseAccessSignal(payload: string | undefined): AccessSignal | undefined {
  const match = /^(user|application|review):([0-9a-f-]{36})@(\d{1,19})$/.exec(payload ?? "");
  if (!match) return undefined;
  return { kind: match[1] as AccessSignal["kind"], id: match[2] ?? "", epoch: BigInt(match[3] ?? "0") };
}

/** Whether the signal may change `connection`'s rights (a review's packets are only known after a query: all). */
function signalConcerns(signal: AccessSignal, connection: Connection): boolean {
  if (signal.kind === "user") return connection.principal.userId === signal.id;
  if (signal.kind === "application") return connection.plan.applicationId === signal.id;
  return true;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const text = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    503: "Service Unavailable",
  }[status];
  socket.end(
    `HTTP/1.1 ${status} ${text ?? "Error"}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}
