/**
 * `npm run bench:queue`: 10,000 EoIs across 60 organisations, queried through the gateway and PostgREST with RLS
 * on, as a BDT reviewer (validation queue: filtered, sorted, paginated, with an exact count) and as an applicant
 * (own list). Prints p50/p95, ratios to a baseline request measured in the same run, and PostgREST's own plans.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import pg from "pg";
import WebSocket from "ws";
import { seedLarge } from "../../server/embedded/large-seed";
import { readSecrets, startServer } from "../support/server-process";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const EOIS = Number(process.env.SEED_EOIS ?? 10_000);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-bench-queue-"));
const server = await startServer({
  dataDir,
  env: { REST_QUERY_PLANS: "true", LOG_LEVEL: "error", AUTH_SIGN_IN_ATTEMPTS_PER_IP: "100000" },
});
try {
  const secrets = readSecrets(dataDir);
  const db = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${server.pgPort}/postgres`,
  });
  db.on("error", () => undefined);
  await db.connect();
  const seedStarted = performance.now();
  const seeded = await seedLarge(db, { eois: EOIS, organisations: 60 });
  const seedMs = performance.now() - seedStarted;
  await db.end();

  async function tokenFor(email: string) {
    const client = createClient(server.url, secrets.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    const { data, error } = await client.auth.signInWithPassword({ email, password: "demo-password" });
    if (error) throw error;
    return data.session.access_token;
  }
  const reviewerToken = await tokenFor("reviewer@demo.local");
  const applicantToken = await tokenFor(seeded.applicantEmails[0]!);
  const applicantOrganisation = (
    (await (
      await fetch(`${server.url}/rest/v1/organisation_members?select=organisation_id`, {
        headers: { apikey: secrets.anonKey, authorization: `Bearer ${applicantToken}` },
      })
    ).json()) as { organisation_id: string }[]
  )[0]!.organisation_id;

  const queueStates = "status=in.(submitted,under_validation,clarification_requested,resubmitted)";
  const queueSelect =
    "select=id,centre_name,status,submitted_at,proposed_centre_type,organisation:organisations(name,country_code)";
  const queries = [
    { name: "baseline: centre_types, 1 row", token: reviewerToken, path: "centre_types?select=code&limit=1" },
    {
      name: "reviewer queue, page 5 + exact count",
      token: reviewerToken,
      path: `eois?${queueSelect}&${queueStates}&order=submitted_at.desc&limit=25&offset=100`,
      count: true,
    },
    {
      name: "reviewer queue, call + type filter",
      token: reviewerToken,
      path: `eois?${queueSelect}&${queueStates}&call_id=eq.${seeded.callIds[0]}&proposed_centre_type=eq.initiative_accelerator&order=submitted_at.desc&limit=25`,
      count: true,
    },
    {
      name: "reviewer queue, full-text search",
      token: reviewerToken,
      path: `eois?${queueSelect}&${queueStates}&search=wfts(simple).fintech&order=submitted_at.desc&limit=25`,
      count: true,
    },
    {
      name: "reviewer queue, assigned to me",
      token: reviewerToken,
      path: `eois?${queueSelect}&${queueStates}&assigned_reviewer_id=not.is.null&order=submitted_at.desc&limit=25`,
      count: true,
    },
    {
      name: "applicant own list + exact count",
      token: applicantToken,
      path: `eois?select=id,centre_name,status,updated_at&organisation_id=eq.${applicantOrganisation}&order=updated_at.desc&limit=25`,
      count: true,
    },
  ];

  const request = (query: (typeof queries)[number], accept = "application/json") =>
    fetch(`${server.url}/rest/v1/${query.path}`, {
      headers: {
        apikey: secrets.anonKey,
        authorization: `Bearer ${query.token}`,
        accept,
        ...(query.count ? { prefer: "count=exact" } : {}),
      },
    });

  const results: { name: string; p50: number; p95: number; rows: string }[] = [];
  for (const query of queries) {
    const first = await request(query);
    if (!first.ok) throw new Error(`${query.name}: ${first.status} ${await first.text()}`);
    const rows = `${((await first.json()) as unknown[]).length} rows, total ${first.headers.get("content-range")?.split("/")[1] ?? "-"}`;
    for (let warmup = 0; warmup < 10; warmup += 1) await (await request(query)).arrayBuffer();
    const samples: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      await (await request(query)).arrayBuffer();
      samples.push(performance.now() - started);
    }
    results.push({ name: query.name, p50: percentile(samples, 50), p95: percentile(samples, 95), rows });
  }

  const base = results[0]!.p50;
  console.log(
    `\nQueue benchmark: ${EOIS} EoIs, 60 organisations (seeded in ${Math.round(seedMs)} ms), ${ROUNDS} rounds, through PostgREST with RLS`,
  );
  for (const result of results) {
    console.log(
      `${result.name.padEnd(40)} p50 ${result.p50.toFixed(1).padStart(6)} ms  p95 ${result.p95.toFixed(1).padStart(6)} ms  ` +
        `p50 x${(result.p50 / base).toFixed(1)} baseline  (${result.rows})`,
    );
  }

  console.log("\nPlans (PostgREST EXPLAIN ANALYZE, as the signed-in user, RLS applied):");
  for (const query of queries.slice(1)) {
    const plan = await (
      await request(query, 'application/vnd.pgrst.plan+text; for="application/json"; options=analyze')
    ).text();
    const scans = plan
      .split("\n")
      .filter((line) => /Scan|Execution Time/.test(line))
      .map((line) => line.trim().replace(/\s+\(cost=[^)]*\)/, ""));
    console.log(`- ${query.name}`);
    for (const line of scans.slice(0, 8)) console.log(`    ${line}`);
  }
  // Pages as a person loads them: the server's full HTML response for the queue and for one EoI.
  const signIn = await fetch(`${server.url}/sign-in`, {
    method: "POST",
    body: new URLSearchParams({ email: "reviewer@demo.local", password: "demo-password", redirectTo: "/home" }),
    headers: { origin: server.url },
    redirect: "manual",
  });
  const cookie = signIn.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const someEoi = (
    (await (
      await request({ name: "", token: reviewerToken, path: `eois?select=id&${queueStates}&limit=1` })
    ).json()) as { id: string }[]
  )[0]!.id;
  const pages = [
    { name: "queue page (HTML, page 5)", path: "/review?page=5" },
    { name: "queue page, filtered + search", path: "/review?region=AFR&q=fintech" },
    { name: "EoI validation page (HTML)", path: `/review/${someEoi}` },
  ];
  console.log("\nServer time of whole pages, signed in as a reviewer (10,000 EoIs):");
  for (const page of pages) {
    const samples: number[] = [];
    for (let round = 0; round < ROUNDS + 10; round += 1) {
      const started = performance.now();
      const response = await fetch(`${server.url}${page.path}`, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`${page.path}: ${response.status}`);
      await response.arrayBuffer();
      if (round >= 10) samples.push(performance.now() - started);
    }
    console.log(
      `${page.name.padEnd(40)} p50 ${percentile(samples, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(samples, 95).toFixed(1).padStart(6)} ms  p50 x${(percentile(samples, 50) / base).toFixed(1)} baseline`,
    );
  }

  // JavaScript a first visit downloads per page: entry, root and the route with their imports (Remix's manifest).
  const build = (await import(path.join(import.meta.dirname, "../../build/server/index.js"))) as {
    assets: {
      entry: { module: string; imports: string[] };
      routes: Record<string, { module: string; imports?: string[] }>;
    };
  };
  const clientFile = (url: string) => path.join(import.meta.dirname, "../../build/client", url);
  console.log("\nJavaScript per page (first visit, gzip):");
  for (const route of [
    "routes/sign-in",
    "routes/home",
    "routes/calls.$callId._index",
    "routes/eois.$eoiId.edit.$step",
    "routes/eois.$eoiId._index",
    "routes/review._index",
    "routes/review.$eoiId",
  ]) {
    const files = new Set<string>([build.assets.entry.module, ...build.assets.entry.imports]);
    for (const id of ["root", route]) {
      const entry = build.assets.routes[id]!;
      files.add(entry.module);
      for (const imported of entry.imports ?? []) files.add(imported);
    }
    const bytes = [...files].reduce((sum, file) => sum + gzipSync(readFileSync(clientFile(file))).length, 0);
    console.log(
      `${route.replace("routes/", "").padEnd(40)} ${(bytes / 1024).toFixed(1).padStart(6)} KiB in ${files.size} files`,
    );
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
