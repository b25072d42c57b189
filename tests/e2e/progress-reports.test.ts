import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectPageErrors, expectNoAxeViolations, launchBrowser, submitSignIn } from "../support/browser";
import { buildCast, buildDesignatedCentre, type Cast } from "../support/factories";
import { buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 16 end to end in Chromium: a coordinator opens a reporting period; two people of the centre write the report
 * together (two browsers) and submit it; BDT asks for a change, then accepts; the Network's chart and the centre's
 * public page show it.
 */
let browser: Browser;
let cast: Cast;
let chair: TestUser;
let member: TestUser;
const pageErrors: string[] = [];
const suffix = Date.now().toString(36);
const periodName = `Year one ${suffix}`;
const narrative = `We trained forty founders (${suffix}).`;
const askFor = `Attach the cohort list (${suffix}).`;

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
  [chair, member] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair Doreen"),
    buildUser(["board_member"], "Member Beatriz"),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

async function signedInPage(user: TestUser | null): Promise<Page> {
  const context = await browser.newContext({ baseURL: stack().url, locale: "en-GB", timezoneId: "Africa/Nairobi" });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  pageErrors.push(...collectPageErrors(page));
  if (user) {
    await submitSignIn(page, user.email, user.password);
    await page.waitForURL("**/home");
  }
  return page;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe("progress reports", () => {
  it("period → written together → changes asked → accepted → the Network chart and the public page", async () => {
    const { centre } = await buildDesignatedCentre(cast, chair, member);

    // The coordinator opens the period for every designated centre.
    const coordinator = await signedInPage(cast.coordinator);
    await coordinator.goto("/reports");
    await coordinator.getByLabel("Name").fill(periodName);
    await coordinator.getByLabel("Period covered: from").fill(day(-365));
    await coordinator.getByLabel("Period covered: to").fill(day(-1));
    await coordinator.getByLabel("Due date").fill(day(30));
    await coordinator.getByRole("button", { name: "Open the period" }).click();
    await coordinator.waitForURL("**/reports?opened=*");
    await coordinator.getByRole("heading", { name: periodName }).waitFor();
    await expectNoAxeViolations(coordinator);
    await coordinator.context().close();
    const report = await withDatabase(
      async (db) =>
        (
          await db.query<{ id: string }>(
            `select r.id from public.progress_reports r join public.reporting_periods p on p.id = r.period_id
             where p.name = $1 and r.centre_id = $2`,
            [periodName, centre],
          )
        ).rows[0]!.id,
    );

    // Two people of the centre open the same draft; one writes the KPIs, the other the narrative; both saves land.
    const [applicant, colleague] = await Promise.all([signedInPage(cast.applicant), signedInPage(cast.colleague)]);
    await Promise.all([applicant.goto(`/reports/${report}`), colleague.goto(`/reports/${report}`)]);
    await applicant.locator('input[name^="actual:"]').first().fill("12");
    for (const select of await applicant.locator('select[name^="status:"]').all())
      await select.selectOption("on_track");
    await colleague.locator('textarea[name^="narrative:"]').first().fill(narrative);
    await applicant.getByRole("button", { name: "Save" }).click();
    await applicant.waitForURL("**?done=saved");
    await colleague.getByRole("button", { name: "Save" }).click();
    await colleague.waitForURL("**?done=saved");
    expect(await colleague.locator('input[name^="actual:"]').first().inputValue()).toBe("12");
    expect(await colleague.locator('textarea[name^="narrative:"]').first().inputValue()).toBe(narrative);
    await expectNoAxeViolations(colleague);
    await colleague.getByRole("button", { name: "Submit to BDT" }).click();
    await colleague.waitForURL("**?done=submitted");

    // BDT asks for a change; the centre submits again; BDT accepts.
    const reviewer = await signedInPage(cast.reviewer);
    await reviewer.goto(`/reports/${report}`);
    await reviewer.getByLabel("Changes to ask for").fill(askFor);
    await reviewer.getByRole("button", { name: "Ask for changes" }).click();
    await reviewer.waitForURL("**?done=changesRequested");
    await applicant.goto(`/reports/${report}`);
    await applicant.getByText(askFor).waitFor();
    await applicant.getByRole("button", { name: "Submit to BDT" }).click();
    await applicant.waitForURL("**?done=submitted");
    await reviewer.goto(`/reports/${report}`);
    await reviewer.getByRole("button", { name: "Accept the report" }).click();
    await reviewer.waitForURL("**?done=accepted");
    await reviewer.getByText("Accepted", { exact: true }).first().waitFor();
    await Promise.all([applicant.context().close(), colleague.context().close(), reviewer.context().close()]);

    // The Board sees the Network's progress, with the period in the chart's table.
    const board = await signedInPage(member);
    await board.goto("/progress");
    const overTime = board.getByRole("figure", { name: "Share of KPIs on track or achieved, per period" });
    await overTime.getByRole("row", { name: new RegExp(periodName) }).waitFor();
    await expectNoAxeViolations(board);
    await board.context().close();

    // The public page of the centre shows the accepted report's KPI summary.
    const visitor = await signedInPage(null);
    await visitor.goto(`/centres/${centre}`);
    const summary = visitor.locator("section", {
      has: visitor.getByRole("heading", { name: "Latest progress against the KPIs" }),
    });
    await summary.getByText(periodName).waitFor();
    await summary.getByRole("cell", { name: "12", exact: true }).waitFor();
    await expectNoAxeViolations(visitor);
    await visitor.context().close();
  }, 240_000);
});
