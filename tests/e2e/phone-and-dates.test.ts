import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectPageErrors, expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import {
  buildCall,
  buildCast,
  buildDraftEoi,
  buildEoiInState,
  buildOrganisation,
  rpc,
  type Cast,
} from "../support/factories";
import { stack, type TestUser } from "../support/supabase";

/**
 * Issue 17: a 390 px phone never scrolls the page sideways (the queue shows its results first, the Russian
 * centre-type guidance stays on the screen); every moment is shown in the reader's zone, named, with server and
 * hydration agreeing; a decided EoI keeps its validation record, and internal notes name their author and time.
 */
let browser: Browser;
let cast: Cast;
let draft = "";
let decided = "";
const pageErrors: string[] = [];
const note = `Checked the letters of support (${Date.now().toString(36)}).`;

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
  const organisation = await buildOrganisation(cast.applicant);
  draft = await buildDraftEoi(cast.applicant, organisation, await buildCall(cast.coordinator));
  ({ eoi: decided } = await buildEoiInState(cast, "validated"));
  await cast.reviewer.client.from("eoi_internal_notes").insert({ eoi_id: decided, body: note });
  // Enough rows in the reviewer's own view for a long table.
  for (let i = 0; i < 3; i++) {
    const { eoi } = await buildEoiInState(cast, "submitted");
    await rpc(cast.coordinator.client, "assign_eois", { eoi_ids: [eoi], reviewer: cast.reviewer.id });
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

async function signedIn(
  user: TestUser,
  options: { width?: number; timezoneId?: string } = {},
): Promise<{ page: Page; context: BrowserContext }> {
  return signedInPage(browser, user, {
    timezoneId: options.timezoneId ?? "Asia/Tokyo",
    viewport: { width: options.width ?? 1280, height: 844 },
    errors: pageErrors,
  });
}

const pageWidth = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth);

describe("a 390 px phone", { timeout: 120_000 }, () => {
  it("shows the queue's results first, filters folded, without sideways scrolling of the page", async () => {
    const { page } = await signedIn(cast.reviewer, { width: 390 });
    await page.goto("/review?assignee=me");
    await page.getByText("3 Expressions of Interest match.").waitFor();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    expect(await page.locator("details.filters-fold").getAttribute("open")).toBeNull();
    const tableTop = await page.locator("table").evaluate((table) => table.getBoundingClientRect().top);
    // Today the results started 897 px down, below the first screen; now they start within it.
    expect(tableTop).toBeLessThan(700);
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("keeps the EoI form and its centre-type guidance in Russian on the screen", async () => {
    const { page, context } = await signedIn(cast.applicant, { width: 390 });
    // The language menu's cookie (Remix's createCookie: base64 of the JSON value), as if Russian had been chosen.
    await context.addCookies([
      { name: "lang", value: encodeURIComponent(btoa(JSON.stringify("ru"))), url: stack().url },
    ]);
    await page.goto(`/eois/${draft}/edit/proposal`);
    await page.locator("html[lang=ru]").waitFor({ state: "attached" });
    await page.locator("aside.guidance table").waitFor();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    const guidanceRight = await page.locator("aside.guidance").evaluate((aside) => aside.getBoundingClientRect().right);
    expect(guidanceRight).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(page);
    await context.close();
  });
});

describe("notification settings on a phone", { timeout: 120_000 }, () => {
  it("saves a choice per kind of notification, creates a calendar address and asks before replacing it", async () => {
    const { page, context } = await signedIn(cast.applicant, { width: 390 });
    await page.goto("/settings/notifications");
    await page.getByRole("heading", { level: 1, name: "Notification settings" }).waitFor();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(page);
    const comments = page.getByRole("group", { name: "Comments on plans and Board packets you take part in" });
    await comments.getByLabel("In a daily digest email").check();
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page.getByText("Your choices are saved").waitFor();
    // "Saved" is true: the server has it, and a fresh page shows it.
    await page.reload();
    expect(await comments.getByLabel("In a daily digest email").isChecked()).toBe(true);
    expect(await comments.getByLabel("Email immediately").isChecked()).toBe(false);

    await page.getByRole("button", { name: "Create my calendar address" }).click();
    const address = await page.getByLabel(/Your private calendar address/).inputValue();
    expect(address).toMatch(/\/calendar\/[^/]+\.ics$/);
    // Replacing the address stops the old one, so it asks first; cancelling changes nothing.
    await page.getByRole("button", { name: "Replace my calendar address" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Replace your calendar address?" });
    await dialog.waitFor();
    await expectNoAxeViolations(page);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await page.request.get(new URL(address).pathname)).status()).toBe(200);
    await page.getByRole("button", { name: "Replace my calendar address" }).click();
    await dialog.getByRole("button", { name: "Replace the address" }).click();
    // The notice is already there from creating the first address: wait for the new address itself.
    await page.waitForFunction(
      (old) =>
        (document.getElementById("feed-url") as HTMLInputElement | null)?.value.endsWith(".ics") === true &&
        (document.getElementById("feed-url") as HTMLInputElement).value !== old,
      address,
    );
    expect((await page.request.get(new URL(address).pathname)).status()).toBe(404);
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await context.close();
  });
});

describe("dates and the validation record", { timeout: 120_000 }, () => {
  it("keeps a decided EoI's checklist, recommendations, decider and time, with notes' authors, in the reader's zone", async () => {
    const { page, context } = await signedIn(cast.reviewer, { timezoneId: "Asia/Tokyo" });
    await page.goto(`/review/${decided}`);
    const record = page.locator("section.decision-record");
    await record.getByText("Decision record").waitFor();
    await record.getByText("Complete: checked").waitFor();
    await record.getByText("Governance clear: not checked").waitFor();
    await record.getByText("Initiative Accelerator Centre").first().waitFor();
    await record.getByText("Entrepreneurship and SME growth").first().waitFor();
    await record.getByText("Reviewer", { exact: false }).first().waitFor();
    // The zone is named, and it is the reader's (Tokyo is GMT+9), on the record, the notes and the history alike.
    expect(await record.locator("time").textContent()).toMatch(/GMT\+9|JST/);
    const noteItem = page.locator(".notes li", { hasText: note });
    await noteItem.getByText("Reviewer").waitFor();
    expect(await noteItem.locator("time").textContent()).toMatch(/GMT\+9|JST/);
    const history = await page.locator(".timeline time").allTextContents();
    expect(history.length).toBeGreaterThan(0);
    for (const text of history) expect(text).toMatch(/GMT\+9|JST/);
    await expectNoAxeViolations(page);
    await context.close();
  });

  it("renders UTC, named, for a reader whose zone is not known yet, then the reader's own zone", async () => {
    const context = await browser.newContext({
      baseURL: stack().url,
      locale: "en-GB",
      timezoneId: "America/Lima",
    });
    const page = await context.newPage();
    collectPageErrors(page, pageErrors);
    // The server has never seen this browser: the first HTML names UTC, never an unnamed or mixed zone.
    const response = await page.request.get("/calls", { headers: { cookie: "" } });
    const html = await response.text();
    const times = [...html.matchAll(/<time[^>]*>([^<]*)<\/time>/g)].map((match) => match[1]!);
    for (const text of times) expect(text).toMatch(/UTC/);
    // A forged zone falls back to UTC too.
    const forged = await page.request.get("/calls", { headers: { cookie: "tz=Mars%2FOlympus" } });
    for (const match of (await forged.text()).matchAll(/<time[^>]*>([^<]*)<\/time>/g)) expect(match[1]).toMatch(/UTC/);
    // In the browser, the page settles on the reader's zone (Lima is GMT-5) without a hydration error.
    await page.goto("/calls");
    if (times.length > 0) await page.locator("time", { hasText: /GMT-5/ }).first().waitFor();
    await context.close();
  });
});
