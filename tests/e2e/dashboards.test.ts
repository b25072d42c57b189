import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { buildApplication, buildCall, buildCast, buildEoiInState, rpc, type Cast } from "../support/factories";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 17 in the browser: a coordinator filters the dashboards and reads charts with their tables (axe clean, and a
 * 390 px phone never scrolls the page sideways); previews then applies an automatic assignment; a Board member's
 * review adds its packets to the portfolio balance.
 */
let browser: Browser;
let cast: Cast;
let call: string;
let eois: string[];
let review: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
  call = await buildCall(cast.coordinator);
  const first = await buildEoiInState(cast, "submitted", { organisation: await newOrganisation(), call });
  const second = await buildEoiInState(cast, "submitted", { organisation: await newOrganisation(), call });
  eois = [first.eoi, second.eoi];
  const chair = await buildUser(["board_chair"], "Dashboard Chair");
  const { application } = await buildApplication(cast, "board_review");
  review = await rpc<string>(chair.client, "open_board_review", {
    title: "Balance review",
    closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    applications: [application],
    quorum: 1,
  });
  const packet = await withDatabase(
    async (db) =>
      (await db.query<{ id: string }>("select id from public.board_packets where review_id = $1", [review])).rows[0]!
        .id,
  );
  await rpc(cast.boardMember.client, "declare_conflict", { packet, has_conflict: false });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

async function newOrganisation() {
  return rpc<string>(cast.applicant.client, "create_organisation", {
    name: `Dashboard institution ${Math.random().toString(36).slice(2, 8)}`,
    kind: "university",
    country_code: "KE",
  });
}

async function signedIn(user: TestUser, width = 1280): Promise<{ page: Page; context: BrowserContext }> {
  return signedInPage(browser, user, { viewport: { width, height: 844 }, errors: pageErrors });
}

describe("dashboards and automatic assignment (issue 17)", { timeout: 180_000 }, () => {
  it("a coordinator filters the dashboards by call, region and centre type and reads charts with their tables", async () => {
    const { page, context } = await signedIn(cast.coordinator);
    // Straight to the page (the home page's dashboards are not what this test reads); the menu offers it.
    await page.goto("/dashboards");
    expect(await page.getByRole("link", { name: "Dashboards" }).first().getAttribute("href")).toBe("/dashboards");
    await page.getByLabel("Call", { exact: true }).selectOption(call);
    await page.getByLabel("ITU region", { exact: true }).selectOption("AFR");
    await page.getByLabel("Centre type", { exact: true }).selectOption("innovation_digital_transformation");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL((url) => url.searchParams.get("call") === call && url.searchParams.get("region") === "AFR");
    const eoisFigure = page.getByRole("figure", { name: "Expressions of Interest by state" });
    await eoisFigure.waitFor();
    expect(await eoisFigure.locator("svg[role=img]").count()).toBe(1);
    const submittedRow = eoisFigure.getByRole("row", { name: /^Submitted/ });
    // The URL changes before React has drawn the filtered figures (a transition): wait for them.
    await submittedRow.getByRole("cell").first().filter({ hasText: /^2$/ }).waitFor({ timeout: 30_000 });
    expect(await page.locator("figure.chart table").count()).toBe(await page.locator("figure.chart").count());
    expect(await page.locator("figure.chart svg").count()).toBeGreaterThanOrEqual(9);
    await expectNoAxeViolations(page);
    await context.close();

    const phone = await signedIn(cast.coordinator, 390);
    await phone.page.goto(`/dashboards?call=${call}`);
    await phone.page.getByRole("figure", { name: "Centres by ITU region" }).waitFor();
    expect(await phone.page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(phone.page);
    await phone.context.close();
  });

  // Quarantined on 2026-12-02 (in full runs the first load previewed every call's thousands of unassigned EoIs past
  // the 8 s statement timeout); back since the plan is computed in SQL fast and the page shows one page of it.
  it("a coordinator previews an automatic assignment, then applies it", async () => {
    const { page, context } = await signedIn(cast.coordinator);
    // Straight to the page: the queue's own load is not what this test measures.
    await page.goto("/review/auto-assign");
    await page.getByLabel("Call", { exact: true }).selectOption(call);
    await page.getByLabel("Cap per reviewer").fill("50");
    await page.getByRole("button", { name: "Preview" }).click();
    // Only this call's EoIs count: the shared database holds many others.
    await page.getByRole("heading", { name: "Proposed assignments: 2" }).waitFor({ timeout: 30_000 });
    await page.getByRole("navigation", { name: "Pages of proposed assignments" }).getByText("Page 1 of 1").waitFor();
    await expectNoAxeViolations(page);
    expect(await withDatabase(async (db) => assigned(db)), "nothing changes before applying").toEqual([]);
    // Other tests move reviewers' loads meanwhile: the database then refuses (409) and the page draws the new preview.
    for (let attempt = 0; attempt < 5; attempt++) {
      const isData = (method: string) => (response: import("playwright-core").Response) =>
        response.request().method() === method && response.url().includes("/review/auto-assign");
      const posted = page.waitForResponse(isData("POST"));
      const redrawn = page.waitForResponse(isData("GET")).catch(() => undefined);
      await page.getByRole("button", { name: "Apply these assignments (2)" }).click();
      const status = (await posted).status();
      if (status !== 409) {
        expect(status).toBe(200);
        break;
      }
      await redrawn;
      await page.getByText("changed since this preview").waitFor();
    }
    await page.getByText("EoIs assigned: 2").waitFor();
    await page.getByText("Each reviewer has been notified.").waitFor();
    const reviewers = await withDatabase(async (db) => assigned(db));
    expect(reviewers).toHaveLength(2);
    await page.getByRole("heading", { name: "Proposed assignments: 0" }).waitFor();
    await context.close();
  });

  it("a Board member's review adds its packets to the portfolio balance", async () => {
    const { page, context } = await signedIn(cast.boardMember);
    await page.goto(`/board/reviews/${review}`);
    await page.getByRole("link", { name: "How this review changes the portfolio balance" }).click();
    const figure = page.getByRole("figure", { name: "Centres by ITU region" });
    await figure.waitFor();
    await figure.getByRole("columnheader", { name: "In this review" }).waitFor();
    expect(await page.getByRole("figure", { name: "Expressions of Interest by state" }).count()).toBe(0);
    const africa = figure.getByRole("row", { name: /^Africa/ });
    const cells = await africa.getByRole("cell").allTextContents();
    expect(cells[1], "the review's packet from Kenya").toBe("1");
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Designated centres only" }).click();
    await figure.getByRole("columnheader", { name: "Designated" }).waitFor();
    await page.waitForFunction(() => !document.body.textContent?.includes("In this review"));
    await context.close();
  });
});

async function assigned(db: import("pg").Client) {
  const result = await db.query<{ assigned_reviewer_id: string }>(
    "select assigned_reviewer_id from public.eois where id = any($1) and assigned_reviewer_id is not null",
    [eois],
  );
  return result.rows.map((row) => row.assigned_reviewer_id);
}
