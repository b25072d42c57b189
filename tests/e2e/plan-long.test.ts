import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { buildApplication, buildCast } from "../support/factories";
import type { TestUser } from "../support/supabase";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const signedIn = (user: TestUser) =>
  signedInPage(browser, user, { viewport: { width: 1280, height: 720 }, timeout: 30_000 });

const surface = (page: Page) => page.locator(".plan-editor__surface");

async function openPlan(page: Page, plan: string) {
  await page.goto(`/plans/${plan}`);
  await page.getByText("Connected").first().waitFor();
  await surface(page).getByText("Risks").first().waitFor();
}

/** Whether an element's top edge is inside the window (below nothing but the page's own sticky bars). */
const inView = (locator: Locator) =>
  locator.evaluate((element) => {
    const { top, bottom } = element.getBoundingClientRect();
    return bottom > 0 && top < window.innerHeight;
  });

describe("working in a long plan (issue 18)", { timeout: 300_000 }, () => {
  it("has an outline with comment counts that jumps, names that jump to carets, comments beside their passages, and fits a phone", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const applicant = await signedIn(cast.applicant);
    const reviewer = await signedIn(cast.reviewer);
    const page = applicant.page;
    await openPlan(page, plan);
    await page.locator('.plan-editor__surface[contenteditable="true"]').waitFor();

    // A comment on the text under the last "Risks" heading.
    const lastRisks = surface(page).locator("h3:has-text('Risks') + p").last();
    await lastRisks.dblclick({ position: { x: 12, y: 8 } });
    await page.getByRole("button", { name: "Comment on selection" }).click();
    await page.getByLabel("Comment", { exact: true }).fill("Which risks are insured?");
    await page.getByRole("button", { name: "Post comment" }).click();
    await page.locator(".comment-anchor").first().waitFor();

    // The outline names every section and counts the open comment under "Risks"; it jumps there.
    const outline = page.getByRole("navigation", { name: "Outline" });
    const headings = await surface(page).locator("h1, h2, h3, h4").allTextContents();
    await outline.getByRole("button", { name: /Risks\s*1 comment/ }).waitFor();
    expect(
      (await outline.getByRole("button").allTextContents()).map((text) => text.replace(/\d+ comments?$/, "")),
    ).toEqual(headings.map((text) => text.trim()));
    await page.evaluate(() => window.scrollTo(0, 0));
    const lastHeading = surface(page).locator("h3:has-text('Risks')").last();
    expect(await inView(lastHeading)).toBe(false);
    await outline.getByRole("button", { name: /Risks\s*1 comment/ }).click();
    await page.waitForFunction(() => {
      const all = document.querySelectorAll(".plan-editor__surface h3");
      const target = Array.from(all)
        .filter((heading) => heading.textContent?.includes("Risks"))
        .pop();
      const box = target?.getBoundingClientRect();
      return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight;
    });

    // On a wide screen the comment's card sits beside its passage.
    const card = page.locator(".plan-layout__side .thread", { hasText: "Which risks are insured?" });
    await page.waitForFunction(() => {
      const passage = document.querySelector(".comment-anchor")?.getBoundingClientRect();
      const thread = document.querySelector(".plan-layout__side .thread")?.getBoundingClientRect();
      return passage && thread && Math.abs(passage.top - thread.top) < 24;
    });
    // From the card back to its passage.
    await page.evaluate(() => window.scrollTo(0, 0));
    await card.getByRole("button", { name: "Show the passage in the plan" }).click();
    await page.waitForFunction(() => {
      const box = document.querySelector(".comment-anchor")?.getBoundingClientRect();
      return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight;
    });

    // A collaborator's name jumps to their caret.
    await openPlan(reviewer.page, plan);
    await reviewer.page.locator('.plan-editor__surface[contenteditable="true"]').waitFor();
    await surface(reviewer.page).locator("h3:has-text('Risks') + p").last().click();
    await reviewer.page.keyboard.press("End");
    await reviewer.page.keyboard.type(" Checked by BDT.", { delay: 5 });
    const caret = page.locator(".collaboration-carets__caret", { hasText: "Reviewer" });
    await caret.waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await inView(caret)).toBe(false);
    await page.getByRole("button", { name: "Go to where Reviewer is" }).click();
    await page.waitForFunction(() => {
      const box = document.querySelector(".collaboration-carets__caret")?.getBoundingClientRect();
      return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight;
    });
    expect(await page.getByRole("button", { name: "Go to where Applicant is" }).count()).toBe(0);
    await expectNoAxeViolations(page);
    await reviewer.context.close();

    // On a 390 px phone: no sideways scrolling of the page, tables scroll within themselves, the outline is folded,
    // and a tap in a commented passage leads to its comment.
    await page.setViewportSize({ width: 390, height: 800 });
    await openPlan(page, plan);
    await page.locator('.plan-editor__surface[contenteditable="true"]').waitFor();
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await outline.locator("details").evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
    const table = surface(page).locator(".tableWrapper").first();
    expect(await table.getAttribute("tabindex")).toBe("0");
    expect(await table.getAttribute("aria-label")).toBe("Table 1 (scrolls sideways)");
    const scrolled = await table.evaluate((wrapper) => {
      const wider = wrapper.scrollWidth > wrapper.clientWidth;
      wrapper.scrollLeft = 80;
      return { wider, moved: wrapper.scrollLeft > 0 };
    });
    expect(scrolled).toEqual({ wider: true, moved: true });
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
    // Editing on the phone: type into the passage, then go from it to its comment.
    await page.locator(".comment-anchor").first().click();
    await page.keyboard.type("Really ", { delay: 5 });
    await page.getByRole("button", { name: "Show the comment on this passage" }).click();
    await page.waitForFunction(() => document.activeElement?.matches(".thread") ?? false);
    await page.getByText("All changes saved").waitFor();
    await expectNoAxeViolations(page);
    expect(applicant.errors).toEqual([]);
    expect(reviewer.errors).toEqual([]);
    await applicant.context.close();
  });
});
