/**
 * `npm run bench:ssr` (part of `npm run bench`): server render of whole pages at 10,000 EoIs (the large seed,
 * server/embedded/large-seed.ts), through the production build on loopback, as a browser asks for them (session
 * cookie, `Accept-Encoding: br`, keep-alive). Prints p50/p95 per page one request at a time, then the queue page's
 * renders per second at a fixed concurrency, each beside a baseline measured in the same run (the health check, which
 * renders nothing), against the goals of issue 14: p95 ≤ 100 ms for the queue, the validation page and the Board
 * packet; ≥ 200 queue renders/s. Bounded: a fixed number of requests per page.
 */
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { seedLarge } from "../../server/embedded/large-seed";
import { readSecrets, startServer } from "../support/server-process";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const EOIS = Number(process.env.SEED_EOIS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const THROUGHPUT_REQUESTS = Number(process.env.BENCH_THROUGHPUT_REQUESTS ?? 300);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One GET on loopback; resolves with the status once the whole (compressed) body has arrived. */
function get(url: string, cookie = ""): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers: { cookie, "accept-encoding": "br" } }, (response) => {
      response.on("data", () => undefined);
      response.on("end", () => resolve(response.statusCode ?? 0));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

async function signIn(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/sign-in`, {
    method: "POST",
    body: new URLSearchParams({ email, password: "demo-password", redirectTo: "/home" }),
    headers: { origin: url },
    redirect: "manual",
  });
  if (response.status !== 302) throw new Error(`sign-in as ${email}: ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-bench-ssr-"));
const server = await startServer({
  dataDir,
  env: { LOG_LEVEL: "error", AUTH_SIGN_IN_ATTEMPTS_PER_IP: "100000" },
});
try {
  const secrets = readSecrets(dataDir);
  const db = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${server.pgPort}/postgres`,
  });
  db.on("error", () => undefined);
  await db.connect();
  const seedStarted = performance.now();
  await seedLarge(db, { eois: EOIS, organisations: 60 });
  const seedMs = performance.now() - seedStarted;
  const eoi = (
    await db.query<{ id: string }>(
      "select id from public.eois where status = 'under_validation' order by submitted_at desc limit 1",
    )
  ).rows[0]!.id;
  // The demo data's packet (Board review of the designated centre), which the chair reads.
  const packet = (await db.query<{ id: string }>("select id from public.board_packets limit 1")).rows[0]?.id;
  await db.end();
  if (!packet) throw new Error("the demo data has no Board packet");

  const reviewer = await signIn(server.url, "reviewer@demo.local");
  const chair = await signIn(server.url, "chair@demo.local");
  const pages = [
    { name: "baseline: /healthz (no render)", path: "/healthz", cookie: "", goal: false },
    { name: "queue (/review)", path: "/review", cookie: reviewer, goal: true },
    { name: "queue, page 5", path: "/review?page=5", cookie: reviewer, goal: true },
    { name: "queue, filtered + search", path: "/review?region=AFR&q=fintech", cookie: reviewer, goal: true },
    { name: "validation page (/review/<id>)", path: `/review/${eoi}`, cookie: reviewer, goal: true },
    { name: "Board packet (chair)", path: `/board/packets/${packet}`, cookie: chair, goal: true },
  ];

  const results: { name: string; p50: number; p95: number; goal: boolean }[] = [];
  for (const page of pages) {
    const samples: number[] = [];
    for (let round = 0; round < ROUNDS + 10; round += 1) {
      const started = performance.now();
      const status = await get(`${server.url}${page.path}`, page.cookie);
      if (status !== 200) throw new Error(`${page.path}: ${status}`);
      if (round >= 10) samples.push(performance.now() - started);
    }
    results.push({ name: page.name, p50: percentile(samples, 50), p95: percentile(samples, 95), goal: page.goal });
  }

  async function throughput(path: string, cookie: string): Promise<number> {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < THROUGHPUT_REQUESTS) {
          next += 1;
          const status = await get(`${server.url}${path}`, cookie);
          if (status !== 200) throw new Error(`${path}: ${status}`);
        }
      }),
    );
    return THROUGHPUT_REQUESTS / ((performance.now() - started) / 1000);
  }
  const baselineRate = await throughput("/healthz", "");
  const queueRate = await throughput("/review", reviewer);

  const base = results[0]!.p50;
  console.log(
    `\nServer render at ${EOIS} EoIs (seeded in ${Math.round(seedMs)} ms; ${os.cpus().length} cores, shared): ` +
      `${ROUNDS} requests per page, one at a time; goal p95 ≤ 100 ms`,
  );
  for (const result of results) {
    const verdict = result.goal ? (result.p95 <= 100 ? "ok" : "OVER") : "--";
    console.log(
      `${result.name.padEnd(34)} p50 ${result.p50.toFixed(1).padStart(6)} ms  p95 ${result.p95.toFixed(1).padStart(6)} ms ${verdict.padEnd(4)}  p50 x${(result.p50 / base).toFixed(1)} baseline`,
    );
  }
  console.log(
    `\nQueue renders per second, ${THROUGHPUT_REQUESTS} requests at concurrency ${CONCURRENCY} (goal ≥ 200/s):\n` +
      `${"queue (/review)".padEnd(34)} ${queueRate.toFixed(0).padStart(6)} /s ${queueRate >= 200 ? "ok" : "UNDER"}  ` +
      `x${(queueRate / baselineRate).toFixed(2)} of /healthz (${baselineRate.toFixed(0)} /s)`,
  );
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  agent.destroy();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
