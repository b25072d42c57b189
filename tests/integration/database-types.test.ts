import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateDatabaseTypes } from "../../server/db-types";
import { rpcSchemas } from "../../app/validation/rpc";
import { withDatabase } from "../support/supabase";

describe("typed database access", () => {
  it("app/lib/database.types.ts matches the migrated schema (run `npm run db:types` after a migration)", async () => {
    const committed = readFileSync(path.join(import.meta.dirname, "../../app/lib/database.types.ts"), "utf8");
    const generated = await withDatabase((db) => generateDatabaseTypes(db));
    expect(generated).toBe(committed);
  });

  it("has a zod schema for every RPC that people call", async () => {
    const callable = await withDatabase(async (db) =>
      (
        await db.query<{ proname: string }>(
          `select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'public' and has_function_privilege('authenticated', p.oid, 'execute')
           and p.prorettype <> 'trigger'::regtype order by 1`,
        )
      ).rows.map((row) => row.proname),
    );
    expect(Object.keys(rpcSchemas).sort()).toEqual(callable);
  });
});
