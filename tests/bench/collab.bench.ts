/**
 * `npm run bench:collab`: our collaboration server (server/collab, on the real app server started by startServer)
 * against two peers measured in the same run on the same machine: the bare y-websocket reference server
 * (@y/websocket-server: no authorisation, no persistence) and Hocuspocus with its Database extension storing into the
 * same Postgres (default 2 s debounce). Every server runs in its own process; all clients (real y-websocket and
 * Hocuspocus providers) run in this one. Measures:
 *   1. edit-to-remote-client latency (2, 20, 100 clients on one document; 100 documents x 5 clients);
 *   2. the highest sustained update rate into one document with p99 latency < 50 ms;
 *   3. updates a remote client had received but that are missing after SIGKILL and restart;
 *   4. time for a fresh client to load a plan with 10,000 and 100,000 stored updates;
 *   5. server memory per open document, and after opening and closing 10,000 documents;
 *   6. ours only, two app servers on one database (issue 19): latency to a person on the other server beside one on
 *      the same server (same edits), and the sustained rate with writers and observers on both servers.
 * Prints tables with ours/peer ratios, then all results as JSON. Everything on loopback; bounded; cleans up.
 * BENCH_SCALE=0.1 shrinks the counts for a quick try.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import pg from "pg";
import WebSocket from "ws";
import * as Y from "yjs";
import { planDocumentName } from "../../app/lib/collab-protocol";
import { projectRoot, readSecrets, startServer, type RunningServer } from "../support/server-process";
import { measureAcrossServers, type ClusterBenchResult } from "./collab/cluster";
import { openClient, type BenchClient, type ServerKind, type Target } from "./collab/clients";
import {
  benchApplicantEmail,
  contentLength,
  createHocuspocusTable,
  editingHistory,
  seedPlans,
  storeHocuspocusStates,
  storeOurTemplates,
  storeOurUpdates,
  templateUpdate,
  typeOne,
} from "./collab/fixtures";
import { findFreePort } from "../../server/embedded/free-port";
import { Inspector, removeOnExit, rssMiB, startPeer, track, type PeerProcess } from "./collab/processes";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const scaled = (value: number, minimum = 1) => Math.max(minimum, Math.round(value * SCALE));

const EDITS = scaled(200, 20);
const EDIT_RATE = 50;
const LATENCY_SCENARIOS = [
  { name: "2 clients, 1 doc", documents: 1, clients: 2 },
  { name: "20 clients, 1 doc", documents: 1, clients: 20 },
  { name: "100 clients, 1 doc", documents: 1, clients: 100 },
  { name: "100 docs x 5 clients", documents: 100, clients: 5 },
];
/** Up to rates no server sustains on a 2-core machine, so that every server's ceiling is found. */
const RAMP_RATES = [50, 100, 200, 400, 800, 1600, 2000, 2400, 3200, 4800, 6400, 9600, 12800];
const RAMP_STEP_SECONDS = 2;
const RAMP_MIN_SAMPLES = 200; // a step lasts at least this many updates (4 s at 50/s)
const RAMP_WRITERS = 8;
/**
 * Our per-connection limit (200 messages/s, COLLAB_MESSAGES_PER_SECOND) would close a ramp writer long before the
 * document's ceiling; the benchmark raises it so the ramp measures the server, as the peers have no such limit.
 */
const OUR_MESSAGES_PER_SECOND = 5000;
const RAMP_P99_LIMIT_MS = 50;
const KILL_TRIALS = scaled(5, 2);
const KILL_TYPING_RATE = 50;
const KILL_BURST_MS = 1000; // typing bursts (+ up to 500 ms), 2.5 s pauses between them, killed during the last one
const KILL_PAUSE_MS = 2500;
const HISTORY_SIZES = [scaled(10_000, 1000), scaled(100_000, 2000)];
const COLD_SAMPLES = 3;
const WARM_SAMPLES = 5;
const MEMORY_OPEN = scaled(1000, 50);
const MEMORY_CYCLE = scaled(10_000, 200);
const KINDS: ServerKind[] = ["ours", "bare", "hocuspocus"];
/** BENCH_ONLY=latency,ramp runs only those sections (memory, latency, ramp, load, kill, cluster); all by default. */
const ONLY = new Set((process.env.BENCH_ONLY ?? "").split(",").filter(Boolean));
const runs = (section: "memory" | "latency" | "ramp" | "load" | "kill" | "cluster") =>
  ONLY.size === 0 || ONLY.has(section);
/**
 * BENCH_CPU_PROFILE=<dir>: CPU profiles of our server's process during each latency scenario, the ramp and each first
 * open of an uncompacted history (DevTools).
 */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
// Made at once: a missing folder used to fail the first profile's write and leave the bench waiting for ever.
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
const LABEL: Record<ServerKind, string> = { ours: "ours", bare: "bare y-websocket", hocuspocus: "Hocuspocus+DB" };

// helpers --------------------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(samples: number[]): number {
  return percentile(samples, 50);
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}

/** Calls `act(i)` `count` times at `ratePerSecond`, on schedule (late calls catch up in bursts). */
async function paced(count: number, ratePerSecond: number, act: (index: number) => void): Promise<void> {
  const start = performance.now();
  for (let index = 0; index < count;) {
    const due = start + (index * 1000) / ratePerSecond;
    const now = performance.now();
    if (now < due) {
      await sleep(Math.max(1, Math.min(20, due - now)));
      continue;
    }
    act(index++);
  }
}

const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** Edit-to-remote latency: which receiver still waits for which sender clock, since when. */
class LatencyTracker {
  private readonly waiting = new Map<Y.Doc, { sender: number; clock: number; sentAt: number }[]>();
  readonly samples: number[] = [];

  watch(doc: Y.Doc): void {
    this.waiting.set(doc, []);
    doc.on("update", () => this.check(doc));
  }

  /** Makes one keystroke in `sender` and expects every doc in `receivers` to see it. */
  edit(sender: Y.Doc, receivers: Y.Doc[]): void {
    const sentAt = performance.now();
    typeOne(sender);
    const clock = Y.getState(sender.store, sender.clientID);
    for (const receiver of receivers)
      if (receiver !== sender) this.waiting.get(receiver)!.push({ sender: sender.clientID, clock, sentAt });
  }

  private check(doc: Y.Doc): void {
    const entries = this.waiting.get(doc);
    if (!entries || entries.length === 0) return;
    const now = performance.now();
    const remaining = entries.filter((entry) => {
      if (Y.getState(doc.store, entry.sender) < entry.clock) return true;
      this.samples.push(now - entry.sentAt);
      return false;
    });
    this.waiting.set(doc, remaining);
  }

  get pending(): number {
    let count = 0;
    for (const entries of this.waiting.values()) count += entries.length;
    return count;
  }

  reset(): void {
    this.samples.length = 0;
    for (const doc of this.waiting.keys()) this.waiting.set(doc, []);
  }
}

/**
 * The same-run baseline for a store-before-broadcast server: one-row INSERT + COMMIT round trips on the same
 * Postgres, every 20 ms on a connection of its own, while a measurement runs.
 */
class CommitProbe {
  private running = false;
  private loop?: Promise<void>;
  private samples: number[] = [];

  constructor(private readonly databaseUrl: string) {}

  start(): void {
    this.samples = [];
    this.running = true;
    this.loop = (async () => {
      const db = new pg.Client({ connectionString: this.databaseUrl, application_name: "bench-commit-probe" });
      db.on("error", () => undefined);
      await db.connect();
      try {
        while (this.running) {
          const started = performance.now();
          await db.query("insert into bench_probe.commits default values");
          this.samples.push(performance.now() - started);
          await sleep(20);
        }
      } finally {
        await db.end().catch(() => undefined);
      }
    })();
  }

  async stop(): Promise<{ p50: number | null; p99: number | null; max: number | null; count: number }> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    return {
      p50: round(percentile(this.samples, 50), 2),
      p99: round(percentile(this.samples, 99), 2),
      max: round(Math.max(...this.samples), 2),
      count: this.samples.length,
    };
  }
}

// table printing -------------------------------------------------------------------------------------------------------

function printTable(title: string, header: string[], rows: (string | number | null)[][]): void {
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === null ? "-" : String(cell))))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  console.log(`\n${title}`);
  cells.forEach((row, index) => {
    console.log(
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join("  "),
    );
    if (index === 0) console.log(widths.map((width) => "-".repeat(width)).join("  "));
  });
}

const ratio = (ours: number | null | undefined, peer: number | null | undefined) =>
  ours === null ||
  ours === undefined ||
  peer === null ||
  peer === undefined ||
  !Number.isFinite(ours) ||
  !Number.isFinite(peer) ||
  peer === 0
    ? null
    : `x${(ours / peer).toFixed(2)}`;

// the run --------------------------------------------------------------------------------------------------------------

const benchStarted = performance.now();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-bench-collab-"));
removeOnExit(dataDir);
process.setMaxListeners(0); // y-websocket adds a process "exit" listener per provider
const inspectPorts = { ours: await findFreePort(), bare: await findFreePort(), hocuspocus: await findFreePort() };
const ourEnv = {
  LOG_LEVEL: "error",
  NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPorts.ours}`,
  COLLAB_MESSAGES_PER_SECOND: String(OUR_MESSAGES_PER_SECOND),
};
const ourOutputs: string[] = [];
let ours: RunningServer | undefined;
const peers: Partial<Record<"bare" | "hocuspocus", PeerProcess>> = {};
const results: Record<string, unknown> = {};

async function startOurs(ports?: { port: number; pgPort: number }): Promise<RunningServer> {
  if (ours) ourOutputs.push(ours.output());
  const started = await startServer({ dataDir, env: ourEnv, ...ports });
  track(started.child);
  ours = started;
  return started;
}

try {
  console.log(`Collaboration benchmark: ${os.cpus().length} CPU(s), Node ${process.version}, scale ${SCALE}`);
  const server = await startOurs();
  const secrets = readSecrets(dataDir);
  const databaseUrl = `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${server.pgPort}/postgres`;
  async function withDb<T>(work: (db: pg.Client) => Promise<T>): Promise<T> {
    const db = new pg.Client({ connectionString: databaseUrl, application_name: "bench-collab" });
    db.on("error", () => undefined);
    await db.connect();
    try {
      return await work(db);
    } finally {
      await db.end().catch(() => undefined);
    }
  }

  // data: plans for every scenario, the template stored for ours and Hocuspocus, two long editing histories ------------
  const latencyDocs = LATENCY_SCENARIOS.reduce((sum, scenario) => sum + scenario.documents, 0);
  const needed = {
    // Only what the sections run need (BENCH_ONLY=latency seeds a hundred plans, not eleven thousand).
    memoryOpen: runs("memory") ? MEMORY_OPEN : 0,
    memoryCycle: runs("memory") ? MEMORY_CYCLE : 0,
    latency: latencyDocs,
    ramp: 1,
    kill: KILL_TRIALS,
    history: HISTORY_SIZES.length,
    cluster: 2,
  };
  const setupStarted = performance.now();
  const template = templateUpdate();
  const histories = runs("load") ? HISTORY_SIZES.map((size) => editingHistory(size, template)) : [];
  const allPlans = await withDb((db) =>
    seedPlans(
      db,
      Object.values(needed).reduce((sum, count) => sum + count, 0),
    ),
  );
  const take = (() => {
    let offset = 0;
    return (count: number) => allPlans.slice(offset, (offset += count));
  })();
  const plans = {
    memoryOpen: take(needed.memoryOpen),
    memoryCycle: take(needed.memoryCycle),
    latency: take(needed.latency),
    ramp: take(1)[0]!,
    kill: take(needed.kill),
    history: take(needed.history),
    cluster: take(needed.cluster),
  };
  const templated = allPlans.filter((plan) => !plans.history.includes(plan));
  await withDb(async (db) => {
    await storeOurTemplates(db, templated, template);
    await createHocuspocusTable(db);
    await storeHocuspocusStates(db, templated.map(planDocumentName), template);
    for (const [index, history] of histories.entries()) {
      await storeOurUpdates(db, plans.history[index]!, history.updates);
      await storeHocuspocusStates(db, [planDocumentName(plans.history[index]!)], history.state);
    }
    await db.query(
      "create schema bench_probe; create table bench_probe.commits (id bigserial primary key, at timestamptz not null default now())",
    );
    // Instrumentation in the benchmark's throw-away database: a log of our server's snapshot writes (compactions).
    await db.query(`create table bench_probe.snapshot_writes (plan_id uuid not null, at timestamptz not null default now());
      create function bench_probe.log_snapshot_write() returns trigger language plpgsql as $$
      begin insert into bench_probe.snapshot_writes (plan_id) values (new.plan_id); return null; end $$;
      create trigger bench_log_snapshot_write after insert or update on private.plan_snapshots
        for each row execute function bench_probe.log_snapshot_write()`);
    await db.query("analyze private.plan_updates; analyze bench_hocuspocus.documents");
  });
  const supabase = createClient(server.url, secrets.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
  const { data: session, error } = await supabase.auth.signInWithPassword({
    email: benchApplicantEmail,
    password: "demo-password",
  });
  if (error) throw error;
  const token = session.session.access_token;
  peers.bare = await startPeer("bare", { inspectPort: inspectPorts.bare });
  peers.hocuspocus = await startPeer("hocuspocus", {
    inspectPort: inspectPorts.hocuspocus,
    env: { DATABASE_URL: databaseUrl },
  });
  const probe = new CommitProbe(databaseUrl);
  console.log(
    `Set up in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s: ${allPlans.length} plans, histories of ` +
      `${HISTORY_SIZES.join(" and ")} updates (snapshot ${histories.map((history) => `${(history.state.length / 1024).toFixed(0)} KiB`).join(", ")})`,
  );

  const target = (kind: ServerKind): Target =>
    kind === "ours" ? { kind, port: ours!.port, token } : { kind, port: peers[kind]!.port };
  const pidOf = (kind: ServerKind) => (kind === "ours" ? ours!.child.pid! : peers[kind]!.pid);
  async function documentsOf(kind: ServerKind): Promise<number> {
    if (kind !== "ours") return peers[kind]!.documents();
    const health = (await (await fetch(`http://127.0.0.1:${ours!.port}/healthz`)).json()) as {
      collab: { documents: number };
    };
    return health.collab.documents;
  }
  /** Opens clients, `perDoc` for each plan, `limit` at a time, and waits until each is synced. */
  async function openAll(
    kind: ServerKind,
    planIds: string[],
    perDoc: number,
    seed?: Uint8Array,
  ): Promise<BenchClient[][]> {
    const groups = planIds.map(() => [] as BenchClient[]);
    const jobs = planIds.flatMap((plan, group) => Array.from({ length: perDoc }, () => ({ plan, group })));
    await mapLimit(jobs, 50, async ({ plan, group }) => {
      const client = openClient(target(kind), plan, { seed });
      groups[group]!.push(client);
      await within(client.synced, 30_000, `${kind}: sync of ${plan}`);
    });
    return groups;
  }
  const destroyAll = (groups: BenchClient[][]) => groups.flat().forEach((client) => client.destroy());

  // 5. memory (first, on fresh processes) --------------------------------------------------------------------------
  const memory: Record<string, unknown> = {};
  for (const kind of runs("memory") ? KINDS : []) {
    const inspector = await Inspector.connect(inspectPorts[kind]);
    await sleep(1000);
    const baselineHeap = await inspector.heapAfterGcMiB();
    const baseline = rssMiB(pidOf(kind));
    let started = performance.now();
    const open = await openAll(kind, plans.memoryOpen, 1, template);
    const openSeconds = (performance.now() - started) / 1000;
    await sleep(2000);
    const withOpenNoGc = rssMiB(pidOf(kind));
    const withOpenHeap = await inspector.heapAfterGcMiB();
    const withOpen = rssMiB(pidOf(kind));
    const documentsOpen = await documentsOf(kind);
    destroyAll(open);
    started = performance.now();
    await mapLimit(plans.memoryCycle, 100, async (plan) => {
      const client = openClient(target(kind), plan, { seed: template });
      try {
        await within(client.synced, 30_000, `${kind}: sync of ${plan}`);
      } finally {
        client.destroy();
      }
    });
    const cycleSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    // Ours unloads idle documents after 10 s, Hocuspocus at once, the bare server never. Our document count drops
    // when an unload starts; the document is released after its compaction, so wait for every snapshot as well.
    const unloaded =
      kind === "bare"
        ? (await sleep(3000), false)
        : await waitUntil(async () => (await documentsOf(kind)) === 0, 90_000);
    const compacted =
      kind === "ours"
        ? await waitUntil(
            () =>
              withDb(
                async (db) =>
                  Number(
                    (await db.query<{ count: string }>("select count(*) from private.plan_snapshots")).rows[0]!.count,
                  ) >=
                  MEMORY_OPEN + MEMORY_CYCLE,
              ),
            120_000,
          )
        : undefined;
    const unloadSeconds = (performance.now() - started) / 1000;
    await sleep(1000);
    const afterCycleNoGc = rssMiB(pidOf(kind));
    const afterCycleHeap = await inspector.heapAfterGcMiB();
    const afterCycle = rssMiB(pidOf(kind));
    inspector.close();
    memory[kind] = {
      baselineRssMiB: round(baseline),
      baselineHeapMiB: round(baselineHeap),
      rssWithOpenMiB: round(withOpen),
      rssWithOpenBeforeGcMiB: round(withOpenNoGc),
      documentsOpen,
      perOpenDocumentRssKiB: round(((withOpen - baseline) * 1024) / MEMORY_OPEN),
      perOpenDocumentHeapKiB: round(((withOpenHeap - baselineHeap) * 1024) / MEMORY_OPEN),
      openSeconds: round(openSeconds),
      cycleDocuments: MEMORY_CYCLE,
      cycleSeconds: round(cycleSeconds),
      rssAfterCycleMiB: round(afterCycle),
      rssAfterCycleBeforeGcMiB: round(afterCycleNoGc),
      rssAfterCycleDeltaMiB: round(afterCycle - baseline),
      rssAfterCycleDeltaPercent: round(((afterCycle - baseline) / baseline) * 100),
      heapAfterCycleDeltaMiB: round(afterCycleHeap - baselineHeap),
      documentsAfterCycle: await documentsOf(kind),
      unloadedAll: unloaded,
      ...(compacted === undefined ? {} : { allCompacted: compacted }),
      unloadWaitSeconds: round(unloadSeconds),
    };
    console.log(`memory ${kind}: ${JSON.stringify(memory[kind])}`);
  }
  results.memory = memory;
  // The bare server never frees a document: restart it so the later measurements do not carry 11,000 documents.
  await peers.bare.stop();
  peers.bare = await startPeer("bare", { port: peers.bare.port, inspectPort: inspectPorts.bare });

  // 1. latency -----------------------------------------------------------------------------------------------------
  const latency: Record<string, Record<string, unknown>> = {};
  for (const scenario of LATENCY_SCENARIOS) latency[scenario.name] = {};
  for (const kind of runs("latency") ? KINDS : []) {
    let offset = 0;
    for (const scenario of LATENCY_SCENARIOS) {
      const docs = plans.latency.slice(offset, (offset += scenario.documents));
      const groups = await openAll(kind, docs, scenario.clients, template);
      await sleep(1000);
      const tracker = new LatencyTracker();
      for (const client of groups.flat()) tracker.watch(client.doc);
      const profiler = kind === "ours" && PROFILE_DIR ? await Inspector.connect(inspectPorts.ours) : undefined;
      await profiler?.startProfile();
      probe.start();
      await paced(EDITS, EDIT_RATE, (index) => {
        const group = groups[index % groups.length]!;
        const sender = group[Math.floor(Math.random() * group.length)]!;
        tracker.edit(
          sender.doc,
          group.map((client) => client.doc),
        );
      });
      await waitUntil(() => tracker.pending === 0, 10_000);
      const commits = await probe.stop();
      if (profiler) {
        const file = path.join(PROFILE_DIR!, `ours-latency-${scenario.name.replace(/\W+/g, "-")}.cpuprofile`);
        writeFileSync(file, JSON.stringify(await profiler.stopProfile()));
        profiler.close();
        console.log(`   CPU profile: ${file}`);
      }
      const expected = EDITS * (scenario.clients - 1);
      latency[scenario.name]![kind] = {
        p50: round(percentile(tracker.samples, 50)),
        p99: round(percentile(tracker.samples, 99)),
        max: round(Math.max(...tracker.samples)),
        deliveries: tracker.samples.length,
        missing: expected - tracker.samples.length,
        postgresCommit: commits,
      };
      destroyAll(groups);
      console.log(`latency ${kind} ${scenario.name}: ${JSON.stringify(latency[scenario.name]![kind])}`);
      await sleep(500);
    }
  }
  results.latency = latency;

  // 2. sustained rate into one document -------------------------------------------------------------------------------
  const ramp: Record<string, unknown> = {};
  const snapshotWrites = () =>
    withDb(async (db) => {
      const { rows } = await db.query<{ writes: string }>(
        "select count(*) as writes from bench_probe.snapshot_writes where plan_id = $1",
        [plans.ramp],
      );
      return Number(rows[0]!.writes);
    });
  for (const kind of runs("ramp") ? KINDS : []) {
    const documentsBefore = await documentsOf(kind);
    const writesBefore = kind === "ours" ? await snapshotWrites() : 0;
    const [clients] = await openAll(kind, [plans.ramp], RAMP_WRITERS + 1, template);
    const writers = clients!.slice(0, RAMP_WRITERS);
    const observer = clients![RAMP_WRITERS]!;
    for (const writer of writers) writer.mute();
    await sleep(1000);
    const tracker = new LatencyTracker();
    tracker.watch(observer.doc);
    const steps: {
      rate: number;
      sent: number;
      p50: number | null;
      p99: number | null;
      missing: number;
      pass: boolean;
      postgresCommitP99: number | null;
    }[] = [];
    let best = 0;
    let failures = 0;
    const profiler = kind === "ours" && PROFILE_DIR ? await Inspector.connect(inspectPorts.ours) : undefined;
    await profiler?.startProfile();
    for (const rate of RAMP_RATES) {
      tracker.reset();
      const count = Math.max(rate * RAMP_STEP_SECONDS, RAMP_MIN_SAMPLES);
      probe.start();
      await paced(count, rate, (index) => tracker.edit(writers[index % RAMP_WRITERS]!.doc, [observer.doc]));
      await waitUntil(() => tracker.pending === 0, 5000);
      const commits = await probe.stop();
      const p50 = percentile(tracker.samples, 50);
      const p99 = percentile(tracker.samples, 99);
      const missing = count - tracker.samples.length;
      const pass = missing === 0 && p99 < RAMP_P99_LIMIT_MS;
      steps.push({
        rate,
        sent: count,
        p50: round(p50),
        p99: round(p99),
        missing,
        pass,
        postgresCommitP99: commits.p99,
      });
      console.log(
        `ramp ${kind} ${rate}/s: p50 ${round(p50)} p99 ${round(p99)} missing ${missing} (Postgres commit p99 ${commits.p99} ms)`,
      );
      if (pass) best = rate;
      // Saturated (updates no longer arrive, or half of them are late), or failed twice in a row: higher rates can
      // only be worse; every server's ramp runs until it fails.
      failures = pass ? 0 : failures + 1;
      if (missing > 0 || !(p50 < RAMP_P99_LIMIT_MS) || failures >= 2) break;
      await sleep(500);
    }
    if (profiler) {
      const file = path.join(PROFILE_DIR!, "ours-ramp.cpuprofile");
      writeFileSync(file, JSON.stringify(await profiler.stopProfile()));
      profiler.close();
      console.log(`   CPU profile: ${file}`);
    }
    destroyAll([clients!]);
    await sleep(1500);
    ramp[kind] = {
      maxPassingRate: best,
      // False only if it passed the highest rate the ramp tries: then its ceiling was not found.
      failedWithinRamp: steps.some((step) => !step.pass),
      steps,
      documentsOpenBefore: documentsBefore,
      ...(kind === "ours" ? { snapshotWritesDuringRamp: (await snapshotWrites()) - writesBefore } : {}),
    };
  }
  results.ramp = ramp;

  // 6. two of our servers on one database (issue 19) --------------------------------------------------------------
  // The second joins the running stack as `npm run serve` does.
  let acrossServers: ClusterBenchResult | undefined;
  if (runs("cluster")) {
    const second = await startServer({
      entry: path.join(projectRoot, "scripts", "serve.ts"),
      dataDir,
      env: { LOG_LEVEL: "error" },
    });
    track(second.child);
    try {
      acrossServers = await measureAcrossServers({
        ports: [ours!.port, second.port],
        token,
        plans: { latency: plans.cluster[0]!, ramp: plans.cluster[1]! },
        seed: template,
        edits: EDITS,
        editRate: EDIT_RATE,
        rampRates: RAMP_RATES,
        rampStepSeconds: RAMP_STEP_SECONDS,
        rampMinSamples: RAMP_MIN_SAMPLES,
        rampWriters: RAMP_WRITERS,
        p99LimitMs: RAMP_P99_LIMIT_MS,
        log: (line) => console.log(line),
      });
    } finally {
      await second.stop();
    }
    results.acrossServers = acrossServers;
  }

  // 4. loading long histories --------------------------------------------------------------------------------------
  const load: Record<string, Record<string, unknown>> = {};
  for (const size of HISTORY_SIZES) load[size] = {};
  async function timedSync(kind: ServerKind, plan: string, expected: number): Promise<number> {
    const started = performance.now();
    const client = openClient(target(kind), plan);
    try {
      await within(client.synced, 120_000, `${kind}: loading ${plan}`);
      const elapsed = performance.now() - started;
      const length = contentLength(client.doc);
      if (length !== expected)
        throw new Error(`${kind}: ${plan} loaded ${length} characters of XML, expected ${expected}`);
      return elapsed;
    } finally {
      client.destroy();
    }
  }
  async function warmSamples(kind: ServerKind, plan: string, expected: number): Promise<number[]> {
    const holder = openClient(target(kind), plan);
    try {
      await within(holder.synced, 120_000, `${kind}: holder of ${plan}`);
      const samples: number[] = [];
      for (let sample = 0; sample < WARM_SAMPLES; sample++) samples.push(await timedSync(kind, plan, expected));
      return samples;
    } finally {
      holder.destroy();
    }
  }
  for (const kind of runs("load") ? KINDS : []) {
    const cold: number[][] = HISTORY_SIZES.map(() => []);
    const warm: number[][] = [];
    const firstLoad: number[] = [];
    if (kind === "ours") {
      // First open reads every stored update, then compacts in the background; wait for that, then unload.
      for (const [index, plan] of plans.history.entries()) {
        const profiler = PROFILE_DIR ? await Inspector.connect(inspectPorts.ours) : undefined;
        await profiler?.startProfile();
        const holder = openClient(target(kind), plan);
        const started = performance.now();
        await within(holder.synced, 180_000, `ours: first load of ${plan}`);
        firstLoad.push(performance.now() - started);
        if (profiler) {
          const file = path.join(PROFILE_DIR!, `ours-first-open-${HISTORY_SIZES[index]}.cpuprofile`);
          writeFileSync(file, JSON.stringify(await profiler.stopProfile()));
          profiler.close();
          console.log(`   CPU profile: ${file}`);
        }
        const compacted = await waitUntil(
          () =>
            withDb(async (db) => {
              const { rows } = await db.query<{ left: string }>(
                "select count(*) as left from private.plan_updates where plan_id = $1",
                [plan],
              );
              return Number(rows[0]!.left) === 0;
            }),
          120_000,
        );
        if (!compacted) throw new Error(`ours: ${HISTORY_SIZES[index]} updates were not compacted in 120 s`);
        holder.destroy();
      }
    }
    if (kind === "bare") {
      // In memory only: a client brings the history; the document stays loaded after it leaves.
      for (const [index, plan] of plans.history.entries()) {
        const primer = openClient(target(kind), plan, { seed: histories[index]!.state });
        await within(primer.synced, 120_000, `bare: priming ${plan}`);
        await sleep(1000);
        primer.destroy();
      }
    } else {
      for (let sample = 0; sample < COLD_SAMPLES; sample++) {
        const unloaded = await waitUntil(async () => (await documentsOf(kind)) === 0, 60_000);
        if (!unloaded) throw new Error(`${kind}: documents stayed loaded`);
        await sleep(2000); // our count drops when an unload starts; let it finish (a load waits for it)
        for (const [index, plan] of plans.history.entries())
          cold[index]!.push(await timedSync(kind, plan, histories[index]!.length));
      }
    }
    for (const [index, plan] of plans.history.entries())
      warm.push(await warmSamples(kind, plan, histories[index]!.length));
    HISTORY_SIZES.forEach((size, index) => {
      load[size]![kind] = {
        coldMs: kind === "bare" ? null : round(median(cold[index]!)),
        coldSamples: cold[index]!.map((value) => round(value)),
        warmMs: round(median(warm[index]!)),
        ...(kind === "ours" ? { firstLoadUncompactedMs: round(firstLoad[index]!) } : {}),
      };
      console.log(`load ${kind} ${size}: ${JSON.stringify(load[size]![kind])}`);
    });
  }
  results.load = load;
  results.historySnapshotKiB = histories.map((history) => round(history.state.length / 1024));

  // 3. SIGKILL ---------------------------------------------------------------------------------------------------------
  const kills: Record<string, unknown> = {};
  for (const kind of runs("kill") ? KINDS : []) {
    const trials: {
      bursts: number;
      typed: number;
      observed: number;
      restored: number;
      lost: number;
      typingMs: number;
      restartMs: number;
    }[] = [];
    for (let trial = 0; trial < KILL_TRIALS; trial++) {
      const plan = plans.kill[trial]!;
      const pair = (await openAll(kind, [plan], 2, template))[0]!;
      const writer = pair[0]!;
      const observer = pair[1]!;
      await sleep(300);
      let typed = 0;
      const started = performance.now();
      const bursts = 1 + (trial % 3);
      for (let burst = 0; burst < bursts; burst++) {
        if (burst > 0) await sleep(KILL_PAUSE_MS);
        const burstMs = KILL_BURST_MS + Math.random() * 500;
        await paced(Math.round((burstMs / 1000) * KILL_TYPING_RATE), KILL_TYPING_RATE, () => {
          typeOne(writer.doc);
          typed++;
        });
      }
      if (kind === "ours") {
        ours!.child.kill("SIGKILL");
        await ours!.exited;
      } else {
        await peers[kind]!.stop("SIGKILL");
      }
      const killedAt = performance.now() - started;
      await sleep(200);
      const observed = Y.getState(observer.doc.store, writer.doc.clientID);
      const writerId = writer.doc.clientID;
      writer.destroy();
      observer.destroy();
      const restartStarted = performance.now();
      if (kind === "ours") await startOurs({ port: ours!.port, pgPort: ours!.pgPort });
      else if (kind === "bare")
        peers.bare = await startPeer("bare", { port: peers.bare.port, inspectPort: inspectPorts.bare });
      else {
        peers.hocuspocus = await startPeer("hocuspocus", {
          port: peers.hocuspocus.port,
          inspectPort: inspectPorts.hocuspocus,
          env: { DATABASE_URL: databaseUrl },
        });
      }
      const restartMs = performance.now() - restartStarted;
      const fresh = openClient(target(kind), plan);
      await within(fresh.synced, 30_000, `${kind}: sync after restart`);
      const restored = Y.getState(fresh.doc.store, writerId);
      fresh.destroy();
      trials.push({
        bursts,
        typed,
        observed,
        restored,
        lost: Math.max(0, observed - restored),
        typingMs: Math.round(killedAt),
        restartMs: Math.round(restartMs),
      });
      console.log(`kill ${kind} trial ${trial + 1}: ${JSON.stringify(trials.at(-1))}`);
    }
    kills[kind] = {
      trials,
      observed: trials.reduce((sum, trial) => sum + trial.observed, 0),
      lost: trials.reduce((sum, trial) => sum + trial.lost, 0),
    };
  }
  results.sigkill = kills;

  // report -----------------------------------------------------------------------------------------------------------
  const peerKinds = ["bare", "hocuspocus"] as const;
  const get = <T>(table: Record<string, unknown>, kind: ServerKind) => table[kind] as T;
  console.log(
    `\n=== Collaboration benchmark (${os.cpus().length} CPUs, Node ${process.version}); ratios are ours ÷ peer (for times and memory lower is better) ===`,
  );
  console.log(
    "Peers: bare = @y/websocket-server 0.1.1 (no auth, no persistence); Hocuspocus+DB = @hocuspocus/server 3.4.4 + extension-database",
  );
  console.log(
    "(no auth, default debounce 2 s / max 10 s) storing into the same Postgres. Ours authorises every upgrade (JWT + SQL) and",
  );
  console.log(
    "commits every update to Postgres before broadcasting it. Each server has its own process; all clients share this one.",
  );

  if (runs("latency")) {
    type Lat = { p50: number; p99: number; missing: number; postgresCommit: { p50: number; p99: number } };
    printTable(
      `1. Edit-to-remote-client latency, ms (${EDITS} one-character edits at ${EDIT_RATE}/s per scenario, measured at every other client)`,
      [
        "scenario",
        "ours p50",
        "ours p99",
        "bare p50",
        "bare p99",
        "hocus p50",
        "hocus p99",
        "lost o/b/h",
        "p50 o/b",
        "p99 o/b",
        "p50 o/h",
        "p99 o/h",
        "PG commit p50/p99 (ours' run)",
      ],
      LATENCY_SCENARIOS.map((scenario) => {
        const row = latency[scenario.name]!;
        const [o, b, h] = KINDS.map((kind) => get<Lat>(row, kind));
        return [
          scenario.name,
          o!.p50,
          o!.p99,
          b!.p50,
          b!.p99,
          h!.p50,
          h!.p99,
          `${o!.missing}/${b!.missing}/${h!.missing}`,
          ratio(o!.p50, b!.p50),
          ratio(o!.p99, b!.p99),
          ratio(o!.p50, h!.p50),
          ratio(o!.p99, h!.p99),
          `${o!.postgresCommit.p50}/${o!.postgresCommit.p99}`,
        ];
      }),
    );
  }

  if (runs("ramp")) {
    type Ramp = {
      maxPassingRate: number;
      steps: {
        rate: number;
        p50: number | null;
        p99: number | null;
        missing: number;
        postgresCommitP99: number | null;
      }[];
      snapshotWritesDuringRamp?: number;
    };
    printTable(
      `2. Sustained updates/s into one document with p99 < ${RAMP_P99_LIMIT_MS} ms and nothing missing at an observer (${RAMP_WRITERS} writers; ≥${RAMP_STEP_SECONDS} s and ≥${RAMP_MIN_SAMPLES} updates per step)`,
      ["server", "max passing rate", "ours ÷ peer", "per step: rate p50/p99 ms (PG commit p99 in the same window)"],
      KINDS.map((kind) => {
        const entry = get<Ramp>(ramp, kind);
        return [
          LABEL[kind],
          entry.maxPassingRate,
          kind === "ours" ? null : ratio(get<Ramp>(ramp, "ours").maxPassingRate, entry.maxPassingRate),
          entry.steps
            .map(
              (step) =>
                `${step.rate}: ${step.p50}/${step.p99}${step.missing ? ` (${step.missing} late)` : ""} (${step.postgresCommitP99})`,
            )
            .join(", "),
        ];
      }),
    );
    const ourRamp = get<Ramp>(ramp, "ours");
    if (ourRamp.snapshotWritesDuringRamp !== undefined)
      console.log(
        `   ours: ${ourRamp.snapshotWritesDuringRamp} snapshot writes (compactions) during and right after the ramp`,
      );
    for (const kind of KINDS)
      if (!get<Ramp & { failedWithinRamp: boolean }>(ramp, kind).failedWithinRamp)
        console.log(`   ${LABEL[kind]} passed the highest rate tried (${RAMP_RATES.at(-1)}/s): its ceiling is higher`);
    console.log(
      `   (ours runs with COLLAB_MESSAGES_PER_SECOND=${OUR_MESSAGES_PER_SECOND} so its per-connection limit does not end the ramp; writers ignore what they receive, the observer applies everything)`,
    );
  }

  if (runs("kill")) {
    type Kill = { observed: number; lost: number; trials: { lost: number }[] };
    printTable(
      `3. Updates lost over ${KILL_TRIALS} SIGKILL trials (typing bursts of 1-1.5 s at ${KILL_TYPING_RATE}/s with ${KILL_PAUSE_MS / 1000} s pauses, killed at the end of the last burst; restart; fresh client)`,
      ["server", "received by remote", "lost after restart", "lost per trial", "lost %"],
      KINDS.map((kind) => {
        const entry = get<Kill>(kills, kind);
        return [
          LABEL[kind],
          entry.observed,
          entry.lost,
          entry.trials.map((trial) => trial.lost).join(","),
          entry.observed ? `${((entry.lost / entry.observed) * 100).toFixed(1)}%` : null,
        ];
      }),
    );
  }

  if (runs("cluster") && acrossServers) {
    printTable(
      `6. Two of our servers on one database: edit-to-remote latency, ms (${EDITS} edits at ${EDIT_RATE}/s by one person on server A, each measured at a person on A and at one on B; goal: p99 on B within 10 ms of A), and the sustained rate (${RAMP_WRITERS} writers alternating A/B, an observer on each)`,
      ["measure", "same server", "other server", "difference"],
      [
        [
          "p50 ms",
          acrossServers.latency.sameServer.p50,
          acrossServers.latency.otherServer.p50,
          round((acrossServers.latency.otherServer.p50 ?? NaN) - (acrossServers.latency.sameServer.p50 ?? NaN)),
        ],
        [
          "p99 ms",
          acrossServers.latency.sameServer.p99,
          acrossServers.latency.otherServer.p99,
          acrossServers.latency.p99DifferenceMs,
        ],
        ["missing", acrossServers.latency.sameServer.missing, acrossServers.latency.otherServer.missing, null],
        [
          "max passing rate/s",
          runs("ramp") ? get<{ maxPassingRate: number }>(ramp, "ours").maxPassingRate : null,
          acrossServers.ramp.maxPassingRate,
          `steps: ${acrossServers.ramp.steps.map((step) => `${step.rate}: ${step.p50}/${step.p99}${step.missing ? ` (${step.missing} late)` : ""}`).join(", ")}`,
        ],
      ],
    );
  }

  if (runs("load")) {
    type Load = { coldMs: number | null; warmMs: number; firstLoadUncompactedMs?: number };
    printTable(
      `4. Time for a fresh client to load a plan (connect, authorise, synced), ms; cold = not in server memory (median of ${COLD_SAMPLES}), warm = loaded (median of ${WARM_SAMPLES}); bare: in memory only`,
      [
        "stored updates",
        "ours cold",
        "ours warm",
        "bare warm",
        "hocus cold",
        "hocus warm",
        "cold o/h",
        "warm o/b",
        "warm o/h",
        "ours 1st open (uncompacted)",
      ],
      HISTORY_SIZES.map((size) => {
        const [o, b, h] = KINDS.map((kind) => get<Load>(load[size]!, kind));
        return [
          size,
          o!.coldMs,
          o!.warmMs,
          b!.warmMs,
          h!.coldMs,
          h!.warmMs,
          ratio(o!.coldMs, h!.coldMs),
          ratio(o!.warmMs, b!.warmMs),
          ratio(o!.warmMs, h!.warmMs),
          o!.firstLoadUncompactedMs ?? null,
        ];
      }),
    );
  }

  if (runs("memory")) {
    type Mem = {
      baselineRssMiB: number;
      rssWithOpenMiB: number;
      perOpenDocumentRssKiB: number;
      perOpenDocumentHeapKiB: number;
      rssAfterCycleMiB: number;
      rssAfterCycleDeltaMiB: number;
      rssAfterCycleDeltaPercent: number;
      heapAfterCycleDeltaMiB: number;
      documentsAfterCycle: number;
      cycleSeconds: number;
    };
    printTable(
      `5. Server process memory after a forced full GC: ${MEMORY_OPEN} open documents (1 client each, template plan), then ${MEMORY_CYCLE} documents opened and closed (100 at a time)`,
      [
        "server",
        "baseline RSS MiB",
        `${MEMORY_OPEN} open RSS MiB`,
        "RSS KiB/doc",
        "heap KiB/doc",
        `RSS after ${MEMORY_CYCLE}`,
        "RSS delta MiB",
        "RSS delta % (goal ours ≤ +10)",
        "heap delta MiB",
        "docs still loaded",
        "cycle s",
      ],
      KINDS.map((kind) => {
        const entry = get<Mem>(memory, kind);
        return [
          LABEL[kind],
          entry.baselineRssMiB,
          entry.rssWithOpenMiB,
          entry.perOpenDocumentRssKiB,
          entry.perOpenDocumentHeapKiB,
          entry.rssAfterCycleMiB,
          entry.rssAfterCycleDeltaMiB,
          `${entry.rssAfterCycleDeltaPercent >= 0 ? "+" : ""}${entry.rssAfterCycleDeltaPercent}%`,
          entry.heapAfterCycleDeltaMiB,
          entry.documentsAfterCycle,
          entry.cycleSeconds,
        ];
      }),
    );
    const ourMemory = get<Mem>(memory, "ours");
    console.log(
      `   ours ÷ peer: RSS per open doc ${peerKinds.map((peer) => `${peer} ${ratio(ourMemory.perOpenDocumentRssKiB, get<Mem>(memory, peer).perOpenDocumentRssKiB)}`).join(", ")}; ` +
        `heap per open doc ${peerKinds.map((peer) => `${peer} ${ratio(ourMemory.perOpenDocumentHeapKiB, get<Mem>(memory, peer).perOpenDocumentHeapKiB)}`).join(", ")}; ` +
        `RSS delta after the cycle ${peerKinds.map((peer) => `${peer} ${ratio(ourMemory.rssAfterCycleDeltaMiB, get<Mem>(memory, peer).rssAfterCycleDeltaMiB)}`).join(", ")}`,
    );
    console.log(
      "   Only the server process is measured (ours includes the whole app; Postgres and PostgREST are separate processes).",
    );
  }

  const collabLog = [...ourOutputs, ours!.output()]
    .join("")
    .split("\n")
    .filter((line) => line.includes("collab:"));
  results.ourCollabLog = { lines: collabLog.length, first: collabLog.slice(0, 10) };
  if (collabLog.length > 0)
    console.log(
      `\nOur server logged ${collabLog.length} collab line(s), first: \n  ${collabLog.slice(0, 10).join("\n  ")}`,
    );
  results.environment = {
    cpus: os.cpus().length,
    node: process.version,
    scale: SCALE,
    seconds: round((performance.now() - benchStarted) / 1000),
  };
  console.log(`\nFinished in ${((performance.now() - benchStarted) / 1000).toFixed(0)} s. JSON:`);
  console.log(JSON.stringify(results, null, 2));
} catch (error) {
  console.error(error);
  if (ours) console.error(`our server's last output:\n${ours.output().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await Promise.all([ours?.stop(), peers.bare?.stop(), peers.hocuspocus?.stop()]).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}
// Client libraries (providers' reconnect and awareness timers) can outlive the run; everything is stopped above.
process.exit(process.exitCode ?? 0);
