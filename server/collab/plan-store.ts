import type pg from "pg";
import type { CapabilityLabels } from "../../app/lib/plan-kpis.js";
import type { PlanNode } from "../../app/lib/plan-schema.js";
import type { CollabLogger } from "./logger.js";
import type { TemplateCapability } from "./plan-template.js";

export interface StoredPlan {
  applicationId: string;
  centreName: string;
  /** The plan's language (centre_applications.plan_language): the template and capability labels use it. */
  language: string;
  capabilities: TemplateCapability[];
  /** The JSON copy in action_plans.content: a plan written before it was ever co-edited starts from it. */
  content: PlanNode;
  snapshot: Uint8Array | null;
  /** The updates stored after the snapshot; empty when `load` handed them to a `StoredHistoryReader` instead. */
  updates: Uint8Array[];
  /** How many updates were stored after the snapshot. */
  updateCount: number;
  /** The last stored update id, or the snapshot's, so compaction knows what it folds. */
  throughUpdateId: bigint;
  /** Whether the plan's KPI tables were converted into typed ones (issue 16: once per plan). */
  kpisConverted: boolean;
  /** Every capability with its labels in the six languages: KPI tables are found under their section's heading. */
  capabilityLabels: CapabilityLabels[];
}

/**
 * Takes a plan's stored history as `PlanStore.load` reads it: the snapshot first, then the later updates chunk by
 * chunk, applied while the next chunk is read.
 */
export interface StoredHistoryReader {
  snapshot(state: Uint8Array): void;
  updates(chunk: Uint8Array[]): void;
}

/** What recording a KPI conversion found (private.record_kpi_conversion). */
export type KpiConversionOutcome = { outcome: "converted"; updateId: bigint | null } | { outcome: "done" | "stale" };

/** What readSince found: a snapshot that folded rows the reader lacks, then later rows in id order. */
export interface StoredSince {
  snapshot?: { state: Uint8Array; throughUpdateId: bigint };
  updates: { id: bigint; update: Uint8Array }[];
}

/** Advisory lock key spaces (two-int form), keyed by hashtext(plan id); see 20261202000100_plan_update_relay.sql. */
const appendLockSpace = 1347174734;
const compactLockSpace = 1347174723;

interface PendingAppend {
  planId: string;
  update: Uint8Array;
  enqueuedAt: number;
  resolve: (id: bigint) => void;
}

/**
 * Appends a batch (private.append_plan_updates). Named, so each connection parses and plans it once (a prepared
 * statement) instead of once per batch.
 */
const appendStatement = {
  name: "collab-append-plan-updates",
  text: "select id, access_epoch from private.append_plan_updates($1::uuid[], $2::bytea[])",
};

/**
 * A plan's stored updates after an id, in id order, a chunk per query: each chunk comes back as one value (every
 * update prefixed with its length, then base64), because node-postgres spent most of a second turning 100,000 rows
 * into objects and hex-decoding each (issue 14: the first open of a plan whose 100,000 updates were never compacted).
 * Base64, as node-postgres took in Postgres' hex output several times slower. A chunk of more than $4 bytes comes
 * back without its data (`packed` null) and is read again in smaller chunks, so no value nears Postgres' 1 GB or
 * V8's string limits.
 */
const readUpdatesQuery = `
  select count(*)::int as count, max(l.id)::text as through_id,
         case when $4::bigint is null or sum(octet_length(l."update")) <= $4::bigint
           then encode(string_agg(int4send(octet_length(l."update")) || l."update", ''::bytea order by l.id), 'base64')
         end as packed
  from (select id, "update" from private.plan_updates where plan_id = $1 and id > $2 order by id limit $3) l`;
const readChunkRows = 20_000;
const readChunkBytes = 64 * 1024 * 1024;

/**
 * Reads a plan's stored updates after `afterId` chunk by chunk, handing each chunk to `onChunk` in id order. The next
 * chunk's query is sent before `onChunk` runs, so Postgres gathers it while this process applies the last one (the
 * first open of a plan with 100,000 uncompacted updates spent about as long reading as applying, one after the other).
 */
export async function readUpdateChunks(
  client: pg.ClientBase,
  planId: string,
  afterId: string,
  onChunk: (updates: Uint8Array[]) => void,
): Promise<{ count: number; throughId: string | undefined }> {
  type Chunk = { count: number; through_id: string | null; packed: string | null };
  const read = (after: string, rows: number) =>
    client.query<Chunk>(readUpdatesQuery, [planId, after, rows, rows === 1 ? null : readChunkBytes]);
  let after = afterId;
  let throughId: string | undefined;
  let count = 0;
  let rows = readChunkRows;
  let pending = read(after, rows);
  for (;;) {
    const chunk = (await pending).rows[0];
    if (!chunk || chunk.count === 0 || chunk.through_id === null) break;
    if (chunk.packed === null) {
      rows = Math.max(1, Math.floor(rows / 16)); // too large: the same rows again, fewer at a time
      pending = read(after, rows);
      continue;
    }
    const packed = Buffer.from(chunk.packed, "base64");
    const updates: Uint8Array[] = [];
    let offset = 0;
    while (offset + 4 <= packed.length) {
      const length = packed.readUInt32BE(offset);
      // A view, not a copy: a small Uint8Array of its own makes Yjs' decoder (lib0) allocate an ArrayBuffer for it.
      updates.push(new Uint8Array(packed.buffer, packed.byteOffset + offset + 4, length));
      offset += 4 + length;
    }
    if (updates.length !== chunk.count || offset !== packed.length) {
      throw new Error(`the stored updates of ${planId} after ${after} could not be read back`);
    }
    throughId = after = chunk.through_id;
    count += updates.length;
    const more = chunk.count >= rows;
    if (more) pending = read(after, (rows = readChunkRows));
    try {
      onChunk(updates);
    } catch (error) {
      if (more) await pending.catch(() => undefined); // settled before the caller rolls back on this connection
      throw error;
    }
    if (!more) break;
  }
  return { count, throughId };
}

/** A plan's stored updates after an id, in id order (see `readUpdateChunks`). */
export async function readUpdatesAfter(
  client: pg.ClientBase,
  planId: string,
  afterId: string,
): Promise<{ updates: Uint8Array[]; throughId: string | undefined }> {
  const updates: Uint8Array[] = [];
  const { throughId } = await readUpdateChunks(client, planId, afterId, (chunk) => {
    for (const update of chunk) updates.push(update);
  });
  return { updates, throughId };
}

export class PlanNotFoundError extends Error {
  override name = "PlanNotFoundError";
}

/**
 * Durable storage of Yjs documents in Postgres. Appends are group-committed: every update that arrives while a
 * write is in flight goes into the next single INSERT, so the cost per update falls as load rises. A failed write
 * is retried with backoff and its updates stay queued (never dropped, never reported stored). Appends use their own
 * connections (`appendPool`), so the edit hot path never queues behind loads, compactions or authorisations.
 */
export class PlanStore {
  private queue: PendingAppend[] = [];
  private flushing = false;
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

  /** Reads a plan; its history goes to `history` as it is read when given, else into `snapshot` and `updates`. */
  async load(planId: string, history?: StoredHistoryReader): Promise<StoredPlan> {
    const client = await this.pool.connect();
    try {
      // One snapshot-consistent read, so compaction running concurrently can never hide updates from the load.
      await client.query("begin isolation level repeatable read read only");
      const plan = await client.query<{
        application_id: string;
        centre_name: string;
        plan_language: string;
        capabilities: string[];
        content: PlanNode;
        kpis_converted: boolean;
      }>(
        // An amendment's document (issue 15) has no application of its own: it is the centre's application's.
        `select a.id as application_id, a.centre_name, a.plan_language, a.capabilities, p.content,
                exists (select 1 from private.plan_kpi_conversions c where c.plan_id = p.id) as kpis_converted
         from public.action_plans p
         left join public.plan_amendments m on m.plan_id = p.id
         join public.centre_applications a on a.id = coalesce(p.application_id, m.application_id)
         where p.id = $1`,
        [planId],
      );
      const facts = plan.rows[0];
      if (!facts) throw new PlanNotFoundError(`no plan ${planId}`);
      const labels = await client.query<{ code: string; label: string }>(
        `select code, coalesce(label ->> $2, label ->> 'en', code) as label from public.strategic_capabilities
         where code = any($1::text[]) order by position`,
        [facts.capabilities, facts.plan_language],
      );
      const everyLabel = await client.query<{ code: string; labels: string[] }>(
        `select code, array(select value from jsonb_each_text(label::jsonb)) as labels
         from public.strategic_capabilities order by position`,
      );
      const snapshot = await client.query<{ state: Buffer; through_update_id: string }>(
        "select state, through_update_id from private.plan_snapshots where plan_id = $1",
        [planId],
      );
      const since = snapshot.rows[0]?.through_update_id ?? "0";
      const state = snapshot.rows[0] ? new Uint8Array(snapshot.rows[0].state) : null;
      if (state && history) history.snapshot(state);
      const updates: Uint8Array[] = [];
      const read = await readUpdateChunks(
        client,
        planId,
        since,
        history
          ? (chunk) => history.updates(chunk)
          : (chunk) => {
              for (const update of chunk) updates.push(update);
            },
      );
      await client.query("commit");
      return {
        applicationId: facts.application_id,
        centreName: facts.centre_name,
        language: facts.plan_language,
        content: facts.content,
        capabilities: labels.rows,
        snapshot: state,
        updates,
        updateCount: read.count,
        throughUpdateId: BigInt(read.throughId ?? since),
        kpisConverted: facts.kpis_converted,
        capabilityLabels: everyLabel.rows,
      };
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Opens `appends` append connections and `general` others before the first edit, and prepares the append on each
   * (a call with no updates stores nothing). bench:collab found the first edits after a start waiting ~90 ms for the
   * append connection to be opened (SCRAM), its statement prepared and the function compiled: the 2-client p99.
   */
  async warm(appends: number, general: number): Promise<void> {
    const open = async (pool: pg.Pool, count: number, work: (client: pg.PoolClient) => Promise<unknown>) => {
      const clients = await Promise.all(Array.from({ length: count }, () => pool.connect()));
      try {
        await Promise.all(clients.map(work));
      } finally {
        for (const client of clients) client.release();
      }
    };
    await Promise.all([
      open(this.appendPool, appends, (client) => client.query({ ...appendStatement, values: [[], []] })),
      open(this.pool, general, (client) => client.query("select 1")),
    ]);
  }

  /** Resolves with the update's id once it is committed. */
  append(planId: string, update: Uint8Array): Promise<bigint> {
    return new Promise((resolve) => {
      this.queue.push({ planId, update, enqueuedAt: performance.now(), resolve });
      if (!this.flushing) void this.flush();
    });
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  /** Milliseconds the oldest update has waited to be stored (0 when nothing waits). */
  get lagMs(): number {
    const oldest = this.queue[0];
    return oldest ? performance.now() - oldest.enqueuedAt : 0;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, 2000);
        try {
          // private.append_plan_updates: a per-plan lock (ids of a plan commit in order) and the NOTIFY the other
          // servers relay from (cluster-relay.ts), in the INSERT's transaction.
          const result = await this.appendPool.query<{ id: string; access_epoch: string }>({
            ...appendStatement,
            values: [
              batch.map((item) => item.planId),
              batch.map((item) => Buffer.from(item.update.buffer, item.update.byteOffset, item.update.byteLength)),
            ],
          });
          this.queue.splice(0, batch.length);
          this.retryDelayMs = 0;
          const epoch = BigInt(result.rows[0]?.access_epoch ?? 0);
          if (epoch > this.accessEpoch) this.accessEpoch = epoch;
          // Identity values follow insertion order, which follows `position`.
          const ids = result.rows.map((row) => BigInt(row.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          batch.forEach((item, index) => item.resolve(ids[index] ?? 0n));
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
    } finally {
      this.flushing = false;
    }
  }

  /** Waits until everything queued so far is stored. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /**
   * Stores a plan's first update (its template) unless the plan already has one: with several servers, the first two
   * opens of a plan would otherwise both write a template (the text twice). Resolves with its id, or undefined when
   * another server wrote first (load again).
   */
  async appendFirst(planId: string, update: Uint8Array): Promise<bigint | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      await client.query(`select pg_advisory_xact_lock(${appendLockSpace}, hashtext($1::text))`, [planId]);
      const existing = await client.query(
        `select 1 from private.plan_updates where plan_id = $1
         union all select 1 from private.plan_snapshots where plan_id = $1 limit 1`,
        [planId],
      );
      let id: bigint | undefined;
      if (existing.rows.length === 0) {
        const stored = await client.query<{ id: string }>(
          "select id from private.append_plan_updates(array[$1]::uuid[], array[$2]::bytea[])",
          [planId, Buffer.from(update)],
        );
        id = BigInt(stored.rows[0]?.id ?? 0);
      }
      await client.query("commit");
      return id;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * What other servers stored for a plan after `afterId`, in one consistent read: the snapshot when a compaction
   * (here or elsewhere) folded rows past `afterId` away, then the rows after it and after `afterId`.
   */
  async readSince(planId: string, afterId: bigint): Promise<StoredSince> {
    const result = await this.pool.query<{ id: string; bytes: Buffer; is_snapshot: boolean; access_epoch: string }>(
      `select s.through_update_id as id, s.state as bytes, true as is_snapshot, e.epoch as access_epoch
         from private.plan_snapshots s cross join private.plan_access_epoch e
         where s.plan_id = $1 and s.through_update_id > $2
       union all
       select u.id, u."update", false, e.epoch from private.plan_updates u cross join private.plan_access_epoch e
         where u.plan_id = $1 and u.id > $2
       union all
       select null, null, false, e.epoch from private.plan_access_epoch e
       order by 3 desc, 1`,
      [planId, afterId.toString()],
    );
    const epoch = BigInt(result.rows[0]?.access_epoch ?? 0);
    if (epoch > this.accessEpoch) this.accessEpoch = epoch;
    const snapshotRow = result.rows.find((row) => row.is_snapshot);
    const since = snapshotRow ? BigInt(snapshotRow.id) : afterId;
    return {
      snapshot: snapshotRow ? { state: new Uint8Array(snapshotRow.bytes), throughUpdateId: since } : undefined,
      updates: result.rows
        .filter((row) => !row.is_snapshot && row.id !== null && BigInt(row.id) > since)
        .map((row) => ({ id: BigInt(row.id), update: new Uint8Array(row.bytes) })),
    };
  }

  /**
   * Folds the plan's updates up to `throughUpdateId` into one snapshot, in one transaction: `state` must contain every
   * update of the plan with an id up to it (later ones may be in it too: Yjs applies an update twice as once), and only
   * those rows are deleted, so whatever another server stored meanwhile survives. One compactor per plan at a time,
   * decided in the database; false when another one holds the plan (its snapshot is as good).
   */
  async compact(planId: string, state: Uint8Array, throughUpdateId: bigint): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      const lock = await client.query<{ locked: boolean }>(
        `select pg_try_advisory_xact_lock(${compactLockSpace}, hashtext($1::text)) as locked`,
        [planId],
      );
      if (!lock.rows[0]?.locked) {
        await client.query("rollback");
        return false;
      }
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
      return true;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Records that the plan's KPI tables were converted (issue 16), storing the converting update (null: nothing to
   * change) in the same transaction, unless the conversion already ran or updates were stored after `afterId`.
   */
  async recordKpiConversion(
    planId: string,
    update: Uint8Array | null,
    afterId: bigint,
    summary: { tables: number; flagged: unknown[] },
  ): Promise<KpiConversionOutcome> {
    const result = await this.pool.query<{ outcome: "converted" | "done" | "stale"; update_id: string | null }>(
      "select outcome, update_id from private.record_kpi_conversion($1, $2, $3, $4, $5)",
      [
        planId,
        update ? Buffer.from(update) : null,
        afterId.toString(),
        summary.tables,
        JSON.stringify(summary.flagged),
      ],
    );
    const row = result.rows[0];
    if (row?.outcome === "converted")
      return { outcome: "converted", updateId: row.update_id === null ? null : BigInt(row.update_id) };
    return { outcome: row?.outcome === "done" ? "done" : "stale" };
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
