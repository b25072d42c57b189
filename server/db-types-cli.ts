/** `npm run db:types`: migrate a throw-away embedded database and write app/lib/database.types.ts from it. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { generateDatabaseTypes } from "./db-types.js";
import { findFreePort } from "./embedded/free-port.js";
import { EmbeddedPostgres, loadPostgresBinaries } from "./embedded/postgres.js";
import { prepareDatabase } from "./embedded/stack.js";

export const databaseTypesFile = path.resolve(import.meta.dirname, "..", "app", "lib", "database.types.ts");

const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-types-"));
const postgres = new EmbeddedPostgres(await loadPostgresBinaries(), {
  dataDir: path.join(dataDir, "pg"),
  port: await findFreePort(),
  superuserPassword: "types-only",
  log: () => undefined,
});
try {
  await postgres.initialiseIfMissing();
  await postgres.start();
  const client = new pg.Client({ connectionString: postgres.connectionString });
  await client.connect();
  await prepareDatabase(client, "types-only-authenticator");
  writeFileSync(databaseTypesFile, await generateDatabaseTypes(client));
  await client.end();
  console.log(`Wrote ${path.relative(process.cwd(), databaseTypesFile)}`);
} finally {
  await postgres.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
