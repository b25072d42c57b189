import { beforeAll, describe, expect, it } from "vitest";
import { collectPageErrors, launchBrowser } from "../support/browser";
import { buildCall, buildCast, buildDraftEoi, buildOrganisation, type Cast } from "../support/factories";
import { signInCookie } from "../support/http";
import { stack, withDatabase } from "../support/supabase";

async function postStep(cookie: string, eoi: string, step: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) body.append(name, item);
  body.set("intent", "save");
  const response = await fetch(`${stack().url}/eois/${eoi}/edit/${step}`, {
    method: "POST",
    body,
    headers: { cookie, origin: stack().url },
    redirect: "manual",
  });
  return { status: response.status, html: await response.text() };
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const storedEoi = (id: string) =>
  withDatabase(
    async (db) => (await db.query<Record<string, unknown>>("select * from public.eois where id = $1", [id])).rows[0]!,
  );

let cast: Cast;
let cookie: string;
let eoi: string;
const injection = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;

beforeAll(async () => {
  cast = await buildCast();
  const organisation = await buildOrganisation(cast.applicant);
  eoi = await buildDraftEoi(cast.applicant, organisation, await buildCall(cast.coordinator), false);
  cookie = await signInCookie(cast.applicant);
});

describe("bad input on each step of the EoI form", () => {
  it("contact: a malformed email and a too-long name are named, and what was typed comes back", async () => {
    const longName = "N".repeat(201);
    const { status, html } = await postStep(cookie, eoi, "contact", {
      contact_name: longName,
      contact_email: "not-an-email",
    });
    expect(status).toBe(400);
    expect(html).toContain("Please correct the highlighted fields.");
    expect(html).toContain("Enter a valid email address, like name@example.org.");
    expect(html).toContain(
      "Over the limit by 1 (at most 200 characters). Your text is kept here and saved once it fits.",
    );
    expect(html).toContain(`value="not-an-email"`);
    expect(html).toContain(longName);
    expect((await storedEoi(eoi)).contact_email).not.toBe("not-an-email");
  });

  it("proposal: wrong-type choices and a too-long name are refused; injected markup is stored as text and never run", async () => {
    const refused = await postStep(cookie, eoi, "proposal", {
      centre_name: "C".repeat(201),
      proposed_centre_type: "rocket_ship",
      proposed_scope: "planetary",
      capabilities: ["future_readiness", "time_travel"],
    });
    expect(refused.status).toBe(400);
    expect(refused.html.match(/Choose one of the options\./g)?.length).toBeGreaterThanOrEqual(2);
    expect(refused.html).toContain("Over the limit by 1 (at most 200 characters).");
    expect(refused.html).toContain("C".repeat(201));

    const saved = await postStep(cookie, eoi, "proposal", {
      centre_name: injection,
      capabilities: ["future_readiness"],
    });
    expect(saved.status).toBe(200);
    expect((await storedEoi(eoi)).centre_name).toBe(injection);
    expect(saved.html).not.toContain("<script>window.__pwned");
    expect(saved.html).toContain(
      escapeHtml(injection)
        .replace(/&quot;/g, "&quot;")
        .slice(0, 20),
    );
  });

  it("narrative and resources: texts beyond the limit are refused and kept", async () => {
    const tooLong = "x".repeat(20_001);
    for (const [step, field] of [
      ["narrative", "motivation"],
      ["resources", "governance"],
    ] as const) {
      const { status, html } = await postStep(cookie, eoi, step, { [field]: tooLong });
      expect(status, step).toBe(400);
      expect(html).toContain("Over the limit by 1 (at most 20000 characters).");
      expect(html).toContain(tooLong);
    }
  });

  it("empty: an incomplete EoI cannot be submitted, and the steps that need answers are marked", async () => {
    const body = new URLSearchParams({ intent: "submit" });
    const response = await fetch(`${stack().url}/eois/${eoi}/edit/review`, {
      method: "POST",
      body,
      headers: { cookie, origin: stack().url },
      redirect: "manual",
    });
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(html).toContain("Some required answers are missing");
    expect(html.match(/stepper__item--missing/g)?.length).toBeGreaterThanOrEqual(2);
    expect((await storedEoi(eoi)).status).toBe("draft");
  });

  it("refuses a forged post for another organisation's EoI and leaves it unchanged", async () => {
    const otherOrganisation = await buildOrganisation(cast.outsider);
    const otherEoi = await buildDraftEoi(cast.outsider, otherOrganisation, await buildCall(cast.coordinator));
    const before = await storedEoi(otherEoi);
    const forged = await postStep(cookie, otherEoi, "proposal", {
      centre_name: "Hijacked",
      capabilities: ["future_readiness"],
    });
    expect(forged.status).toBe(400);
    // Refused by RLS; the page then cannot load the other organisation's EoI at all, so it reads "not found".
    expect(forged.html).toContain("Page not found");
    expect(forged.html).not.toContain(before.centre_name);
    const submit = await fetch(`${stack().url}/eois/${otherEoi}/edit/review`, {
      method: "POST",
      body: new URLSearchParams({ intent: "submit" }),
      headers: { cookie, origin: stack().url },
      redirect: "manual",
    });
    expect(submit.status).toBe(400);
    const after = await storedEoi(otherEoi);
    expect(after.centre_name).toBe(before.centre_name);
    expect(after.status).toBe("draft");
    const page = await fetch(`${stack().url}/eois/${otherEoi}/edit/contact`, {
      headers: { cookie, origin: stack().url },
      redirect: "manual",
    });
    expect(page.status).toBe(404);
  });

  it("shows injected markup as text in a real browser, where none of it runs", async () => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ baseURL: stack().url });
      await context.addCookies(
        cookie.split("; ").map((pair) => {
          const [name, ...value] = pair.split("=");
          return { name: name!, value: value.join("="), url: stack().url };
        }),
      );
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      for (const path of [`/eois/${eoi}`, `/eois/${eoi}/edit/review`, `/eois/${eoi}/edit/proposal`]) {
        await page.goto(path);
        expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      }
      expect(await page.getByLabel("Proposed name of the centre").inputValue()).toBe(injection);
      await page.goto(`/eois/${eoi}`);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(injection);
      expect(errors.filter((error) => !error.includes("x"))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
