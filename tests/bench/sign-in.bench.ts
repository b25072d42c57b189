/**
 * `npm run bench`: start-up and sign-in timings of the embedded stack, each printed with its ratio to a baseline
 * measured in the same run on the same server (a /healthz round trip), so numbers from different machines compare.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { readSecrets, startServer } from "../support/server-process";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function sample(work: () => Promise<unknown>): Promise<number[]> {
  for (let warmup = 0; warmup < 5; warmup += 1) await work();
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) samples.push(await time(work));
  return samples;
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-bench-"));
try {
  let startedAt = performance.now();
  let server = await startServer({ dataDir, env: { AUTH_SIGN_IN_ATTEMPTS_PER_IP: "1000000", LOG_LEVEL: "error" } });
  const coldStart = performance.now() - startedAt;
  await server.stop();
  startedAt = performance.now();
  server = await startServer({
    dataDir,
    port: server.port,
    env: { AUTH_SIGN_IN_ATTEMPTS_PER_IP: "1000000", LOG_LEVEL: "error" },
  });
  const warmStart = performance.now() - startedAt;

  const { anonKey } = readSecrets(dataDir);
  const supabase = createClient(server.url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });

  const baseline = await sample(() => fetch(`${server.url}/healthz`).then((response) => response.arrayBuffer()));
  const apiSignIn = await sample(async () => {
    const { error } = await supabase.auth.signInWithPassword({
      email: "reviewer@demo.local",
      password: "demo-password",
    });
    if (error) throw error;
  });
  const formSignIn = await sample(async () => {
    const response = await fetch(`${server.url}/sign-in`, {
      method: "POST",
      body: new URLSearchParams({ email: "reviewer@demo.local", password: "demo-password", redirectTo: "/home" }),
      headers: { origin: server.url },
      redirect: "manual",
    });
    if (response.status !== 302) throw new Error(`form sign-in answered ${response.status}`);
    const cookies = response.headers
      .getSetCookie()
      .map((cookie) => cookie.split(";")[0])
      .join("; ");
    const home = await fetch(`${server.url}/home`, { headers: { cookie: cookies } });
    if (home.status !== 200) throw new Error(`home answered ${home.status}`);
    await home.arrayBuffer();
  });
  await server.stop();

  const base = percentile(baseline, 50);
  const rows = [
    ["cold start to healthy (new DATA_DIR)", coldStart, undefined],
    ["warm start to healthy (same DATA_DIR)", warmStart, undefined],
    ["baseline: GET /healthz p50", base, 1],
    ["supabase-js signInWithPassword p50", percentile(apiSignIn, 50), percentile(apiSignIn, 50) / base],
    ["supabase-js signInWithPassword p95", percentile(apiSignIn, 95), percentile(apiSignIn, 95) / base],
    ["browser form sign-in + /home p50", percentile(formSignIn, 50), percentile(formSignIn, 50) / base],
    ["browser form sign-in + /home p95", percentile(formSignIn, 95), percentile(formSignIn, 95) / base],
  ] as const;
  console.log(`\nSign-in benchmark (${ROUNDS} rounds each, ${os.cpus().length} cores)`);
  for (const [name, ms, ratio] of rows) {
    console.log(
      `${name.padEnd(42)} ${ms.toFixed(1).padStart(9)} ms${ratio === undefined ? "" : `   x${ratio.toFixed(1)} baseline`}`,
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
