/**
 * `npm run seed:large`: adds 10,000 EoIs across 60 organisations to the embedded database of a running
 * `npm start` (same DATA_DIR and PG_PORT). Every seeded applicant's password is `demo-password`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { parseServerEnv } from "./env.js";
import { seedLarge } from "./embedded/large-seed.js";

const env = parseServerEnv();
if (env.mode !== "embedded") {
  console.error("seed:large fills the embedded database only; against a Supabase project, load data your own way.");
  process.exit(1);
}
const secrets = JSON.parse(readFileSync(path.join(env.DATA_DIR, "secrets.json"), "utf8")) as {
  postgresPassword: string;
};
const client = new pg.Client({
  connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${env.PG_PORT}/postgres`,
});
try {
  await client.connect();
} catch {
  console.error(`Cannot reach the embedded database on port ${env.PG_PORT}: start the product first (npm start).`);
  process.exit(1);
}
const started = performance.now();
const result = await seedLarge(client, {
  eois: Number(process.env.SEED_EOIS ?? 10_000),
  organisations: Number(process.env.SEED_ORGANISATIONS ?? 60),
});
await client.end();
console.log(
  `Seeded ${process.env.SEED_EOIS ?? 10_000} EoIs across ${result.applicantEmails.length} organisations in ${Math.round(performance.now() - started)} ms.`,
);
console.log(`Sign in as any of them with password demo-password, e.g. ${result.applicantEmails[0]}`);
