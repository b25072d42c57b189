/**
 * `npm run bench:collab:cluster`: section 6 of bench:collab on its own (a minute instead of ten): two of our app
 * servers on one embedded stack (the stack's own and one joined as `npm run serve` joins it); latency to a person on
 * the other server beside one on the same server, for the same edits, and the sustained rate across both servers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import pg from "pg";
import WebSocket from "ws";
import { projectRoot, readSecrets, startServer, type RunningServer } from "../support/server-process";
import { measureAcrossServers } from "./collab/cluster";
import { benchApplicantEmail, seedPlans, storeOurTemplates, templateUpdate } from "./collab/fixtures";
import { removeOnExit, track } from "./collab/processes";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-bench-cluster-"));
removeOnExit(dataDir);
process.setMaxListeners(0);
const servers: RunningServer[] = [];
try {
  console.log(
    `Two servers, one database: ${os.cpus().length} CPU(s), Node ${process.version}, load ${os.loadavg()[0]?.toFixed(1)}`,
  );
  const first = await startServer({ dataDir, env: { LOG_LEVEL: "error" } });
  servers.push(first);
  track(first.child);
  const second = await startServer({
    entry: path.join(projectRoot, "scripts", "serve.ts"),
    dataDir,
    env: { LOG_LEVEL: "error" },
  });
  servers.push(second);
  track(second.child);
  const secrets = readSecrets(dataDir);
  const db = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${first.pgPort}/postgres`,
  });
  await db.connect();
  const template = templateUpdate();
  const plans = await seedPlans(db, 2);
  await storeOurTemplates(db, plans, template);
  await db.end();
  const supabase = createClient(first.url, secrets.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
  const { data, error } = await supabase.auth.signInWithPassword({
    email: benchApplicantEmail,
    password: "demo-password",
  });
  if (error) throw error;
  const result = await measureAcrossServers({
    ports: [first.port, second.port],
    token: data.session.access_token,
    plans: { latency: plans[0]!, ramp: plans[1]! },
    seed: template,
    edits: Number(process.env.BENCH_EDITS ?? 200),
    editRate: 50,
    rampRates: [50, 100, 200, 400, 800, 1600],
    rampStepSeconds: 2,
    rampMinSamples: 200,
    rampWriters: 8,
    p99LimitMs: 50,
    log: (line) => console.log(line),
  });
  console.log(`load average after: ${os.loadavg()[0]?.toFixed(1)}`);
  console.log(JSON.stringify(result, null, 2));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await Promise.all(servers.reverse().map((server) => server.stop()));
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(process.exitCode ?? 0);
