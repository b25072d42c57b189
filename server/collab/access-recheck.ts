import type pg from "pg";
import type { PlanAccessLevel } from "../../app/lib/collab-protocol.js";
import type { AccessSignal } from "./access-listener.js";
import { checkPlanAccess } from "./authorise.js";
import type { PlanConnection } from "./connection.js";
import type { CollabLogger } from "./logger.js";

export interface AccessRechecksOptions {
  pool: pg.Pool;
  logger: CollabLogger;
  /** Every open socket. */
  connections: () => Iterable<PlanConnection>;
  isClosing: () => boolean;
}

/** Whether the signal may change `connection`'s rights (a review's packets are only known after a query: all). */
export function signalConcerns(signal: AccessSignal, connection: PlanConnection): boolean {
  if (signal.kind === "user") return connection.principal.userId === signal.id;
  if (signal.kind === "application") return connection.plan.applicationId === signal.id;
  return true;
}

/**
 * Keeps open sockets' rights in step with the database: a rights-change signal holds the sockets it may concern at
 * once, the re-checks run one after another (each marks its epoch handled and releases the sockets held for it), and
 * a socket whose access is no longer what it was authorised with is closed with 4403.
 */
export class AccessRechecks {
  /** Counts rights-change signals, so a connection authorised before one and opened after it is re-checked. */
  signals = 0;
  /** The highest rights-change epoch whose re-check has finished (see private.plan_access_epoch). */
  handledEpoch = 0n;
  /** Re-checks run one after another, so an epoch is marked handled only once every earlier one is. */
  private checks: Promise<void> = Promise.resolve();

  constructor(private readonly options: AccessRechecksOptions) {}

  /** The epoch committed when listening began: every change up to it is already in what sockets were authorised on. */
  startAt(epoch: bigint): void {
    if (epoch > this.handledEpoch) this.handledEpoch = epoch;
  }

  /** A notification arrived: the sockets it may concern are held before the re-check (updates stored from now on
   * must not reach a socket that lost access). */
  noteSignal(signal: AccessSignal | undefined): void {
    this.signals++;
    if (!signal) return;
    for (const connection of this.options.connections())
      if (signalConcerns(signal, connection)) connection.hold(signal.epoch);
  }

  /** Re-checks the sockets the batched subjects (`kind:id`) may concern, then marks `epoch` handled. */
  handleBatch(subjects: string[], epoch: bigint): void {
    this.queue(async () => {
      await this.recheckSubjects(subjects);
      return epoch;
    });
  }

  /** Whatever changed while nobody listened is caught by re-checking everyone, once we hear again (re-checking
   * before that would miss what changes in between), and so are the connections being opened meanwhile. */
  handleReconnected(epoch: bigint): void {
    this.signals++;
    this.queue(async () => {
      await this.recheck([...this.options.connections()], { closeOnFailure: true });
      return epoch;
    });
  }

  /**
   * Closes, with a dedicated code, every socket whose access is no longer what it was authorised with. When the
   * database cannot answer, a re-check after a rights change closes the sockets it could not confirm (they
   * re-authorise on reconnect) rather than letting them run on unconfirmed rights.
   */
  async recheck(connections: PlanConnection[], options: { closeOnFailure?: boolean } = {}): Promise<void> {
    if (connections.length === 0 || this.options.isClosing()) return;
    let levels: (PlanAccessLevel | null)[];
    try {
      levels = await checkPlanAccess(
        this.options.pool,
        connections.map((connection) => ({ planId: connection.plan.planId, userId: connection.principal.userId })),
      );
    } catch (error) {
      this.options.logger.error({ err: error }, `re-checking access failed: ${(error as Error).message}`);
      if (!options.closeOnFailure) return;
      levels = connections.map(() => null);
    }
    connections.forEach((connection, index) => {
      // Stop sending and accepting at once; the close frame follows and the client re-authorises.
      if (levels[index] !== connection.access) connection.revoke();
    });
  }

  /** Runs re-checks one at a time; each marks its epoch handled and releases the sockets held for it. */
  private queue(check: () => Promise<bigint>): void {
    this.checks = this.checks
      .then(check)
      .then((epoch) => {
        if (epoch > this.handledEpoch) this.handledEpoch = epoch;
        for (const connection of this.options.connections()) connection.releaseHold(this.handledEpoch);
      })
      .catch((error: unknown) =>
        this.options.logger.error({ err: error }, `re-checking access failed: ${String(error)}`),
      );
  }

  private async recheckSubjects(subjects: string[]): Promise<void> {
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
        const rows = await this.options.pool.query<{ application_id: string }>(
          "select application_id from public.board_packets where review_id = any($1::uuid[])",
          [reviews],
        );
        for (const row of rows.rows) applications.add(row.application_id);
      }
    } catch (error) {
      this.options.logger.error({ err: error }, `reading review packets failed: ${(error as Error).message}`);
      everyone = true;
    }
    const affected = [...this.options.connections()].filter(
      (connection) =>
        everyone || users.has(connection.principal.userId) || applications.has(connection.plan.applicationId),
    );
    await this.recheck(affected, { closeOnFailure: true });
  }
}
