import { describe, expect, it } from "vitest";
import { anonClient } from "../support/supabase";

const languages = ["ar", "en", "es", "fr", "ru", "zh"];

describe("reference data", () => {
  it("labels every centre type, capability, region, initiative and priority in the six ITU languages", async () => {
    const client = anonClient();
    const tables = [
      ["centre_types", "label, ownership, resources"],
      ["strategic_capabilities", "label, description"],
      ["itu_regions", "label"],
      ["regional_initiatives", "label"],
      ["kigali_priorities", "label"],
    ] as const;
    const counts: Record<string, number> = {};
    for (const [table, columns] of tables) {
      const { data, error } = await client.from(table).select(columns);
      expect(error).toBeNull();
      counts[table] = data!.length;
      for (const row of data as unknown as Record<string, Record<string, string>>[]) {
        for (const label of Object.values(row)) {
          expect(Object.keys(label).sort()).toEqual(languages);
          for (const text of Object.values(label)) expect(text.trim()).not.toBe("");
        }
      }
    }
    expect(counts).toEqual({
      centre_types: 4,
      strategic_capabilities: 5,
      itu_regions: 6,
      regional_initiatives: 7,
      kigali_priorities: 5,
    });
  });

  it("lists the 193 ITU Member States with ISO codes and regions, named in every language by ICU", async () => {
    const { data } = await anonClient().from("countries").select("code, region_code, is_ldc, is_lldc, is_sids");
    expect(data).toHaveLength(193);
    expect([...new Set(data!.map((country) => country.region_code))].sort()).toEqual([
      "AFR",
      "AMS",
      "ARB",
      "ASP",
      "CIS",
      "EUR",
    ]);
    expect(data!.filter((country) => country.is_ldc)).toHaveLength(44);
    // Country names are not stored per language: the UI names them with Intl.DisplayNames from the ISO code.
    for (const language of languages) {
      const names = new Intl.DisplayNames([language], { type: "region" });
      for (const { code } of data!) expect(names.of(code), `${language} ${code}`).not.toBe(code);
    }
  });
});
