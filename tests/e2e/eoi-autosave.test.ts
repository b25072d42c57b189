import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectPageErrors, expectNoAxeViolations, launchBrowser, signedInContext } from "../support/browser";
import { buildCall, buildCast, buildDraftEoi, buildOrganisation, type Cast } from "../support/factories";
import { withDatabase } from "../support/supabase";

// Issue 11: "What a person types is never lost" on the EoI form.
let browser: Browser;
let cast: Cast;
let organisation: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
  organisation = await buildOrganisation(cast.applicant);
});
afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

const signedIn = (): Promise<BrowserContext> => signedInContext(browser, cast.applicant);

async function openStep(context: BrowserContext, eoi: string, step: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  collectPageErrors(page, pageErrors);
  await page.goto(`/eois/${eoi}/edit/${step}`);
  // Hydrated: the status carries data-autosave once the autosave listeners are attached.
  await page.locator(".save-status[data-autosave]").waitFor({ state: "attached" });
  return page;
}

const stored = (eoi: string) =>
  withDatabase(
    async (db) => (await db.query<Record<string, unknown>>("select * from public.eois where id = $1", [eoi])).rows[0]!,
  );

async function waitForStored(eoi: string, check: (row: Record<string, unknown>) => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const row = await stored(eoi);
    if (check(row)) return row;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every text the save status shows, in order, recorded in the page itself. */
async function recordStatus(page: Page) {
  await page.evaluate(() => {
    const status = document.querySelector(".save-status")!;
    const seen: string[] = [status.textContent ?? ""];
    (window as unknown as { __statusSeen: string[] }).__statusSeen = seen;
    new MutationObserver(() => seen.push(status.textContent ?? "")).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  return () => page.evaluate(() => (window as unknown as { __statusSeen: string[] }).__statusSeen);
}

const status = (page: Page) => page.locator(".save-status");

describe("the EoI form never loses what a person types", { timeout: 120_000 }, () => {
  it("keeps a field typed just before the tab is closed", async () => {
    const eoi = await buildDraftEoi(cast.applicant, organisation, await buildCall(cast.coordinator), false);
    const context = await signedIn();
    const page = await openStep(context, eoi, "narrative");
    const text = `Typed a moment before closing the tab ${Date.now()}`;
    await page.getByLabel("Motivation").fill(text);
    // Closed before the debounce fires: only the pagehide/visibilitychange keepalive send can save it.
    await page.close({ runBeforeUnload: false });
    await waitForStored(eoi, (row) => row.motivation === text, "the motivation sent on pagehide");

    const again = await openStep(context, eoi, "narrative");
    expect(await again.getByLabel("Motivation").inputValue()).toBe(text);
    await context.close();
  });

  it("says Saving… until the server has the latest change, and only then All changes saved", async () => {
    const eoi = await buildDraftEoi(cast.applicant, organisation, await buildCall(cast.coordinator), false);
    const context = await signedIn();
    const page = await openStep(context, eoi, "narrative");
    const seen = await recordStatus(page);
    // Hold every autosave request until the test lets it through: a slow server.
    const held: Route[] = [];
    await page.route("**/autosave", (route) => void held.push(route));

    await page.getByLabel("Motivation").fill("First version");
    await status(page).filter({ hasText: "Saving…" }).waitFor();
    await expect.poll(() => held.length, { timeout: 15_000 }).toBe(1);
    // The debounce has fired and the request is waiting: still not saved, and the page says so.
    expect(await status(page).textContent()).toBe("Saving…");
    expect((await stored(eoi)).motivation).toBeNull();

    await held.shift()!.continue();
    await page.unroute("**/autosave");
    await status(page).filter({ hasText: "All changes saved." }).waitFor();
    expect((await stored(eoi)).motivation).toBe("First version");

    // A later change turns the status back to Saving… at once, before any request.
    await page.route("**/autosave", (route) => void held.push(route));
    await page.getByLabel("Ecosystem and partners").fill("Two incubators");
    expect(await status(page).textContent()).toBe("Saving…");
    await expect.poll(() => held.length, { timeout: 15_000 }).toBe(1);
    expect(await status(page).textContent()).toBe("Saving…");
    await held.shift()!.continue();
    await page.unroute("**/autosave");
    await status(page).filter({ hasText: "All changes saved." }).waitFor();
    expect((await stored(eoi)).ecosystem).toBe("Two incubators");

    // "All changes saved." appeared exactly twice, each time after the request was let through.
    const texts = (await seen()).filter((text, index, all) => text !== all[index - 1]);
    expect(texts).toEqual(["", "Saving…", "All changes saved.", "Saving…", "All changes saved."]);
    await context.close();
  });

  it("keeps a 25,000-character paste, says how much is over, and still saves the other fields", async () => {
    const eoi = await buildDraftEoi(cast.applicant, organisation, await buildCall(cast.coordinator), false);
    const context = await signedIn();
    const page = await openStep(context, eoi, "narrative");
    const motivation = page.getByLabel("Motivation");
    await motivation.click();
    await page.keyboard.type("Hello");
    // A live count on every limited field.
    await page.getByText("5 of 20,000 characters").waitFor();
    expect(await page.locator("#field-ecosystem-count").textContent()).toBe("0 of 20,000 characters");

    const pasted = "p".repeat(25_000);
    await motivation.fill(pasted);
    await page.getByText("25,000 of 20,000 characters: 5,000 over the limit").waitFor();
    await page.getByLabel("Ecosystem and partners").fill("Maseno University and the county government.");
    await status(page).filter({ hasText: "Not everything is saved" }).waitFor();
    await page
      .getByText("Over the limit by 5000 (at most 20000 characters). Your text is kept here and saved once it fits.")
      .waitFor();
    expect(await motivation.inputValue()).toHaveLength(25_000);
    expect(await motivation.getAttribute("aria-invalid")).toBe("true");
    await waitForStored(
      eoi,
      (row) => row.ecosystem === "Maseno University and the county government.",
      "the other field saved",
    );
    expect((await stored(eoi)).motivation).toBeNull();
    await expectNoAxeViolations(page);

    // Leaving now would lose the pasted text: the browser asks first.
    const dialog = new Promise<string>((resolve) =>
      page.once("dialog", (asked) => {
        resolve(asked.type());
        void asked.dismiss();
      }),
    );
    await page.close({ runBeforeUnload: true });
    expect(await dialog).toBe("beforeunload");
    expect(page.isClosed()).toBe(false);

    // Shortened to fit, it is saved and the page says so.
    await motivation.fill("p".repeat(20_000));
    await status(page).filter({ hasText: "All changes saved." }).waitFor();
    expect(((await stored(eoi)).motivation as string).length).toBe(20_000);
    expect(await page.getByText("Over the limit by").count()).toBe(0);
    await context.close();
  });
});
