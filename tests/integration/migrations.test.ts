import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { applyMigrations, listMigrations } from "../../server/embedded/migrations";
import { migrationsDir, prepareDatabase } from "../../server/embedded/stack";
import { readSecrets } from "../support/server-process";
import { stack, withDatabase } from "../support/supabase";

/** Everything a migration could change, in one comparable value. */
async function schemaFingerprint(db: pg.Client) {
  const columns = await db.query(
    `select table_schema, table_name, column_name, data_type, is_nullable, column_default
     from information_schema.columns where table_schema in ('public', 'private', 'auth')
     order by 1, 2, 3`,
  );
  const policies = await db.query(
    "select schemaname, tablename, policyname, cmd, qual, with_check from pg_policies order by 1, 2, 3",
  );
  const functions = await db.query(
    `select n.nspname, p.proname, md5(p.prosrc) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('public', 'private', 'auth') order by 1, 2`,
  );
  const grants = await db.query(
    `select grantee, table_schema, table_name, privilege_type from information_schema.role_table_grants
     where table_schema = 'public' order by 1, 2, 3, 4`,
  );
  return { columns: columns.rows, policies: policies.rows, functions: functions.rows, grants: grants.rows };
}

describe("migrations", () => {
  it("are all recorded once, in order, in the Supabase CLI's table", async () => {
    const files = await listMigrations(migrationsDir);
    const recorded = await withDatabase(
      async (db) =>
        (
          await db.query<{ version: string }>(
            "select version from supabase_migrations.schema_migrations order by version",
          )
        ).rows,
    );
    expect(recorded.map((row) => row.version)).toEqual(files.map((file) => file.version));
  });

  it("a restart changes nothing: applied migrations are skipped and the bootstrap is idempotent", async () => {
    await withDatabase(async (db) => {
      const before = await schemaFingerprint(db);
      expect(await applyMigrations(db, migrationsDir)).toEqual([]);
      // The embedded bootstrap is re-run at every start too.
      const { authenticatorPassword } = readSecrets(stack().dataDir);
      await db.query("select set_config('embedded.authenticator_password', $1, false)", [authenticatorPassword]);
      const bootstrap = readFileSync(
        path.join(import.meta.dirname, "../../server/embedded/supabase-bootstrap.sql"),
        "utf8",
      );
      await db.query(bootstrap);
      expect(await schemaFingerprint(db)).toEqual(before);
    });
  });

  // The test above runs on a database that is already migrated; this one makes the start's whole runner (bootstrap
  // then every migration) really run on an empty database, then run it again, as a second start would.
  it("a second start on a freshly migrated database applies nothing and changes nothing", async () => {
    const database = `restart_${Math.random().toString(36).slice(2, 10)}`;
    await withDatabase((db) => db.query(`create database ${database}`));
    const url = new URL(stack().databaseUrl);
    url.pathname = `/${database}`;
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    try {
      const { authenticatorPassword } = readSecrets(stack().dataDir);
      const files = await listMigrations(migrationsDir);
      expect(await prepareDatabase(db, authenticatorPassword)).toEqual(files.map((file) => file.version));
      const migrated = await schemaFingerprint(db);
      expect(migrated.columns.length, "the migrations built the schema").toBeGreaterThan(0);
      expect(await prepareDatabase(db, authenticatorPassword)).toEqual([]);
      expect(await schemaFingerprint(db)).toEqual(migrated);
    } finally {
      await db.end();
      await withDatabase((admin) => admin.query(`drop database ${database} with (force)`));
    }
  }, 180_000);

  it("enable RLS on every table in the public schema", async () => {
    const tables = await withDatabase(
      async (db) =>
        (
          await db.query<{ relname: string; relrowsecurity: boolean }>(
            `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind = 'r'`,
          )
        ).rows,
    );
    expect(tables.length).toBeGreaterThan(0);
    expect(tables.filter((table) => !table.relrowsecurity)).toEqual([]);
  });

  it("refuse to start, naming the file, when a migration changed after it was applied", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "an-migrations-"));
    const database = `migrations_${Math.random().toString(36).slice(2, 10)}`;
    await withDatabase((db) => db.query(`create database ${database}`));
    const url = new URL(stack().databaseUrl);
    url.pathname = `/${database}`;
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    try {
      const first = path.join(directory, "20260101000000_first.sql");
      const second = path.join(directory, "20260101000100_second.sql");
      writeFileSync(first, "create table one (id int);");
      writeFileSync(second, "create function two() returns int language sql as 'select 2';");
      expect(await applyMigrations(db, directory)).toEqual(["20260101000000", "20260101000100"]);
      expect(await applyMigrations(db, directory)).toEqual([]);

      // An edit to an applied migration would never reach this database: the start is refused, naming the file.
      writeFileSync(second, "create function two() returns int language sql as 'select 3';");
      await expect(applyMigrations(db, directory)).rejects.toThrow(
        /^Migration 20260101000100_second\.sql was changed after it was applied to this database\./,
      );
      expect((await db.query("select two() as value")).rows[0]).toEqual({ value: 2 });

      // A database migrated before checksums were kept is checked against the text it recorded.
      writeFileSync(second, "create function two() returns int language sql as 'select 2';");
      await db.query("delete from supabase_migrations.migration_checksums");
      expect(await applyMigrations(db, directory)).toEqual([]);
      expect(
        (await db.query("select count(*)::int as n from supabase_migrations.migration_checksums")).rows[0],
      ).toEqual({ n: 2 });
      await db.query("delete from supabase_migrations.migration_checksums");
      writeFileSync(first, "create table one (id bigint);");
      await expect(applyMigrations(db, directory)).rejects.toThrow(/^Migration 20260101000000_first\.sql was changed/);
    } finally {
      await db.end();
      await withDatabase((admin) => admin.query(`drop database ${database}`));
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("are recorded with the checksum of the file as applied", async () => {
    const files = await listMigrations(migrationsDir);
    const recorded = await withDatabase(
      async (db) =>
        (
          await db.query<{ version: string; sha256: string }>(
            "select version, sha256 from supabase_migrations.migration_checksums order by version",
          )
        ).rows,
    );
    const { createHash } = await import("node:crypto");
    expect(recorded).toEqual(
      files.map((file) => ({
        version: file.version,
        sha256: createHash("sha256").update(readFileSync(file.file, "utf8")).digest("hex"),
      })),
    );
  });
});
