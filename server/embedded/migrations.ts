import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { StartupError } from "./startup-error.js";

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
}

const migrationName = /^(\d{14})_([a-z0-9_]+)\.sql$/;

/** Lists `supabase/migrations/*.sql` in version order, the Supabase CLI's naming (`YYYYMMDDHHMMSS_name.sql`). */
export async function listMigrations(directory: string): Promise<MigrationFile[]> {
  const entries = await fs.readdir(directory);
  return entries
    .filter((entry) => entry.endsWith(".sql"))
    .map((entry) => {
      const match = migrationName.exec(entry);
      if (!match) throw new Error(`Migration file ${entry} must be named YYYYMMDDHHMMSS_name.sql`);
      return { version: match[1]!, name: match[2]!, file: path.join(directory, entry) };
    })
    .sort((a, b) => a.version.localeCompare(b.version));
}

function checksumOf(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

/**
 * Applies each migration once, in order, each in its own transaction, recording it in the same table the Supabase
 * CLI uses, so a database migrated here and one migrated by `supabase db push` agree on what has been applied.
 * An advisory lock keeps two starting processes from applying the same migration twice.
 *
 * A migration that was edited after it was applied would leave this database silently different from a new one
 * (issue 11 found six such edits), so its checksum is recorded and a changed file stops the start, naming it.
 */
export async function applyMigrations(client: pg.Client, directory: string): Promise<string[]> {
  await client.query("create schema if not exists supabase_migrations");
  await client.query(
    "create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text)",
  );
  // Ours, beside the CLI's table (whose columns the CLI owns): the SHA-256 of each migration file as applied.
  await client.query(
    `create table if not exists supabase_migrations.migration_checksums (
       version text primary key references supabase_migrations.schema_migrations (version), sha256 text not null)`,
  );
  await client.query("select pg_advisory_lock(hashtext('supabase_migrations'))");
  try {
    const applied = new Map(
      (
        await client.query<{ version: string; statements: string[] | null; sha256: string | null }>(
          // The applied text only where no checksum was kept: fetching every migration's text made each start slower.
          `select m.version, case when c.sha256 is null then m.statements end as statements, c.sha256
           from supabase_migrations.schema_migrations m
           left join supabase_migrations.migration_checksums c using (version)`,
        )
      ).rows.map((row) => [row.version, row]),
    );
    const done: string[] = [];
    for (const migration of await listMigrations(directory)) {
      const sql = await fs.readFile(migration.file, "utf8");
      const checksum = checksumOf(sql);
      const record = applied.get(migration.version);
      if (record) {
        // Databases migrated before checksums were kept have the applied text itself: its checksum is the record.
        const recorded =
          record.sha256 ?? (record.statements?.length === 1 ? checksumOf(record.statements[0] ?? "") : null);
        if (recorded === null) continue; // applied by the Supabase CLI, which keeps statements, not the file
        if (recorded !== checksum) {
          throw new StartupError(
            `Migration ${path.basename(migration.file)} was changed after it was applied to this database. ` +
              "Never edit an applied migration: restore the file and put the change in a new migration " +
              "(for a throw-away local database, removing DATA_DIR also works).",
          );
        }
        if (record.sha256 === null) {
          await client.query("insert into supabase_migrations.migration_checksums (version, sha256) values ($1, $2)", [
            migration.version,
            checksum,
          ]);
        }
        continue;
      }
      await client.query("begin");
      try {
        await client.query(sql);
        await client.query(
          "insert into supabase_migrations.schema_migrations (version, statements, name) values ($1, $2, $3)",
          [migration.version, [sql], migration.name],
        );
        await client.query("insert into supabase_migrations.migration_checksums (version, sha256) values ($1, $2)", [
          migration.version,
          checksum,
        ]);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw new Error(`Migration ${path.basename(migration.file)} failed: ${(error as Error).message}`);
      }
      done.push(migration.version);
    }
    return done;
  } finally {
    await client.query("select pg_advisory_unlock(hashtext('supabase_migrations'))");
  }
}

/** Loads demo data only into a database that has no user yet, so a restart never duplicates or resurrects data. */
export async function seedIfEmpty(client: pg.Client, seedFile: string): Promise<boolean> {
  const { rows } = await client.query<{ empty: boolean }>("select not exists (select 1 from auth.users) as empty");
  if (!rows[0]?.empty) return false;
  const sql = await fs.readFile(seedFile, "utf8");
  await client.query("begin");
  try {
    await client.query(sql);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw new Error(`Seed ${path.basename(seedFile)} failed: ${(error as Error).message}`);
  }
  return true;
}
