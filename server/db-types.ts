import type pg from "pg";

/**
 * Generates `app/lib/database.types.ts` in the shape `supabase gen types typescript` produces, by reading the
 * migrated schema from pg_catalog. The Supabase CLI needs Docker or a hosted project, neither available here;
 * a test regenerates the file and fails when the committed one is stale, so a renamed column breaks the typecheck.
 */
interface ColumnRow {
  table_name: string;
  column_name: string;
  type: string;
  element_type: string | null;
  is_array: boolean;
  nullable: boolean;
  has_default: boolean;
  generated: boolean;
  position: number;
}

interface FunctionRow {
  name: string;
  arg_names: string[] | null;
  arg_types: string[];
  arg_defaults: number;
  returns: string;
  returns_set: boolean;
  returns_table: { name: string; type: string }[] | null;
}

const scalar: Record<string, string> = {
  uuid: "string",
  text: "string",
  varchar: "string",
  bpchar: "string",
  citext: "string",
  name: "string",
  timestamptz: "string",
  timestamp: "string",
  date: "string",
  time: "string",
  inet: "string",
  bytea: "string",
  int2: "number",
  int4: "number",
  int8: "number",
  float4: "number",
  float8: "number",
  numeric: "number",
  bool: "boolean",
  json: "Json",
  jsonb: "Json",
  translated_text: "Json",
  tsvector: "unknown",
  void: "undefined",
};

function tsType(type: string, enums: Set<string>): string {
  if (enums.has(type)) return `Database["public"]["Enums"]["${type}"]`;
  return scalar[type] ?? "unknown";
}

export async function generateDatabaseTypes(db: pg.Client): Promise<string> {
  const enumRows = (
    await db.query<{ name: string; labels: string[] }>(
      `select t.typname as name, array_agg(e.enumlabel order by e.enumsortorder)::text[] as labels
       from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
       where n.nspname = 'public' group by t.typname order by t.typname`,
    )
  ).rows;
  const enums = new Set(enumRows.map((row) => row.name));

  const columns = (
    await db.query<ColumnRow>(
      `select c.relname as table_name, a.attname as column_name,
              case when t.typtype = 'd' and t.typname <> 'translated_text' then bt.typname else t.typname end as type,
              et.typname as element_type, t.typcategory = 'A' as is_array, not a.attnotnull as nullable,
              a.atthasdef or a.attidentity <> '' as has_default, a.attgenerated <> '' as generated, a.attnum as position
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_type t on t.oid = a.atttypid
       left join pg_type bt on bt.oid = t.typbasetype
       left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
       where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
       order by c.relname, a.attnum`,
    )
  ).rows;

  const functions = (
    await db.query<FunctionRow>(
      `select p.proname as name, p.proargnames[1:p.pronargs] as arg_names,
              array(select format_type(unnest, null) from unnest(p.proargtypes::oid[])) as arg_types,
              p.pronargdefaults as arg_defaults, format_type(p.prorettype, null) as returns, p.proretset as returns_set,
              case when p.proargmodes is not null then (
                select json_agg(json_build_object('name', p.proargnames[i], 'type', format_type(p.proallargtypes[i], null)) order by i)
                from generate_subscripts(p.proargmodes, 1) i where p.proargmodes[i] = 't') end as returns_table
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public' and p.prokind = 'f'
       order by p.proname`,
    )
  ).rows;

  const foreignKeys = (
    await db.query<{
      table_name: string;
      name: string;
      columns: string[];
      referenced: string;
      referenced_columns: string[];
      one_to_one: boolean;
    }>(
      `select c.relname as table_name, con.conname as name,
              array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
                    join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i)::text[] as columns,
              rc.relname as referenced,
              array(select a.attname from unnest(con.confkey) with ordinality k(n, i)
                    join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)::text[] as referenced_columns,
              exists (select 1 from pg_index i where i.indrelid = con.conrelid and i.indisunique
                      and (i.indkey::int2[])::int2[] @> con.conkey and cardinality(con.conkey) = i.indnatts) as one_to_one
       from pg_constraint con
       join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class rc on rc.oid = con.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
       where con.contype = 'f' and n.nspname = 'public' and rn.nspname = 'public'
       order by c.relname, con.conname`,
    )
  ).rows;

  const typeOf = (column: ColumnRow) => {
    if (column.is_array) return `${tsType(column.element_type?.replace(/^_/, "") ?? "", enums)}[]`;
    return tsType(column.type, enums);
  };
  const pgTypeToTs = (formatted: string) => {
    const isArray = formatted.endsWith("[]");
    const base = formatted
      .replace(/\[\]$/, "")
      .replace(/^public\./, "")
      .replace(/^"|"$/g, "");
    const mapped =
      {
        "timestamp with time zone": "string",
        "timestamp without time zone": "string",
        "character varying": "string",
        character: "string",
        integer: "number",
        bigint: "number",
        smallint: "number",
        boolean: "boolean",
        "double precision": "number",
      }[base] ?? tsType(base, enums);
    return isArray ? `${mapped}[]` : mapped;
  };

  const tables = new Map<string, ColumnRow[]>();
  for (const column of columns) tables.set(column.table_name, [...(tables.get(column.table_name) ?? []), column]);

  const lines: string[] = [
    "// Generated by `npm run db:types` from the migrated schema; do not edit by hand.",
    "// tests/integration/database-types.test.ts fails when this file no longer matches supabase/migrations.",
    "export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];",
    "",
    "export type Database = {",
    "  public: {",
    "    Tables: {",
  ];
  // `unknown` already includes null (`unknown | null` is redundant).
  const columnType = (column: ColumnRow) => {
    const type = typeOf(column);
    return column.nullable && type !== "unknown" ? `${type} | null` : type;
  };
  for (const [table, tableColumns] of tables) {
    lines.push(`      ${table}: {`);
    lines.push("        Row: {");
    for (const column of tableColumns) lines.push(`          ${column.column_name}: ${columnType(column)};`);
    lines.push("        };");
    lines.push("        Insert: {");
    for (const column of tableColumns) {
      if (column.generated) lines.push(`          ${column.column_name}?: never;`);
      else
        lines.push(
          `          ${column.column_name}${column.nullable || column.has_default ? "?" : ""}: ${columnType(column)};`,
        );
    }
    lines.push("        };");
    lines.push("        Update: {");
    for (const column of tableColumns) {
      if (column.generated) lines.push(`          ${column.column_name}?: never;`);
      else lines.push(`          ${column.column_name}?: ${columnType(column)};`);
    }
    lines.push("        };");
    const relationships = foreignKeys.filter((key) => key.table_name === table);
    if (relationships.length === 0) {
      lines.push("        Relationships: [];");
    } else {
      lines.push("        Relationships: [");
      for (const key of relationships) {
        lines.push(
          `          { foreignKeyName: "${key.name}"; columns: [${key.columns.map((c) => `"${c}"`).join(", ")}]; ` +
            `isOneToOne: ${key.one_to_one}; referencedRelation: "${key.referenced}"; ` +
            `referencedColumns: [${key.referenced_columns.map((c) => `"${c}"`).join(", ")}] },`,
        );
      }
      lines.push("        ];");
    }
    lines.push("      };");
  }
  lines.push("    };", "    Views: { [_ in never]: never };", "    Functions: {");
  for (const fn of functions) {
    if (fn.returns === "trigger") continue;
    const names = fn.arg_names ?? [];
    const optionalFrom = fn.arg_types.length - fn.arg_defaults;
    const args = fn.arg_types.map(
      (type, index) => `${names[index]}${index >= optionalFrom ? "?" : ""}: ${pgTypeToTs(type)}`,
    );
    const returns = fn.returns_table
      ? `{ ${fn.returns_table.map((column) => `${column.name}: ${pgTypeToTs(column.type)}`).join("; ")} }[]`
      : `${pgTypeToTs(fn.returns)}${fn.returns_set ? "[]" : ""}`;
    lines.push(`      ${fn.name}: {`);
    lines.push(`        Args: ${args.length ? `{ ${args.join("; ")} }` : "Record<PropertyKey, never>"};`);
    lines.push(`        Returns: ${returns};`);
    lines.push("      };");
  }
  lines.push("    };", "    Enums: {");
  for (const row of enumRows)
    lines.push(`      ${row.name}: ${row.labels.map((label) => JSON.stringify(label)).join(" | ")};`);
  lines.push("    };", "    CompositeTypes: { [_ in never]: never };", "  };", "};", "");
  lines.push(
    'export type Tables<T extends keyof Database["public"]["Tables"]> = Database["public"]["Tables"][T]["Row"];',
  );
  lines.push('export type Enums<T extends keyof Database["public"]["Enums"]> = Database["public"]["Enums"][T];');
  lines.push(
    'export type RpcArgs<T extends keyof Database["public"]["Functions"]> = Database["public"]["Functions"][T]["Args"];',
  );
  lines.push("");
  return lines.join("\n");
}
