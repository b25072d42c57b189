/**
 * bench:collab, section 6 (issue 19): two of our app servers on one database. Edit-to-remote latency when the two
 * people are on different servers, measured in the same run (the same edits) as the same-server figure, and the
 * sustained rate into one document with writers and observers spread over both servers.
 */
import * as Y from "yjs";
import { openClient, type BenchClient } from "./clients";
import { typeOne } from "./fixtures";

export interface ClusterBenchOptions {
  /** The two servers' ports (A: the embedded stack's own app server; B: `npm run serve` joined to it). */
  ports: [number, number];
  token: string;
  plans: { latency: string; ramp: string };
  seed: Uint8Array;
  edits: number;
  editRate: number;
  rampRates: number[];
  rampStepSeconds: number;
  rampMinSamples: number;
  rampWriters: number;
  p99LimitMs: number;
  log: (line: string) => void;
}

export interface LatencyFigures {
  p50: number | null;
  p99: number | null;
  max: number | null;
  deliveries: number;
  missing: number;
}

export interface ClusterBenchResult {
  latency: { sameServer: LatencyFigures; otherServer: LatencyFigures; p99DifferenceMs: number | null };
  ramp: {
    maxPassingRate: number;
    steps: { rate: number; sent: number; p50: number | null; p99: number | null; missing: number; pass: boolean }[];
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !check()) await sleep(20);
  return check();
}

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

/** Per receiver: the sender clocks it still waits for, and its latency samples. */
class Receivers {
  private readonly waiting = new Map<Y.Doc, { sender: number; clock: number; sentAt: number }[]>();
  readonly samples = new Map<Y.Doc, number[]>();

  watch(doc: Y.Doc): void {
    this.waiting.set(doc, []);
    this.samples.set(doc, []);
    doc.on("update", () => {
      const entries = this.waiting.get(doc)!;
      if (entries.length === 0) return;
      const now = performance.now();
      this.waiting.set(
        doc,
        entries.filter((entry) => {
          if (Y.getState(doc.store, entry.sender) < entry.clock) return true;
          this.samples.get(doc)!.push(now - entry.sentAt);
          return false;
        }),
      );
    });
  }

  edit(sender: Y.Doc, receivers: Y.Doc[]): void {
    const sentAt = performance.now();
    typeOne(sender);
    const clock = Y.getState(sender.store, sender.clientID);
    for (const receiver of receivers) this.waiting.get(receiver)!.push({ sender: sender.clientID, clock, sentAt });
  }

  get pending(): number {
    let count = 0;
    for (const entries of this.waiting.values()) count += entries.length;
    return count;
  }

  reset(): void {
    for (const doc of this.waiting.keys()) {
      this.waiting.set(doc, []);
      this.samples.set(doc, []);
    }
  }

  all(docs: Y.Doc[]): number[] {
    return docs.flatMap((doc) => this.samples.get(doc) ?? []);
  }
}

function figures(samples: number[], expected: number): LatencyFigures {
  return {
    p50: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
    max: round(samples.length ? Math.max(...samples) : Number.NaN),
    deliveries: samples.length,
    missing: expected - samples.length,
  };
}

export async function measureAcrossServers(options: ClusterBenchOptions): Promise<ClusterBenchResult> {
  const open = async (server: 0 | 1, plan: string): Promise<BenchClient> => {
    const client = openClient({ kind: "ours", port: options.ports[server], token: options.token }, plan, {
      seed: options.seed,
    });
    await client.synced;
    return client;
  };

  // Latency: one sender on A; one receiver beside it on A, one on B; every edit measured at both.
  const [sender, sameServer, otherServer] = await Promise.all([
    open(0, options.plans.latency),
    open(0, options.plans.latency),
    open(1, options.plans.latency),
  ]);
  await sleep(1000);
  const receivers = new Receivers();
  receivers.watch(sameServer.doc);
  receivers.watch(otherServer.doc);
  await paced(options.edits, options.editRate, () => receivers.edit(sender.doc, [sameServer.doc, otherServer.doc]));
  await waitUntil(() => receivers.pending === 0, 10_000);
  const same = figures(receivers.all([sameServer.doc]), options.edits);
  const other = figures(receivers.all([otherServer.doc]), options.edits);
  options.log(`across servers, latency: same server ${JSON.stringify(same)}; other server ${JSON.stringify(other)}`);
  for (const client of [sender, sameServer, otherServer]) client.destroy();

  // Sustained rate: writers alternate between A and B; an observer on each server must see every update in time.
  const writers = await Promise.all(
    Array.from({ length: options.rampWriters }, (_, index) => open((index % 2) as 0 | 1, options.plans.ramp)),
  );
  const observers = await Promise.all([open(0, options.plans.ramp), open(1, options.plans.ramp)]);
  await sleep(1000);
  const ramp = new Receivers();
  for (const observer of observers) ramp.watch(observer.doc);
  const steps: ClusterBenchResult["ramp"]["steps"] = [];
  let best = 0;
  for (const rate of options.rampRates) {
    ramp.reset();
    const count = Math.max(rate * options.rampStepSeconds, options.rampMinSamples);
    await paced(count, rate, (index) =>
      ramp.edit(
        writers[index % writers.length]!.doc,
        observers.map((observer) => observer.doc),
      ),
    );
    await waitUntil(() => ramp.pending === 0, 5000);
    const samples = ramp.all(observers.map((observer) => observer.doc));
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    const missing = count * observers.length - samples.length;
    const pass = missing === 0 && p99 < options.p99LimitMs;
    steps.push({ rate, sent: count, p50: round(p50), p99: round(p99), missing, pass });
    options.log(`across servers, ramp ${rate}/s: p50 ${round(p50)} p99 ${round(p99)} missing ${missing}`);
    if (pass) best = rate;
    if (missing > 0 || !(p50 < options.p99LimitMs)) break;
    await sleep(500);
  }
  for (const client of [...writers, ...observers]) client.destroy();
  return {
    latency: {
      sameServer: same,
      otherServer: other,
      p99DifferenceMs: same.p99 !== null && other.p99 !== null ? round(other.p99 - same.p99) : null,
    },
    ramp: { maxPassingRate: best, steps },
  };
}
