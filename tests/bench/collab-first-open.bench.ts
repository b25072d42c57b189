/**
 * `npm run bench:collab:first-open` (issue 14): where the first open of a plan whose updates were never compacted
 * spends its time, timed in this process against a real server's database: reading the stored updates (in chunks, as
 * `PlanStore.load` does now, and as it did before: one row object per update, each copied), applying them to a new
 * document (in one Yjs transaction, and in transactions of a thousand), and the whole `PlanDocuments.acquire`. The end-to-end
 * figure (a client's connect to synced) is `BENCH_ONLY=load npm run bench:collab`. Prints medians of
 * `BENCH_ROUNDS` (5) rounds, wall and CPU time, and the load average: the machine may be shared.
 * BENCH_SCALE=0.1 shrinks the histories.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import * as Y from "yjs";
import { PlanDocuments } from "../../server/collab/plan-documents";
import { createLineLogger } from "../../server/collab/logger";
import { PlanStore, readUpdatesAfter } from "../../server/collab/plan-store";
import { readSecrets, startServer } from "../support/server-process";
import { contentLength, editingHistory, seedPlans, storeOurUpdates, templateUpdate } from "./collab/fixtures";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZES = [Math.max(1000, Math.round(10_000 * SCALE)), Math.max(2000, Math.round(100_000 * SCALE))];

/** How PlanStore.load read the updates before issue 14's change: a row object per update, each copied. */
async function readRowByRow(db: pg.Client, planId: string): Promise<Uint8Array[]> {
  const result = await db.query<{ id: string; update: Buffer }>(
    `select id, "update" from private.plan_updates where plan_id = $1 and id > $2 order by id`,
    [planId, "0"],
  );
  return result.rows.map((row) => new Uint8Array(row.update));
}

function applyAll(updates: Uint8Array[], perTransaction: number): Y.Doc {
  const doc = new Y.Doc({ gc: true });
  for (let start = 0; start < updates.length; start += perTransaction) {
    doc.transact(() => {
      for (const update of updates.slice(start, start + perTransaction)) Y.applyUpdate(doc, update, "server");
    }, "server");
  }
  return doc;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; sample: Sample }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, sample: { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 } };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-bench-first-open-"));
const server = await startServer({ dataDir, env: { LOG_LEVEL: "error" } });
try {
  const secrets = readSecrets(dataDir);
  const databaseUrl = `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${server.pgPort}/postgres`;
  const db = new pg.Client({ connectionString: databaseUrl, application_name: "bench-first-open" });
  await db.connect();
  const template = templateUpdate();
  const histories = SIZES.map((size) => editingHistory(size, template));
  const plans = await seedPlans(db, SIZES.length);
  for (const [index, history] of histories.entries()) await storeOurUpdates(db, plans[index]!, history.updates);
  await db.query("analyze private.plan_updates");

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: "bench-first-open" });
  const logger = createLineLogger(() => undefined);
  const store = new PlanStore(pool, logger);
  const samples = new Map<string, Sample[]>();
  const record = (key: string, sample: Sample) => samples.set(key, [...(samples.get(key) ?? []), sample]);
  const loads: number[] = [];

  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, size] of SIZES.entries()) {
      const planId = plans[index]!;
      const expected = histories[index]!.length;
      const check = (doc: Y.Doc, what: string) => {
        if (contentLength(doc) !== expected) throw new Error(`${what}: wrong content for ${size} updates`);
        doc.destroy();
      };
      loads.push(os.loadavg()[0]!);
      const before = await timed(() => readRowByRow(db, planId));
      record(`${size} read, row by row (before)`, before.sample);
      const after = await timed(() => readUpdatesAfter(db, planId, "0"));
      if (after.value.updates.length !== size) throw new Error(`read ${after.value.updates.length} of ${size}`);
      record(`${size} read, in chunks (now)`, after.sample);
      record(`${size} PlanStore.load (now, all it reads)`, (await timed(() => store.load(planId))).sample);
      for (const [label, updates] of [
        ["row-by-row copies", before.value],
        ["views of chunks", after.value.updates],
      ] as const) {
        for (const perTransaction of [Number.MAX_SAFE_INTEGER, 1000]) {
          const applied = await timed(() => applyAll(updates, perTransaction));
          check(applied.value, label);
          const transactions = perTransaction === 1000 ? "transactions of 1,000" : "one transaction";
          record(`${size} apply ${label}, ${transactions}`, applied.sample);
        }
      }
      const documents = new PlanDocuments({
        store,
        logger,
        idleUnloadMs: 600_000,
        compactAfterUpdates: Number.MAX_SAFE_INTEGER, // keep the history uncompacted for the next round
        contentDebounceMs: 600_000,
        onApplied: () => undefined,
      });
      const holder = {};
      const acquired = await timed(() => documents.acquire(planId, holder));
      check(acquired.value.doc, "acquire");
      acquired.value.awareness.destroy();
      record(`${size} PlanDocuments.acquire (now)`, acquired.sample);
    }
  }
  await pool.end();
  await db.end();

  console.log(
    `\nFirst open of an uncompacted history, timed in this process: median of ${ROUNDS} rounds, ms ` +
      `(${os.cpus().length} CPUs, load average ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)})`,
  );
  const width = Math.max(...[...samples.keys()].map((key) => key.length));
  console.log(`${"".padEnd(width)}  ${"wall".padStart(7)}  ${"cpu".padStart(7)}`);
  for (const [key, list] of samples) {
    const wall = median(list.map((sample) => sample.wallMs)).toFixed(0);
    const cpu = median(list.map((sample) => sample.cpuMs)).toFixed(0);
    console.log(`${key.padEnd(width)}  ${wall.padStart(7)}  ${cpu.padStart(7)}`);
  }
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
