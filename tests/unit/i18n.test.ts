import { describe, expect, it } from "vitest";
import { languages, resources } from "../../app/i18n/config";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") entries.set(path, value);
    else for (const [nested, text] of flatten(value, path)) entries.set(nested, text);
  }
  return entries;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]).sort();
const english = flatten(resources.en.translation);
const pluralSuffix = /_(zero|one|two|few|many|other)$/;

/** Plural keys differ by language (Arabic has six forms, Chinese one): compare their base names, then the forms. */
function baseKeys(keys: Iterable<string>) {
  return [...new Set([...keys].map((key) => key.replace(pluralSuffix, "")))].sort();
}

describe("translations", () => {
  for (const { code } of languages) {
    it(`${code} has every English key, no other key, and the same placeholders`, () => {
      const translated = flatten(resources[code].translation);
      expect(baseKeys(translated.keys())).toEqual(baseKeys(english.keys()));
      const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
      for (const [key, text] of english) {
        if (pluralSuffix.test(key)) {
          const base = key.replace(pluralSuffix, "");
          for (const category of categories) {
            const form = translated.get(`${base}_${category}`);
            expect(form?.trim(), `${code}:${base}_${category}`).toBeTruthy();
            expect(
              placeholders(form ?? "").filter((name) => name !== "count"),
              `${code}:${base}_${category}`,
            ).toEqual(placeholders(text).filter((name) => name !== "count"));
          }
          continue;
        }
        expect(placeholders(translated.get(key) ?? ""), `${code}:${key}`).toEqual(placeholders(text));
        expect(translated.get(key)?.trim(), `${code}:${key}`).not.toBe("");
      }
    });
  }
});
