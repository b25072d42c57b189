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
const english = flatten(resources.en.translation as Tree);

describe("translations", () => {
  for (const { code } of languages) {
    it(`${code} has every English key, no other key, and the same placeholders`, () => {
      const translated = flatten(resources[code].translation as Tree);
      expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [key, text] of english) {
        expect(placeholders(translated.get(key) ?? ""), `${code}:${key}`).toEqual(placeholders(text));
        expect(translated.get(key)?.trim(), `${code}:${key}`).not.toBe("");
      }
    });
  }
});
