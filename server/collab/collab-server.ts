import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import pg from "pg";
import { WebSocketServer } from "ws";
import { CollabClose, collabPath } from "../../app/lib/collab-protocol.js";
import { getPlanSchema, type PlanNode } from "../../app/lib/plan-schema.js";
import { decideSuggestions, type SuggestionDecision } from "../../app/lib/plan-suggestions.js";
import { AccessListener } from "./access-listener.js";
import { AccessRechecks } from "./access-recheck.js";
import { authoriseUpgrade } from "./authorise.js";
import { AwarenessRelay } from "./awareness.js";
import { ClusterRelay } from "./cluster-relay.js";
import { CommitBroadcast } from "./commit-broadcast.js";
import { PlanConnection, type ConnectionContext } from "./connection.js";
import { createLineLogger, requestIdOf, type CollabLogger } from "./logger.js";
import { PlanDocuments, type LoadedPlan } from "./plan-documents.js";
import { PlanNotFoundError, PlanStore } from "./plan-store.js";
import { MessageBudget } from "./rate-limit.js";
import { encodeCommentsChanged } from "./sync-protocol.js";

export type { CollabLogger } from "./logger.js";
export { createLineLogger } from "./logger.js";

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
  /** A pino-compatible logger; by default one line per message on stdout, as before structured logging. */
  logger?: CollabLogger;
  limits?: Partial<CollabLimits>;
}

export interface CollabMetrics {
  documents: number;
  connections: number;
  pendingWrites: number;
  persistenceLagMs: number;
  droppedUpdates: number;
}

/**
 * The y-websocket protocol (sync + awareness) for action plans, on the app's own HTTP server under /collab.
 * Every connection is authorised before the upgrade; read-only and comment-only connections never change the text;
 * updates are stored before they are broadcast; rights are re-checked whenever the database signals a change.
 *
 * This module wires the parts together and is the API the app uses (upgrade, flush, restore, comments, health):
 * sync-protocol.ts (the wire format), connection.ts (one socket), commit-broadcast.ts (socket → store → broadcast),
 * awareness.ts (presence), rate-limit.ts (message budget), access-listener.ts (LISTEN for rights changes) and
 * access-recheck.ts (holds and re-checks after them).
 */
export class CollabServer {
  private readonly pool: pg.Pool;
  /** Connections only for appending updates (the edit hot path never waits behind a load or an authorisation). */
  private readonly appendPool: pg.Pool;
  private readonly store: PlanStore;
  readonly documents: PlanDocuments;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<PlanConnection>();
  private readonly limits: CollabLimits;
  private readonly logger: CollabLogger;
  private readonly jwtKey: Uint8Array;
  private readonly siteOrigin: string;
  private readonly awareness: AwarenessRelay<LoadedPlan, PlanConnection>;
  private readonly commits: CommitBroadcast;
  private readonly access: AccessRechecks;
  private readonly listener: AccessListener;
  /** Co-editing across servers on one database (issue 19). */
  readonly relay: ClusterRelay;
  /** What each connection uses of this server. */
  private readonly connectionContext: ConnectionContext;
  private heartbeat?: NodeJS.Timeout;
  private sweep?: NodeJS.Timeout;
  private closing = false;
  private connectionCount = 0;

  constructor(options: CollabServerOptions) {
    this.limits = { ...defaultCollabLimits, ...options.limits };
    this.logger = options.logger ?? createLineLogger();
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
    this.appendPool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 4,
      idleTimeoutMillis: 0,
      application_name: "collab-append",
    });
    for (const pool of [this.pool, this.appendPool])
      pool.on("error", (error) => this.logger.error({ err: error }, `database pool error: ${error.message}`));
    this.store = new PlanStore(this.pool, this.logger, this.appendPool);
    this.documents = new PlanDocuments({
      store: this.store,
      logger: this.logger,
      idleUnloadMs: this.limits.idleUnloadMs,
      compactAfterUpdates: this.limits.compactAfterUpdates,
      contentDebounceMs: this.limits.contentDebounceMs,
      onApplied: (plan, update, origins) => this.commits.broadcast(plan, update, origins),
      onLoaded: (plan) => this.relay.announceLoaded(plan),
    });
    this.relay = new ClusterRelay({
      connectionString: options.databaseUrl,
      logger: this.logger,
      documents: this.documents,
      store: this.store,
      awareness: () => this.awareness,
      isClosing: () => this.closing,
    });
    this.commits = new CommitBroadcast({
      documents: this.documents,
      store: this.store,
      logger: this.logger,
      socketsOf: (plan) => this.socketsOf(plan),
      handledEpoch: () => this.access.handledEpoch,
    });
    this.awareness = new AwarenessRelay({
      throttleMs: this.limits.awarenessThrottleMs,
      peersOf: (plan) => this.socketsOf(plan),
      send: (connection, frame) => connection.send(frame),
      isIdle: (plan) => plan.connections.size === 0,
      publish: (plan, update) => this.relay.publishAwareness(plan, update),
    });
    this.access = new AccessRechecks({
      pool: this.pool,
      logger: this.logger,
      connections: () => this.connections,
      isClosing: () => this.closing,
    });
    this.connectionContext = {
      isClosing: () => this.closing,
      holdCapacity: this.limits.messageBurst,
      awareness: this.awareness,
      receiveUpdate: (connection, update) => this.commits.receive(connection, update),
    };
    this.listener = new AccessListener({
      connectionString: options.databaseUrl,
      logger: this.logger,
      isClosing: () => this.closing,
      onNotification: (signal) => this.access.noteSignal(signal),
      onBatch: (subjects, epoch) => this.access.handleBatch(subjects, epoch),
      onReconnected: (epoch) => this.access.handleReconnected(epoch),
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.maxMessageBytes,
      perMessageDeflate: false,
    });
  }

  async start(): Promise<void> {
    this.access.startAt(await this.listener.start());
    await this.relay.start();
    // Not awaited by anyone's first edit: connections opened and the append prepared while nobody is editing yet.
    await this.store
      .warm(2, 2)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, `opening database connections early failed: ${String(error)}`),
      );
    this.heartbeat = setInterval(() => this.checkHeartbeats(), this.limits.heartbeatMs);
    this.heartbeat.unref();
    this.sweep = setInterval(() => void this.access.recheck([...this.connections]), this.limits.accessSweepMs);
    this.sweep.unref();
  }

  /** For the HTTP server's `upgrade` event; answers false when the path is not ours. */
  handles(req: IncomingMessage): boolean {
    return (req.url ?? "").startsWith(`${collabPath}/`);
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => undefined);
    if (this.closing) return refuse(socket, 503, "shutting down");
    const requestId = requestIdOf(req);
    const logger = this.logger.child({ connectionId: ++this.connectionCount, ...(requestId && { requestId }) });
    const signalsBefore = this.access.signals;
    let decision;
    try {
      decision = await authoriseUpgrade(req, { pool: this.pool, jwtKey: this.jwtKey, siteOrigin: this.siteOrigin });
    } catch (error) {
      logger.error({ err: error }, `authorisation failed: ${(error as Error).message}`);
      return refuse(socket, 503, "authorisation unavailable");
    }
    if (!decision.ok) {
      logger.debug({ status: decision.status }, `refused an upgrade: ${decision.reason}`);
      return refuse(socket, decision.status, decision.reason);
    }
    const { planId, principal, access } = decision;
    const holder = {};
    let plan: LoadedPlan;
    try {
      plan = await this.documents.acquire(planId, holder);
    } catch (error) {
      if (error instanceof PlanNotFoundError) return refuse(socket, 404, "no such plan");
      logger.error({ err: error, planId }, `loading ${planId} failed: ${(error as Error).message}`);
      return refuse(socket, 503, "document unavailable");
    }
    let upgraded = false;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      const connection = new PlanConnection(this.connectionContext, {
        socket: ws,
        plan,
        principal,
        access,
        budget: new MessageBudget(this.limits.messagesPerSecond, this.limits.messageBurst, performance.now()),
        logger: logger.child({ userId: principal.userId, planId }),
      });
      plan.connections.delete(holder);
      this.open(connection, plan.connections.size >= this.limits.connectionsPerDocument);
      // Rights changed while it was authorised and its document loaded (the signal found no socket to re-check).
      if (this.access.signals !== signalsBefore && this.connections.has(connection))
        void this.access.recheck([connection]);
    });
    // ws answers a bad handshake itself (or drops a socket that closed while we authorised) without calling back
    // (it does call back synchronously otherwise): give the hold back, or each such request would count against the
    // connection limit forever and keep the document in memory.
    if (!upgraded) this.documents.release(plan, holder);
  }

  private open(connection: PlanConnection, full: boolean): void {
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
      connection.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
    );
    socket.on("close", () => this.forget(connection));
    connection.closeAtExpiry();
    connection.greet();
  }

  /** The open sockets on a plan (its holder set also counts in-process users such as a version restore). */
  private *socketsOf(plan: LoadedPlan): Generator<PlanConnection> {
    for (const holder of plan.connections)
      if (this.connections.has(holder as PlanConnection)) yield holder as PlanConnection;
  }

  private forget(connection: PlanConnection): void {
    if (!this.connections.delete(connection)) return;
    clearTimeout(connection.expiryTimer);
    this.awareness.leave(connection.plan, connection);
    this.documents.release(connection.plan, connection);
  }

  private checkHeartbeats(): void {
    for (const connection of this.connections) connection.ping();
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

  /**
   * Accepts or rejects suggestions (issue 18) in the live document, as one change broadcast to everyone, then writes
   * the JSON copy. Only the named suggestions change: whatever else arrived meanwhile stays. Returns how many it found.
   */
  async decideSuggestions(planId: string, ids: readonly string[], decision: SuggestionDecision): Promise<number> {
    const holder = {};
    const plan = await this.documents.acquire(planId, holder);
    try {
      const schema = getPlanSchema();
      const current = schema.nodeFromJSON(this.documents.contentOf(plan));
      const { transform, decided } = decideSuggestions(current, schema, new Set(ids), decision);
      if (transform.docChanged) await this.documents.replaceContent(plan, transform.doc.toJSON() as PlanNode);
      await this.documents.writeContent(plan);
      return decided.length;
    } finally {
      this.documents.release(plan, holder);
    }
  }

  /** Tells everyone on the plan that its comment threads changed. */
  async notifyCommentsChanged(planId: string): Promise<void> {
    const plan = await this.documents.peek(planId);
    if (!plan) return;
    const frame = encodeCommentsChanged();
    for (const connection of this.socketsOf(plan)) connection.send(frame);
  }

  metrics(): CollabMetrics {
    return {
      documents: this.documents.openCount,
      connections: this.connections.size,
      pendingWrites: this.store.pendingCount,
      persistenceLagMs: Math.round(this.store.lagMs),
      droppedUpdates: this.commits.droppedUpdates,
    };
  }

  health(): Promise<"up" | "down"> {
    if (this.closing || !this.listener.listening || !this.relay.listening) return Promise.resolve("down");
    return Promise.resolve(this.store.lagMs > 5_000 ? "down" : "up");
  }

  /**
   * Draining (SIGTERM, issue 19): close every open socket with 1001 so its client reconnects, through the load
   * balancer, to another server; what they sent is stored already. The app refuses new upgrades meanwhile; close()
   * then stores, compacts and disconnects.
   */
  goAway(): void {
    for (const connection of this.connections) connection.socket.close(CollabClose.goingAway, "server going away");
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
    this.awareness.close();
    for (const connection of this.connections) connection.socket.terminate();
    this.wss.close();
    await this.listener.close();
    await this.relay.close();
    await this.pool.end().catch(() => undefined);
    await this.appendPool.end().catch(() => undefined);
  }
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
