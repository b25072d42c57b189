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
let cached: { at: number; rows: Promise<Awaited<ReturnType<typeof fetchReferenceRows>>> } | undefined;

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

export async function loadReferenceData(supabase: SupabaseServerClient, language: string) {
  if (!cached || Date.now() - cached.at > REFERENCE_TTL_MS) {
    cached = { at: Date.now(), rows: fetchReferenceRows(supabase) };
    cached.rows.catch(() => (cached = undefined));
  }
  const [types, capabilities, initiatives, priorities, countries] = await cached.rows;
  const countryNames = new Intl.DisplayNames([language, "en"], { type: "region" });
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
      .sort((a, b) => a.label.localeCompare(b.label, language)),
  };
}

export type ReferenceData = Awaited<ReturnType<typeof loadReferenceData>>;
