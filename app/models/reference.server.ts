import { databaseError } from "~/lib/db-read.server";
import type { Json } from "~/lib/database.types";
import type { SupabaseServerClient } from "~/lib/supabase.server";

export interface Option {
  code: string;
  label: string;
}

/** Picks the reader's language from a translated label, falling back to English. */
export function labelIn(label: Json, language: string): string {
  const texts = (label ?? {}) as Record<string, string>;
  return texts[language] ?? texts.en ?? "";
}

/**
 * Reference data is public (RLS lets anyone read it) and changes only with a migration, so one copy is shared by
 * every request for a minute instead of five queries per page.
 */
const REFERENCE_TTL_MS = 60_000;
type ReferenceRows = Awaited<ReturnType<typeof fetchReferenceRows>>;
let cached: { at: number; rows: Promise<ReferenceRows>; byLanguage: Map<string, Promise<ReferenceData>> } | undefined;

async function fetchReferenceRows(supabase: SupabaseServerClient) {
  const results = await Promise.all([
    supabase.from("centre_types").select("code, label, ownership, resources, typical_scopes").order("position"),
    supabase.from("strategic_capabilities").select("code, label, description").order("position"),
    supabase.from("regional_initiatives").select("code, label").order("code"),
    supabase.from("kigali_priorities").select("code, label").order("position"),
    supabase.from("countries").select("code, region_code").order("code"),
  ]);
  for (const result of results) {
    if (result.error) throw databaseError("reference data", result.error);
  }
  return results;
}

export function loadReferenceData(supabase: SupabaseServerClient, language: string) {
  if (!cached || Date.now() - cached.at > REFERENCE_TTL_MS) {
    cached = { at: Date.now(), rows: fetchReferenceRows(supabase), byLanguage: new Map() };
    cached.rows.catch(() => (cached = undefined));
  }
  // Labelled and sorted once per language while the rows are cached: sorting 193 country names with
  // `localeCompare` built an ICU collator per comparison, milliseconds of CPU on every page (issue 14).
  let labelled = cached.byLanguage.get(language);
  if (!labelled) {
    labelled = cached.rows.then((rows) => labelReferenceRows(rows, language));
    cached.byLanguage.set(language, labelled);
  }
  return labelled;
}

function labelReferenceRows(rows: ReferenceRows, language: string) {
  const [types, capabilities, initiatives, priorities, countries] = rows;
  const countryNames = new Intl.DisplayNames([language, "en"], { type: "region" });
  const collator = new Intl.Collator(language);
  return {
    centreTypes: types.data!.map((row) => ({
      code: row.code,
      label: labelIn(row.label, language),
      ownership: labelIn(row.ownership, language),
      resources: labelIn(row.resources, language),
      scopes: row.typical_scopes,
    })),
    capabilities: capabilities.data!.map((row) => ({
      code: row.code,
      label: labelIn(row.label, language),
      description: labelIn(row.description, language),
    })),
    initiatives: initiatives.data!.map((row) => ({ code: row.code, label: labelIn(row.label, language) })),
    priorities: priorities.data!.map((row) => ({ code: row.code, label: labelIn(row.label, language) })),
    // Country names come from ICU in the reader's language; the database keeps ISO codes.
    countries: countries
      .data!.map((row) => ({ code: row.code, region: row.region_code, label: countryNames.of(row.code) ?? row.code }))
      .sort((a, b) => collator.compare(a.label, b.label)),
  };
}

export type ReferenceData = ReturnType<typeof labelReferenceRows>;
