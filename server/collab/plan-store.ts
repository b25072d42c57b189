import type pg from "pg";
import type { PlanNode } from "../../app/lib/plan-schema.js";
import type { CollabLogger } from "./logger.js";
import type { TemplateCapability } from "./plan-template.js";

export interface StoredPlan {
  applicationId: string;
  centreName: string;
  capabilities: TemplateCapability[];
  /** The JSON copy in action_plans.content: a plan written before it was ever co-edited starts from it. */
  content: PlanNode;
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
  /** The last stored update id, or the snapshot's, so compaction knows what it folds. */
  throughUpdateId: bigint;
}

interface PendingAppend {
  update: Uint8Array;
  enqueuedAt: number;
  resolve: (id: bigint) => void;
}

/** One plan's appends: what waits, and the batches being written. */
interface AppendLane {
  queue: PendingAppend[];
  inFlight: Set<PendingAppend[]>;
}

/** The most updates one INSERT carries. */
const maxBatch = 2000;
/**
 * How many writes of one plan may be in flight at once: an update that arrives while one commits is written at once
 * (Postgres flushes concurrent commits together) instead of waiting a whole commit for the next group.
 */
const writesPerPlan = 4;

/**
 * One statement appends a batch of one plan's updates and reads the rights-change epoch its transaction saw. Named,
 * so each connection parses and plans it once (a prepared statement) instead of for every batch.
 */
const appendStatement = {
  name: "collab-append-updates",
  text: `with stored as (
           insert into private.plan_updates (plan_id, "update")
           select $1::uuid, update_bytes from unnest($2::bytea[]) with ordinality as u (update_bytes, position)
           order by position returning id
         )
         select stored.id, epoch.epoch as access_epoch from stored cross join private.plan_access_epoch epoch`,
};

export class PlanNotFoundError extends Error {
  override name = "PlanNotFoundError";
}

/**
 * Durable storage of Yjs documents in Postgres. Appends are group-committed per plan: every update of a plan that
 * arrives while its writes are in flight goes into one next INSERT, so the cost per update falls as load rises; up
 * to `writesPerPlan` writes of a plan, and those of different plans, are in flight at once. Appends use their own
 * connections (`appendPool`), so they never queue behind loads, compactions or authorisations. A failed write is
 * retried with backoff and its updates stay queued (never dropped, never reported stored).
 */
export class PlanStore {
  private readonly lanes = new Map<string, AppendLane>();
  private retryDelayMs = 0;
  private closed = false;
  /**
   * The rights-change epoch (private.plan_access_epoch) committed when the latest batch was stored. An update stored
   * under an epoch the server has not handled yet must not be broadcast before the rights re-check (issue 10).
   */
  accessEpoch = 0n;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: CollabLogger,
    /** The connections appends use; the general pool by default. */
    private readonly appendPool: pg.Pool = pool,
  ) {}

  async load(planId: string): Promise<StoredPlan> {
    const client = await this.pool.connect();
    try {
      // One snapshot-consistent read, so compaction running concurrently can never hide updates from the load.
      await client.query("begin isolation level repeatable read read only");
      const plan = await client.query<{
        application_id: string;
        centre_name: string;
        capabilities: string[];
        content: PlanNode;
      }>(
        `select a.id as application_id, a.centre_name, a.capabilities, p.content
         from public.action_plans p join public.centre_applications a on a.id = p.application_id where p.id = $1`,
        [planId],
      );
      const facts = plan.rows[0];
      if (!facts) throw new PlanNotFoundError(`no plan ${planId}`);
      const labels = await client.query<{ code: string; label: string }>(
        `select code, coalesce(label ->> 'en', code) as label from public.strategic_capabilities
         where code = any($1::text[]) order by position`,
        [facts.capabilities],
      );
      const snapshot = await client.query<{ state: Buffer; through_update_id: string }>(
        "select state, through_update_id from private.plan_snapshots where plan_id = $1",
        [planId],
      );
      const since = snapshot.rows[0]?.through_update_id ?? "0";
      const updates = await client.query<{ id: string; update: Buffer }>(
        `select id, "update" from private.plan_updates where plan_id = $1 and id > $2 order by id`,
        [planId, since],
      );
      await client.query("commit");
      return {
        applicationId: facts.application_id,
        centreName: facts.centre_name,
        content: facts.content,
        capabilities: labels.rows,
        snapshot: snapshot.rows[0] ? new Uint8Array(snapshot.rows[0].state) : null,
        updates: updates.rows.map((row) => new Uint8Array(row.update)),
        throughUpdateId: BigInt(updates.rows.at(-1)?.id ?? since),
      };
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Resolves with the update's id once it is committed. Ids of one plan are not in the order of its appends (up to
   * `writesPerPlan` writes commit concurrently), but an update's id is above every id resolved before it was appended.
   */
  append(planId: string, update: Uint8Array): Promise<bigint> {
    return new Promise((resolve) => {
      let lane = this.lanes.get(planId);
      if (!lane) this.lanes.set(planId, (lane = { queue: [], inFlight: new Set() }));
      lane.queue.push({ update, enqueuedAt: performance.now(), resolve });
      if (lane.inFlight.size < writesPerPlan) void this.flush(planId, lane);
    });
  }

  get pendingCount(): number {
    let count = 0;
    for (const lane of this.lanes.values()) {
      count += lane.queue.length;
      for (const batch of lane.inFlight) count += batch.length;
    }
    return count;
  }

  /** Milliseconds the oldest update has waited to be stored (0 when nothing waits). */
  get lagMs(): number {
    let oldest = Infinity;
    for (const lane of this.lanes.values()) {
      oldest = Math.min(oldest, lane.queue[0]?.enqueuedAt ?? Infinity);
      for (const batch of lane.inFlight) oldest = Math.min(oldest, batch[0]?.enqueuedAt ?? Infinity);
    }
    return oldest === Infinity ? 0 : performance.now() - oldest;
  }

  /** Writes what waits in the lane, a batch at a time, until nothing waits. */
  private async flush(planId: string, lane: AppendLane): Promise<void> {
    while (lane.queue.length > 0) {
      const batch = lane.queue.splice(0, maxBatch);
      lane.inFlight.add(batch);
      try {
        await this.write(planId, batch);
      } catch (error) {
        lane.queue.unshift(...batch); // closed while failing: never dropped, never reported stored
        throw error;
      } finally {
        lane.inFlight.delete(batch);
        if (lane.queue.length === 0 && lane.inFlight.size === 0 && this.lanes.get(planId) === lane)
          this.lanes.delete(planId);
      }
    }
  }

  /** One INSERT for the batch, retried with backoff until it is stored (or the store is closed). */
  private async write(planId: string, batch: PendingAppend[]): Promise<void> {
    for (;;) {
      try {
        const result = await this.appendPool.query<{ id: string; access_epoch: string }>({
          ...appendStatement,
          values: [
            planId,
            batch.map((item) => Buffer.from(item.update.buffer, item.update.byteOffset, item.update.byteLength)),
          ],
        });
        this.retryDelayMs = 0;
        const epoch = BigInt(result.rows[0]?.access_epoch ?? 0);
        if (epoch > this.accessEpoch) this.accessEpoch = epoch;
        // Identity values follow insertion order, which follows `position`.
        const ids = result.rows.map((row) => BigInt(row.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        batch.forEach((item, index) => item.resolve(ids[index] ?? 0n));
        return;
      } catch (error) {
        if (this.closed) throw error;
        this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, 50), 2000);
        this.logger.warn(
          { err: error, updates: batch.length, retryInMs: this.retryDelayMs },
          `storing ${batch.length} updates failed (${(error as Error).message}); retrying in ${this.retryDelayMs} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
      }
    }
  }

  /** Waits until everything queued so far is stored. */
  async drain(): Promise<void> {
    while (this.pendingCount > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Folds every update up to `throughUpdateId` into one snapshot, in one transaction. */
  async compact(planId: string, state: Uint8Array, throughUpdateId: bigint): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      await client.query(
        `insert into private.plan_snapshots (plan_id, state, through_update_id) values ($1, $2, $3)
         on conflict (plan_id) do update set state = excluded.state, through_update_id = excluded.through_update_id,
           compacted_at = now()
         where private.plan_snapshots.through_update_id <= excluded.through_update_id`,
        [planId, Buffer.from(state), throughUpdateId.toString()],
      );
      await client.query("delete from private.plan_updates where plan_id = $1 and id <= $2", [
        planId,
        throughUpdateId.toString(),
      ]);
      await client.query("commit");
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Keeps action_plans.content (what versions, packets and exports read) in step with the Yjs document. */
  async writeContent(planId: string, content: PlanNode): Promise<void> {
    await this.pool.query(
      "update public.action_plans set content = $2 where id = $1 and content is distinct from $2::jsonb",
      [planId, JSON.stringify(content)],
    );
  }

  close(): void {
    this.closed = true;
  }
}
