import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectPageErrors, expectNoAxeViolations, launchBrowser, submitSignIn } from "../support/browser";
import { buildApplication, buildCast, buildPacket, rpc, type Cast } from "../support/factories";
import { buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 15 end to end in Chromium: the Board requests changes; the applicant reads the reasons, edits an answer
 * and resubmits; BDT sends it back; a Board member sees the answers side by side and the plan diff between the two
 * versions sent, with the revision cycle shown.
 */
let browser: Browser;
let cast: Cast;
let chair: TestUser;
let member: TestUser;
const pageErrors: string[] = [];
const suffix = Date.now().toString(36);
const reasons = `Name every partner and its commitment (${suffix}).`;
const newPartners = `The regulator commits two policy staff (${suffix}).`;
const newPlanText = `Answered, with 12 start-ups a cohort (${suffix}).`;

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
  [chair, member] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair Doreen"),
    buildUser(["board_member"], "Member Beatriz"),
  ]);
});
afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

async function signedInPage(user: TestUser): Promise<Page> {
  const context = await browser.newContext({ baseURL: stack().url, locale: "en-GB", timezoneId: "Africa/Nairobi" });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  pageErrors.push(...collectPageErrors(page));
  await submitSignIn(page, user.email, user.password);
  await page.waitForURL("**/home");
  return page;
}

describe("revise and resubmit", () => {
  it("changes requested → resubmission → the Board sees the answers side by side and the plan diff", async () => {
    const { application, plan } = await buildApplication(cast, "board_review");
    const first = await buildPacket(chair, application, 1);
    await rpc(member.client, "declare_conflict", { packet: first, has_conflict: false });
    await rpc(member.client, "cast_vote", { packet: first, choice: "request_changes", reason: "Partners unclear." });
    await rpc(chair.client, "record_decision", { packet: first, outcome: "request_changes", conditions: reasons });
    const review = await withDatabase(
      async (db) =>
        (await db.query<{ review_id: string }>("select review_id from public.board_packets where id = $1", [first]))
          .rows[0]!.review_id,
    );
    await rpc(chair.client, "close_board_review", { review });

    // The applicant reads the Board's reasons and the cycle, edits an answer and the plan, and resubmits.
    const applicantPage = await signedInPage(cast.applicant);
    await applicantPage.goto(`/applications/${application}`);
    const told = applicantPage.locator("section", {
      has: applicantPage.getByRole("heading", { name: "The Board's decision" }),
    });
    await told.getByRole("heading", { name: "The Board's reasons for the changes" }).waitFor();
    await told.getByText(reasons).waitFor();
    await applicantPage.getByText("Revision cycle 1 of 2").waitFor();
    await expectNoAxeViolations(applicantPage);
    await withDatabase((db) =>
      db.query(
        "update public.action_plans set content = replace(content::text, 'Answered.', $2)::jsonb where id = $1",
        [plan, newPlanText],
      ),
    );
    await applicantPage.getByLabel("Partners", { exact: true }).fill(newPartners);
    await applicantPage.getByRole("button", { name: "Submit the application again" }).click();
    await applicantPage.waitForURL("**?done=submitted");
    await applicantPage.getByText(newPartners).waitFor();
    await applicantPage.context().close();

    // BDT reviews it and sends it back; the chair puts it before the Board again.
    await rpc(cast.reviewer.client, "start_bdt_review", { application });
    await rpc(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "The partners are now named.",
      recommended_outcome: "approve",
    });
    const second = await buildPacket(chair, application, 1);

    const memberPage = await signedInPage(member);
    await memberPage.goto(`/board/packets/${second}`);
    await memberPage.getByLabel("I have no conflict of interest").check();
    await memberPage.getByRole("button", { name: "Record my declaration" }).click();
    await memberPage.waitForURL("**?done=declared");
    await memberPage.getByText("Revision cycle 1 of 2").first().waitFor();
    const changes = memberPage.locator("section", {
      has: memberPage.getByRole("heading", { name: "What changed since the Board last saw it" }),
    });
    await changes.getByText(reasons).waitFor();
    const partnersRow = changes.getByRole("row", { name: /Partners/ });
    await partnersRow.getByText("Changed").waitFor();
    await partnersRow
      .getByRole("cell", { name: "Three universities, the national regulator, two incubators." })
      .waitFor();
    await partnersRow.getByRole("cell", { name: newPartners }).waitFor();
    await changes
      .getByRole("row", { name: /Governance/ })
      .getByText("Unchanged")
      .waitFor();
    // The plan diff between the two versions sent: changed blocks with the new text inserted.
    expect(await changes.locator(".plan-diff ins", { hasText: "with 12 start-ups a cohort" }).count()).toBeGreaterThan(
      0,
    );
    expect(await changes.locator(".plan-diff__block--changed").count()).toBeGreaterThan(0);
    // The EoI behind the packet is there too, every answer.
    await memberPage.getByRole("heading", { name: "The Expression of Interest" }).waitFor();
    await expectNoAxeViolations(memberPage);
    await memberPage.context().close();
  });
});
