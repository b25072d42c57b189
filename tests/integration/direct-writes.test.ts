import { beforeAll, describe, expect, it } from "vitest";
import {
  auditEntries,
  buildCall,
  buildCast,
  buildDraftEoi,
  buildOrganisation,
  rpc,
  type Cast,
} from "../support/factories";
import { anonClient, withDatabase } from "../support/supabase";

/**
 * Issue 10: one write path for everything audited. Read from the catalog, over every schema the API roles can use:
 * anon writes nothing, and authenticated writes only what is listed below with its reason. A table that a
 * transition function writes (found in the functions' source) takes no direct INSERT, DELETE or TRUNCATE, and an
 * UPDATE only of the content columns listed here, never of a state column.
 */

type Privilege = "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE";

/** Direct writes that stay, as `table.privilege` → the columns and why. Nothing else may be granted. */
const allowed: Record<string, { columns: string[]; reason: string }> = {
  "eois.UPDATE": {
    columns: [
      "centre_name",
      "request_kind",
      "proposed_centre_type",
      "proposed_scope",
      "capabilities",
      "regional_initiatives",
      "kigali_priorities",
      "motivation",
      "ecosystem",
      "resources",
      "governance",
      "alignment",
      "contact_name",
      "contact_email",
    ],
    reason:
      "the applicant's draft answers, saved as they type; RLS allows it only to members while the EoI is a draft or " +
      "awaits clarification. Status, dates and assignee change only through transitions.",
  },
  "centre_applications.UPDATE": {
    columns: ["centre_name", "governance", "resources", "partners", "host_details"],
    reason:
      "the applicant's draft answers, saved as they type; RLS allows it only to members while the application is a draft " +
      "or has changes requested. Status, recommendation and decision change only through transitions.",
  },
  "notifications.UPDATE": {
    columns: ["read_at"],
    reason: "a person marks their own notifications read (RLS: recipient only).",
  },
  "profiles.UPDATE": {
    columns: ["display_name", "locale"],
    reason: "a person renames themself and picks their language (RLS: own profile).",
  },
  "eoi_internal_notes.INSERT": {
    columns: ["eoi_id", "body"],
    reason: "BDT's internal notes, append-only; author and time set by the database.",
  },
  "comments.INSERT": {
    columns: ["eoi_id", "application_id", "packet_id", "parent_id", "author_id", "body"],
    reason: "discussion posts under RLS (who may see the record, author must be the caller); time set by the database.",
  },
};

interface Grant {
  schema: string;
  table: string;
  role: "anon" | "authenticated";
  privilege: Privilege;
  /** null: the privilege is held on the whole table. */
  column: string | null;
}

let grants: Grant[];
let transitionOwned: string[];
let tables: string[];

beforeAll(async () => {
  await withDatabase(async (db) => {
    // Every relation in a schema that anon or authenticated may use, apart from the system catalogs.
    const relations = `
      select c.oid, n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f')
        and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
        and (has_schema_privilege('anon', n.oid, 'USAGE') or has_schema_privilege('authenticated', n.oid, 'USAGE'))`;
    grants = (
      await db.query<Grant>(`
      with relations as (${relations}),
           roles(role) as (values ('anon'), ('authenticated')),
           privileges(privilege) as (values ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'))
      select r.nspname as schema, r.relname as table, roles.role, p.privilege, null as column
      from relations r cross join roles cross join privileges p
      where has_table_privilege(roles.role, r.oid, p.privilege)
      union all
      select r.nspname, r.relname, roles.role, p.privilege, a.attname
      from relations r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
      cross join roles cross join (values ('INSERT'), ('UPDATE')) p(privilege)
      where not has_table_privilege(roles.role, r.oid, p.privilege) and has_column_privilege(roles.role, r.oid, a.attnum, p.privilege)
      order by 1, 2, 3, 4, 5`)
    ).rows;
    tables = (await db.query<{ nspname: string; relname: string }>(relations)).rows.map(
      (row) => `${row.nspname}.${row.relname}`,
    );
    // Tables written by a function in our schemas: the transition functions, their helpers and triggers.
    const sources = (
      await db.query<{ src: string }>(`
      select p.prosrc as src from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private', 'api_hooks') and p.prolang in (select oid from pg_language where lanname in ('sql', 'plpgsql'))`)
    ).rows;
    const written = new Set<string>();
    for (const { src } of sources) {
      for (const match of src.matchAll(
        /\b(?:insert\s+into|update|delete\s+from)\s+(?:only\s+)?(public|private)\.([a-z_]+)/gi,
      )) {
        written.add(`${match[1]!.toLowerCase()}.${match[2]!.toLowerCase()}`);
      }
    }
    transitionOwned = [...written].filter((table) => tables.includes(table)).sort();
  });
});

describe("direct writes, over the whole schema", () => {
  it("finds the tables the transition functions write (sanity check of the catalog reading)", () => {
    for (const table of [
      "public.eois",
      "public.calls",
      "public.organisations",
      "public.attachments",
      "public.attachment_contents",
      "public.audit_log",
      "public.notifications",
      "public.votes",
      "public.conflict_declarations",
      "public.role_grants",
    ]) {
      expect(transitionOwned, table).toContain(table);
    }
    expect(tables.length).toBeGreaterThan(25);
  });

  it("gives anon no write privilege on any table", () => {
    expect(grants.filter((grant) => grant.role === "anon")).toEqual([]);
  });

  it("gives authenticated no table-wide INSERT, UPDATE, DELETE or TRUNCATE anywhere", () => {
    expect(grants.filter((grant) => grant.role === "authenticated" && grant.column === null)).toEqual([]);
  });

  it("gives authenticated only the listed column writes, each with its reason, and none on a state column", () => {
    const unexpected = grants.filter(
      (grant) =>
        grant.role === "authenticated" &&
        grant.column !== null &&
        !(grant.schema === "public" && allowed[`${grant.table}.${grant.privilege}`]?.columns.includes(grant.column)),
    );
    expect(unexpected).toEqual([]);
    for (const [key, { reason }] of Object.entries(allowed)) expect(reason.length, key).toBeGreaterThan(20);
    const stateColumns = [
      "status",
      "submitted_at",
      "decided_at",
      "assigned_reviewer_id",
      "organisation_id",
      "created_by",
      "emailed_at",
    ];
    expect(
      grants.filter((grant) => grant.role === "authenticated" && stateColumns.includes(grant.column ?? "")),
    ).toEqual([]);
  });

  it("refuses every direct INSERT, UPDATE and DELETE on a transition-owned table as an applicant through supabase-js", async () => {
    const cast = await buildCast();
    const organisation = await buildOrganisation(cast.applicant);
    const eoi = await buildDraftEoi(cast.applicant, organisation, await buildCall(cast.coordinator));
    const columns = await withDatabase(
      async (db) =>
        (
          await db.query<{ relname: string; attname: string }>(
            `select c.relname, a.attname from pg_class c join pg_attribute a on a.attrelid = c.oid
         where c.relnamespace = 'public'::regnamespace and a.attnum > 0 and not a.attisdropped
           and a.attidentity = '' and a.attgenerated = '' order by a.attnum`,
          )
        ).rows,
    );
    const publicOwned = transitionOwned
      .filter((table) => table.startsWith("public."))
      .map((table) => table.slice("public.".length));
    expect(publicOwned.length).toBeGreaterThan(15);
    for (const client of [cast.applicant.client, anonClient()]) {
      for (const table of publicOwned) {
        const tableColumns = columns.filter((column) => column.relname === table).map((column) => column.attname);
        const updatable = allowed[`${table}.UPDATE`]?.columns ?? [];
        // A plain column nobody may write directly (for EoIs and applications: not a draft answer).
        const target = tableColumns.find((column) => !updatable.includes(column))!;
        const from = () => client.from(table as never);
        const insert = await from().insert({} as never);
        expect(insert.error?.code, `insert into ${table}`).toBe("42501");
        const update = await from()
          .update({ [target]: null } as never)
          .not(target, "is", null);
        expect(update.error?.code, `update ${table}.${target}`).toBe("42501");
        const remove = await from().delete().not(target, "is", null);
        expect(remove.error?.code, `delete from ${table}`).toBe("42501");
      }
    }
    // The EoI is untouched, and its applicant still saves draft answers the allowed way.
    const saved = await cast.applicant.client
      .from("eois")
      .update({ motivation: "Revised motivation." })
      .eq("id", eoi)
      .select("status");
    expect(saved.data).toEqual([{ status: "draft" }]);
  });
});

describe("attachments have one way in", () => {
  let cast: Cast;
  let eoi: string;
  const html = Buffer.from("<html><script>alert(document.cookie)</script></html>");

  beforeAll(async () => {
    cast = await buildCast();
    const organisation = await buildOrganisation(cast.applicant);
    eoi = await buildDraftEoi(cast.applicant, organisation, await buildCall(cast.coordinator));
  });

  it("refuses an applicant's direct insert of an attachment and of its bytes", async () => {
    const id = crypto.randomUUID();
    const row = await cast.applicant.client.from("attachments").insert({
      id,
      eoi_id: eoi,
      file_name: "letter.pdf",
      content_type: "application/pdf",
      size_bytes: html.length,
      sha256: "a".repeat(64),
      uploaded_by: cast.applicant.id,
    });
    expect(row.error?.code).toBe("42501");
    const bytes = await cast.applicant.client
      .from("attachment_contents")
      .insert({ attachment_id: id, content: `\\x${html.toString("hex")}` });
    expect(bytes.error?.code).toBe("42501");
    const stored = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select count(*)::int as n from public.attachments where eoi_id = $1",
            [eoi],
          )
        ).rows[0]!.n,
    );
    expect(stored).toBe(0);
  });

  it("lets add_attachment in, which reads the type from the bytes and writes the audit entry", async () => {
    const refused = await cast.applicant.client.rpc("add_attachment", {
      eoi,
      file_name: "letter.pdf",
      content_type: "application/pdf",
      content_base64: html.toString("base64"),
    });
    expect(refused.error?.hint).toBe("file_type_not_allowed");
    const attachment = await rpc<string>(cast.applicant.client, "add_attachment", {
      eoi,
      file_name: "letter.pdf",
      content_type: "application/pdf",
      content_base64: Buffer.from("%PDF-1.7\n").toString("base64"),
    });
    expect((await auditEntries(eoi)).map((entry) => entry.action)).toContain("add_attachment");
    const removed = await cast.applicant.client.from("attachments").delete().eq("id", attachment).select("id");
    expect(removed.error?.code).toBe("42501");
    await rpc(cast.applicant.client, "remove_attachment", { attachment });
    expect((await auditEntries(eoi)).map((entry) => entry.action)).toContain("remove_attachment");
  });
});
