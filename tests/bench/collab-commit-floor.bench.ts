/**
 * `npm run bench:collab:commit-floor` (issue 14): what an edit waits for before our server may broadcast it, timed in
 * this process against a real server's database, one edit at a time (paced, as people type): `PlanStore.append`, the
 * server's own durable step (group commit, the per-plan lock, the relay's NOTIFY, a flushed commit), beside a bare
 * round trip (`select 1`) and a one-row INSERT, and the same INSERT and append with `synchronous_commit` off, which is
 * not durable and is shown only to say how much of the tail is the flush. The goal "edit-to-remote p99 within 2 ms of
 * the bare y-websocket server" needs this step's p99 under about 2 ms: bare broadcasts without waiting for anything.
 * Prints p50 / p90 / p99 / max of `BENCH_SAMPLES` (600) per row, twice, and the load average.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import * as Y from "yjs";
import { createLineLogger } from "../../server/collab/logger";
import { PlanStore } from "../../server/collab/plan-store";
import { readSecrets, startServer } from "../support/server-process";
import { seedPlans } from "./collab/fixtures";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 600);
/** Between two edits: a person types a few characters a second; the pause also lets the previous commit settle. */
const PAUSE_MS = 5;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(name: string, run: () => Promise<unknown>): Promise<void> {
  const samples: number[] = [];
  for (let index = 0; index < SAMPLES; index += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  samples.sort((a, b) => a - b);
  const ms = (value: number) => value.toFixed(2).padStart(7);
  console.log(
    `${name.padEnd(46)} p50 ${ms(percentile(samples, 50))}  p90 ${ms(percentile(samples, 90))}  p99 ${ms(percentile(samples, 99))}  max ${ms(samples.at(-1)!)}`,
  );
}

/** A one-character edit, as a client sends it. */
function oneCharacterEdit(): Uint8Array {
  const doc = new Y.Doc();
  doc.getText("bench").insert(0, "x");
  return Y.encodeStateAsUpdate(doc);
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-bench-commit-"));
const server = await startServer({ dataDir, env: { LOG_LEVEL: "error" } });
const connectionString = `postgres://postgres:${encodeURIComponent(readSecrets(dataDir).postgresPassword)}@127.0.0.1:${server.pgPort}/postgres`;
const db = new pg.Client({ connectionString });
const pool = new pg.Pool({ connectionString, max: 2 });
const appendPool = new pg.Pool({ connectionString, max: 2 });
const asyncCommit = new pg.Client({ connectionString, options: "-c synchronous_commit=off" });
try {
  await Promise.all([db.connect(), asyncCommit.connect()]);
  const [plan] = await seedPlans(db, 1);
  const store = new PlanStore(
    pool,
    createLineLogger(() => undefined),
    appendPool,
  );
  await store.warm(2, 0);
  // A logged table (a temporary one writes no WAL, so its commit would flush nothing); the database is this run's.
  await db.query("create table public.commit_probe (id bigserial primary key, body bytea)");
  const update = oneCharacterEdit();
  const body = Buffer.from(update);

  console.log(
    `\nWhat an edit waits for before it may be broadcast (${os.cpus().length} cores, load average ` +
      `${os.loadavg()[0]!.toFixed(1)}; ${SAMPLES} one at a time, ${PAUSE_MS} ms apart; ms)`,
  );
  for (let round = 1; round <= 2; round += 1) {
    console.log(`round ${round}`);
    await timed("round trip (select 1)", () => db.query("select 1"));
    await timed("one-row INSERT, committed", () =>
      db.query("insert into public.commit_probe (body) values ($1)", [body]),
    );
    await timed("PlanStore.append (the server's durable step)", () => store.append(plan!, update));
    await timed("one-row INSERT, synchronous_commit off *", () =>
      asyncCommit.query("insert into public.commit_probe (body) values ($1)", [body]),
    );
    await timed("append, synchronous_commit off *", () =>
      asyncCommit.query("select id from private.append_plan_updates($1::uuid[], $2::bytea[])", [[plan], [body]]),
    );
  }
  console.log("* not durable: for comparison only (the server never broadcasts before a flushed commit)");
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await Promise.allSettled([db.end(), asyncCommit.end(), pool.end(), appendPool.end()]);
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
