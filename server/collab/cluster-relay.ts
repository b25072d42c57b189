import { randomBytes } from "node:crypto";
import pg from "pg";
import type { AwarenessRelay } from "./awareness.js";
import type { PlanConnection } from "./connection.js";
import type { CollabLogger } from "./logger.js";
import type { LoadedPlan, PlanDocuments } from "./plan-documents.js";
import type { PlanStore } from "./plan-store.js";

/** What private.append_plan_updates() notifies for one plan: rows (previousId, lastId] of it, `count` of them. */
export interface StoredSignal {
  planId: string;
  previousId: bigint;
  lastId: bigint;
  count: number;
}

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const storedEntry = new RegExp(`^(${uuid}) (\\d{1,19}) (\\d{1,19}) (\\d{1,9})$`);
const awarenessMessage = new RegExp(`^([0-9a-f]{12}) (${uuid}) (\\?|[A-Za-z0-9+/=]+)$`);

/** `<plan> <previous> <last> <count>;...`, as private.append_plan_updates() writes it; malformed entries are dropped. */
export function parseStoredSignals(payload: string | undefined): StoredSignal[] {
  return (payload ?? "").split(";").flatMap((entry) => {
    const match = storedEntry.exec(entry);
    if (!match) return [];
    return [{ planId: match[1]!, previousId: BigInt(match[2]!), lastId: BigInt(match[3]!), count: Number(match[4]) }];
  });
}

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; an awareness update beyond this is not relayed. */
export const maxAwarenessPayload = 7000;

export interface ClusterRelayOptions {
  connectionString: string;
  logger: CollabLogger;
  documents: PlanDocuments;
  store: PlanStore;
  awareness: () => AwarenessRelay<LoadedPlan, PlanConnection>;
  isClosing: () => boolean;
  retryMs?: number;
}

/**
 * Co-editing across app servers on one database (issue 19). Every stored update is announced by the database itself
 * (private.append_plan_updates NOTIFYs `plan_updates_stored` with plan and ids, in the INSERT's transaction); each
 * server LISTENs on a connection of its own and, for the plans it has loaded, reads the rows after the last id it has
 * applied, applies them and sends them to its own sockets. Reading "after the last id" rather than the ids announced
 * heals missed notifications and reconnections of the listener (everything loaded is caught up then). Presence and
 * carets, small and ephemeral, travel in the payload of `plan_awareness` notifications (base64), never stored.
 */
export class ClusterRelay {
  /** This process among the servers: its own awareness notifications come back to it and are ignored. */
  readonly serverId = randomBytes(6).toString("hex");
  private client?: pg.Client;
  /**
   * Presence notifications go out on a connection of their own, committed without waiting for the disk
   * (synchronous_commit off: presence is not stored, and a notification is delivered at commit either way). A NOTIFY's
   * commit holds PostgreSQL's notification-queue lock until it is flushed, and every append notifies too: on the shared
   * pool, waiting for the disk, each caret or presence change made the next edit's commit queue behind its flush.
   */
  private readonly notifier: pg.Pool;
  private readonly catchingUp = new WeakMap<LoadedPlan, { again: boolean }>();
  /** Catch-ups and relayed awareness in flight (tests and shutdown wait for them). */
  private inFlight = 0;

  constructor(private readonly options: ClusterRelayOptions) {
    this.notifier = new pg.Pool({
      connectionString: options.connectionString,
      max: 1,
      idleTimeoutMillis: 0,
      application_name: "collab-notify",
      options: "-c synchronous_commit=off",
    });
    this.notifier.on("error", (error) =>
      options.logger.warn({ err: error }, `presence notification connection error: ${error.message}`),
    );
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    await this.connect();
    await this.notifier.query("select 1");
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    await this.notifier.end().catch(() => undefined);
  }

  /** A plan this server just loaded: the others' presence is asked for (they answer with their connections' states). */
  announceLoaded(plan: LoadedPlan): void {
    this.notify("plan_awareness", `${this.serverId} ${plan.planId} ?`);
  }

  /** Awareness of this server's own connections, for the other servers. */
  publishAwareness(plan: LoadedPlan, update: Uint8Array): void {
    const payload = `${this.serverId} ${plan.planId} ${Buffer.from(update).toString("base64")}`;
    if (payload.length > maxAwarenessPayload) {
      this.options.logger.debug(
        { planId: plan.planId, bytes: update.length },
        `an awareness update of ${update.length} bytes is too big for NOTIFY; not relayed to other servers`,
      );
      return;
    }
    this.notify("plan_awareness", payload);
  }

  /** Reads and applies whatever other servers stored for `plan` after what it holds (one read at a time per plan). */
  catchUp(plan: LoadedPlan): void {
    const running = this.catchingUp.get(plan);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true };
    this.catchingUp.set(plan, state);
    this.inFlight++;
    void (async () => {
      try {
        while (state.again && !plan.unloaded && !this.options.isClosing()) {
          state.again = false;
          await this.options.documents.readStoredSince(plan);
        }
      } catch (error) {
        if (this.options.isClosing()) return;
        this.options.logger.warn(
          { err: error, planId: plan.planId },
          `reading updates of ${plan.planId} stored elsewhere failed (${(error as Error).message}); retrying`,
        );
        setTimeout(() => this.catchUp(plan), this.options.retryMs ?? 500).unref();
      } finally {
        this.catchingUp.delete(plan);
        this.inFlight--;
      }
    })();
  }

  /** Whether nothing is being caught up right now. */
  get idle(): boolean {
    return this.inFlight === 0;
  }

  private notify(channel: string, payload: string): void {
    this.notifier.query("select pg_notify($1, $2)", [channel, payload]).catch((error: unknown) => {
      if (!this.options.isClosing())
        this.options.logger.debug({ err: error }, `notifying ${channel} failed: ${(error as Error).message}`);
    });
  }

  private async handleStored(payload: string | undefined): Promise<void> {
    for (const signal of parseStoredSignals(payload)) {
      const plan = await this.options.documents.peek(signal.planId);
      if (!plan || plan.unloaded || signal.lastId <= plan.throughUpdateId) continue;
      // This server's own batch, right after what it holds: nothing to read.
      if (this.options.documents.advanceOwn(plan, signal.previousId, signal.lastId, signal.count)) continue;
      this.catchUp(plan);
    }
  }

  private async handleAwareness(payload: string | undefined): Promise<void> {
    const match = awarenessMessage.exec(payload ?? "");
    if (!match || match[1] === this.serverId) return;
    const plan = await this.options.documents.peek(match[2]!);
    if (!plan || plan.unloaded) return;
    const awareness = this.options.awareness();
    if (match[3] === "?") {
      const states = awareness.local(plan);
      if (states) this.publishAwareness(plan, states);
      return;
    }
    try {
      awareness.receiveRemote(plan, new Uint8Array(Buffer.from(match[3]!, "base64")));
    } catch (error) {
      this.options.logger.warn({ err: error }, `ignored a malformed awareness update from server ${match[1]}`);
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: "collab-relay" });
    client.on("notification", (note) => {
      if (note.channel === "plan_updates_stored") void this.handleStored(note.payload);
      else if (note.channel === "plan_awareness") void this.handleAwareness(note.payload);
    });
    client.on("error", (error) => {
      if (this.options.isClosing() || client !== this.client) return;
      this.client = undefined;
      this.options.logger.warn({ err: error }, `lost the co-editing relay listener (${error.message}); reconnecting`);
      void client.end().catch(() => undefined);
      this.retry();
    });
    try {
      await client.connect();
      await client.query("listen plan_updates_stored");
      await client.query("listen plan_awareness");
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  private retry(): void {
    const timer = setTimeout(() => {
      if (this.options.isClosing()) return;
      this.connect().then(
        // Whatever was stored while nobody listened: every loaded plan reads what it lacks.
        async () => {
          for (const plan of await this.options.documents.loadedPlans()) this.catchUp(plan);
        },
        (error: unknown) => {
          this.options.logger.warn(
            { err: error },
            `listening for co-editing updates failed (${(error as Error).message}); retrying`,
          );
          this.retry();
        },
      );
    }, this.options.retryMs ?? 500);
    timer.unref();
  }
}
