import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { buildCast, buildDesignatedCentre, type Cast } from "../support/factories";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 16 end to end in Chromium (one browser): a coordinator opens a reporting period; two people of a designated
 * centre write its report together (one the KPIs, the other a narrative; each sees the other's saved work) and submit
 * it; BDT asks for a change with reasons; the centre changes a value and submits again; BDT accepts; the Network's chart
 * and the centre's public page show the accepted report. The test database is shared: only this centre's rows are read.
 */
let browser: Browser;
let cast: Cast;
let member: TestUser;
let centre: string;
const pageErrors: string[] = [];
const suffix = Date.now().toString(36);
const periodName = `Year one ${suffix}`;
const narrative = `We trained forty founders (${suffix}).`;
const askFor = `Give this year's cohort count (${suffix}).`;

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
  let chair: TestUser;
  [chair, member] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair Doreen"),
    buildUser(["board_member"], "Member Beatriz"),
  ]);
  ({ centre } = await buildDesignatedCentre(cast, chair, member));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

/** A page signed in as `user`, or a visitor's with null. */
const signedIn = async (user: TestUser | null): Promise<Page> =>
  (await signedInPage(browser, user, { timezoneId: "Africa/Nairobi", timeout: 20_000, errors: pageErrors })).page;

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const done = (page: Page, notice: string) => page.waitForURL((url) => url.searchParams.get("done") === notice);

describe("progress reports (issue 16)", () => {
  it("period → written together → changes asked → resubmitted → accepted → the Network chart and the public page", async () => {
    // The coordinator opens the period for every designated centre.
    const coordinator = await signedIn(cast.coordinator);
    await coordinator.goto("/reports");
    await coordinator.getByLabel("Name").fill(periodName);
    await coordinator.getByLabel("Period covered: from").fill(day(-365));
    await coordinator.getByLabel("Period covered: to").fill(day(-1));
    await coordinator.getByLabel("Due date").fill(day(30));
    await coordinator.getByRole("button", { name: "Open the period" }).click();
    await coordinator.waitForURL((url) => url.searchParams.has("opened"));
    await coordinator.getByRole("heading", { name: periodName }).waitFor();
    await expectNoAxeViolations(coordinator);
    await coordinator.context().close();
    const { report, kpis } = await withDatabase(async (db) => {
      const id = (
        await db.query<{ id: string }>(
          `select r.id from public.progress_reports r join public.reporting_periods p on p.id = r.period_id
           where p.name = $1 and r.centre_id = $2`,
          [periodName, centre],
        )
      ).rows[0]!.id;
      const count = (
        await db.query<{ n: number }>(
          "select count(*)::int as n from public.progress_report_kpis where report_id = $1",
          [id],
        )
      ).rows[0]!.n;
      return { report: id, kpis: count };
    });
    expect(kpis).toBeGreaterThan(0);

    // Two people of the centre open the same draft: one writes the KPIs, the other a narrative. The second save was
    // made from a page that had not seen the first: both land, and each sees the other's work.
    const [applicant, colleague] = await Promise.all([signedIn(cast.applicant), signedIn(cast.colleague)]);
    await Promise.all([applicant.goto(`/reports/${report}`), colleague.goto(`/reports/${report}`)]);
    const actuals = applicant.locator('input[name^="actual:"]');
    expect(await actuals.count()).toBe(kpis);
    await actuals.first().fill("12");
    for (const select of await applicant.locator('select[name^="status:"]').all())
      await select.selectOption("on_track");
    await colleague.locator('textarea[name^="narrative:"]').first().fill(narrative);
    await applicant.getByRole("button", { name: "Save" }).click();
    await done(applicant, "saved");
    await colleague.getByRole("button", { name: "Save" }).click();
    await done(colleague, "saved");
    // The page renders the reloaded report just after the address changes: wait for it.
    await expect.poll(() => colleague.locator('input[name^="actual:"]').first().inputValue()).toBe("12");
    await applicant.reload();
    expect(await applicant.locator('textarea[name^="narrative:"]').first().inputValue()).toBe(narrative);
    await expectNoAxeViolations(colleague);
    // A 390 px phone does not scroll the report page sideways (the KPI table scrolls in its own region).
    await colleague.setViewportSize({ width: 390, height: 844 });
    expect(await colleague.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
    await colleague.getByRole("button", { name: "Submit to BDT" }).click();
    await done(colleague, "submitted");
    await colleague.context().close();

    // BDT asks for a change, with reasons.
    const reviewer = await signedIn(cast.reviewer);
    await reviewer.goto(`/reports/${report}`);
    await reviewer.getByRole("button", { name: "Ask for changes" }).click();
    await reviewer.getByText("This field is required.").first().waitFor();
    await reviewer.getByLabel("Changes to ask for").fill(askFor);
    await reviewer.getByRole("button", { name: "Ask for changes" }).click();
    await done(reviewer, "changesRequested");
    await expectNoAxeViolations(reviewer);

    // The centre reads what BDT asked, changes a value and submits again (the change is saved with the submission).
    await applicant.goto(`/reports/${report}`);
    await applicant.getByText(askFor).waitFor();
    await applicant.locator('input[name^="actual:"]').first().fill("14");
    await applicant.getByRole("button", { name: "Submit to BDT" }).click();
    await done(applicant, "submitted");
    // The address changes just before the submitted report renders (read-only): wait for it.
    await expect.poll(() => applicant.locator('input[name^="actual:"]').count()).toBe(0);
    await applicant.context().close();

    // BDT accepts.
    await reviewer.goto(`/reports/${report}`);
    await reviewer.getByRole("button", { name: "Accept the report" }).click();
    await done(reviewer, "accepted");
    await reviewer.getByText("Accepted", { exact: true }).first().waitFor();
    await reviewer.context().close();

    // The Board sees the Network's progress, with the period in the chart's table.
    const board = await signedIn(member);
    await board.goto("/progress");
    const overTime = board.getByRole("figure", { name: "Share of KPIs on track or achieved, per period" });
    await overTime.getByRole("row", { name: new RegExp(periodName) }).waitFor();
    await expectNoAxeViolations(board);
    await board.context().close();

    // The public page of the centre shows the accepted report's KPI summary, with the value changed on resubmission.
    const visitor = await signedIn(null);
    await visitor.goto(`/centres/${centre}`);
    const summary = visitor.locator("section", {
      has: visitor.getByRole("heading", { name: "Latest progress against the KPIs" }),
    });
    await summary.getByText(periodName).waitFor();
    await summary.getByRole("cell", { name: "14", exact: true }).first().waitFor();
    await expectNoAxeViolations(visitor);
    await visitor.context().close();
  }, 240_000);
});
