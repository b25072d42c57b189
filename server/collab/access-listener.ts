import pg from "pg";
import type { CollabLogger } from "./logger.js";

/** A rights change that may concern plan sockets, as private.signal_plan_access_change() announces it. */
export interface AccessSignal {
  kind: "user" | "application" | "review";
  id: string;
  /** The value of private.plan_access_epoch the change committed. */
  epoch: bigint;
}

/** `kind:id@epoch`, as private.signal_plan_access_change() writes it; undefined for anything else. */
export function parseAccessSignal(payload: string | undefined): AccessSignal | undefined {
  const match = /^(user|application|review):([0-9a-f-]{36})@(\d{1,19})$/.exec(payload ?? "");
  if (!match) return undefined;
  return { kind: match[1] as AccessSignal["kind"], id: match[2] ?? "", epoch: BigInt(match[3] ?? "0") };
}

export interface AccessListenerOptions {
  connectionString: string;
  logger: CollabLogger;
  /** Whether the server is shutting down (a lost connection is then not re-opened). */
  isClosing: () => boolean;
  /** Every notification as it arrives, before any batching; undefined for a malformed one (logged). */
  onNotification: (signal: AccessSignal | undefined) => void;
  /** The signals of a short window: their subjects (`kind:id`) and the highest epoch heard so far. */
  onBatch: (subjects: string[], epoch: bigint) => void;
  /** Listening again after the connection was lost: whatever changed meanwhile went unheard. */
  onReconnected: (epoch: bigint) => void;
  /** The channel private.signal_plan_access_change() notifies (tests use their own). */
  channel?: string;
  applicationName?: string;
  batchMs?: number;
  retryMs?: number;
}

/**
 * LISTENs for rights changes on a connection of its own, batches them, and reconnects until it works when the
 * connection is lost (a database that is briefly away must not leave rights changes unheard for good).
 */
export class AccessListener {
  private client?: pg.Client;
  private readonly pending = new Set<string>();
  private pendingEpoch = 0n;
  private timer?: NodeJS.Timeout;
  private readonly channel: string;

  constructor(private readonly options: AccessListenerOptions) {
    this.channel = options.channel ?? "plan_access_changed";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.channel)) throw new Error(`bad channel name ${this.channel}`);
  }

  /** Whether a connection is listening now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Listens; resolves with the epoch committed when listening began (every earlier change is already visible). */
  start(): Promise<bigint> {
    return this.connect();
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private handleNotification(payload: string | undefined): void {
    const signal = parseAccessSignal(payload);
    if (!signal)
      this.options.logger.warn({ payload }, `ignored a malformed rights-change signal ${JSON.stringify(payload)}`);
    this.options.onNotification(signal);
    if (!signal) return;
    this.pending.add(`${signal.kind}:${signal.id}`);
    if (signal.epoch > this.pendingEpoch) this.pendingEpoch = signal.epoch;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const subjects = [...this.pending];
      this.pending.clear();
      this.options.onBatch(subjects, this.pendingEpoch);
    }, this.options.batchMs ?? 20);
  }

  private async connect(): Promise<bigint> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName ?? "collab-listen",
    });
    client.on("notification", (note) => {
      if (note.channel === this.channel) this.handleNotification(note.payload);
    });
    client.on("error", (error) => {
      // Errors while connecting reject connect() below; this is for a listener that was working.
      if (this.options.isClosing() || client !== this.client) return;
      this.client = undefined;
      this.options.logger.warn({ err: error }, `lost the rights-change listener (${error.message}); reconnecting`);
      void client.end().catch(() => undefined);
      this.retry();
    });
    let epoch: bigint;
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
      const current = await client.query<{ epoch: string }>("select epoch from private.plan_access_epoch");
      epoch = BigInt(current.rows[0]?.epoch ?? 0);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return epoch;
  }

  private retry(): void {
    const timer = setTimeout(() => {
      if (this.options.isClosing()) return;
      this.connect().then(
        (epoch) => this.options.onReconnected(epoch),
        (error: unknown) => {
          this.options.logger.warn(
            { err: error },
            `listening for rights changes failed (${(error as Error).message}); retrying`,
          );
          this.retry();
        },
      );
    }, this.options.retryMs ?? 500);
    timer.unref();
  }
}
