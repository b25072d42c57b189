import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { dispatchIntent, parseIntentForm } from "../../app/lib/form-data.server";

/** Issue 13: every action with intents parses one discriminated union and dispatches to one handler per intent. */

const form = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("note"), body: z.string().trim().min(1, "errors.required") }),
  z.object({ intent: z.literal("start") }),
]);
const formData = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
};

describe("parseIntentForm", () => {
  it("gives each intent its own typed fields", () => {
    expect(parseIntentForm(form, formData({ intent: "note", body: " Hello " }))).toEqual({
      success: true,
      data: { intent: "note", body: "Hello" },
    });
  });

  it("returns the field errors as i18n keys, with the intent and what was typed", () => {
    expect(parseIntentForm(form, formData({ intent: "note", body: " " }))).toEqual({
      success: false,
      intent: "note",
      fieldErrors: { body: { key: "errors.required" } },
      values: { intent: "note", body: " " },
    });
  });

  for (const fields of [{ intent: "delete-everything" }, {}] as Record<string, string>[]) {
    it(`answers ${JSON.stringify(fields)} (an intent no page renders) with a 400, never a 500`, () => {
      let thrown: unknown;
      try {
        parseIntentForm(form, formData(fields));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Response);
      expect((thrown as Response).status).toBe(400);
    });
  }
});

describe("dispatchIntent", () => {
  it("calls the handler of the form's intent only, with its fields", async () => {
    const called: string[] = [];
    const note: z.infer<typeof form> = { intent: "note", body: "Hi" };
    const result = await dispatchIntent(note, {
      note: ({ body }) => {
        called.push(`note:${body}`);
        return Promise.resolve("noted");
      },
      start: () => {
        called.push("start");
        return Promise.resolve("started");
      },
    });
    expect(result).toBe("noted");
    expect(called).toEqual(["note:Hi"]);
  });
});

describe("every action route", () => {
  const routesDir = path.join(import.meta.dirname, "../../app/routes");
  const routes = readdirSync(routesDir)
    .filter((file) => file.endsWith(".tsx"))
    .map((file) => ({ file, source: readFileSync(path.join(routesDir, file), "utf8") }));

  it("reads its intent through parseIntentForm, never by hand", () => {
    const byHand = routes.filter(({ source }) => /get\(\s*["']intent["']\s*\)/.test(source)).map(({ file }) => file);
    expect(byHand).toEqual([]);
    const withIntents = routes.filter(({ source }) => /name="intent"/.test(source));
    expect(withIntents.length).toBeGreaterThan(5);
    for (const { file, source } of withIntents) {
      expect(source, file).toMatch(/parseIntentForm\(/);
      expect(source, file).toMatch(/dispatchIntent\(/);
    }
  });
});
