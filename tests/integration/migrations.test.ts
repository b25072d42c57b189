import { readFileSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { applyMigrations, listMigrations } from "../../server/embedded/migrations";
import { migrationsDir } from "../../server/embedded/stack";
import { readSecrets } from "../support/server-process";
import { stack, withDatabase } from "../support/supabase";

/** Everything a migration could change, in one comparable value. */
async function schemaFingerprint(db: pg.Client) {
  const columns = await db.query(
    `select table_schema, table_name, column_name, data_type, is_nullable, column_default
     from information_schema.columns where table_schema in ('public', 'private', 'auth')
     order by 1, 2, 3`,
  );
  const policies = await db.query("select schemaname, tablename, policyname, cmd, qual, with_check from pg_policies order by 1, 2, 3");
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
    const recorded = await withDatabase(async (db) =>
      (await db.query<{ version: string }>("select version from supabase_migrations.schema_migrations order by version")).rows,
    );
    expect(recorded.map((row) => row.version)).toEqual(files.map((file) => file.version));
  });

  it("applied twice change nothing", async () => {
    await withDatabase(async (db) => {
      const before = await schemaFingerprint(db);
      expect(await applyMigrations(db, migrationsDir)).toEqual([]);
      // The embedded bootstrap is re-run at every start too.
      const { authenticatorPassword } = readSecrets(stack().dataDir);
      await db.query("select set_config('embedded.authenticator_password', $1, false)", [authenticatorPassword]);
      const bootstrap = readFileSync(path.join(import.meta.dirname, "../../server/embedded/supabase-bootstrap.sql"), "utf8");
      await db.query(bootstrap);
      expect(await schemaFingerprint(db)).toEqual(before);
    });
  });

  it("enable RLS on every table in the public schema", async () => {
    const tables = await withDatabase(async (db) =>
      (await db.query<{ relname: string; relrowsecurity: boolean }>(
        `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind = 'r'`,
      )).rows,
    );
    expect(tables.length).toBeGreaterThan(0);
    expect(tables.filter((table) => !table.relrowsecurity)).toEqual([]);
  });
});
