import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { accessTokenOf, appendParagraph, openPlanClient, waitFor } from "../support/collab";
import { buildApplication, buildCast, buildPacket, rpc, type Cast } from "../support/factories";
import { buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 15 end to end in Chromium: the Board requests changes; the applicant reads the reasons, edits an answer
 * and resubmits; BDT sends it back; a Board member sees the answers side by side and the plan diff between the two
 * versions sent, with the revision cycle shown. Then the Board approves with two conditions; the centre answers one
 * with a file and the other with an amendment; BDT marks both met and approves the amendment, which becomes the new
 * public baseline.
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
let application = "";
let second = "";

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

const signedIn = async (user: TestUser): Promise<Page> =>
  (await signedInPage(browser, user, { timezoneId: "Africa/Nairobi", errors: pageErrors })).page;

describe("revise and resubmit, then conditions and an amendment", { timeout: 180_000 }, () => {
  it("changes requested → resubmission → the Board sees the answers side by side and the plan diff", async () => {
    const built = await buildApplication(cast, "board_review");
    application = built.application;
    const plan = built.plan;
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
    const applicantPage = await signedIn(cast.applicant);
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
    second = await buildPacket(chair, application, 1);

    const memberPage = await signedIn(member);
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

  it("approve with two conditions → one answered with a file, one with an amendment → both met, amendment adopted", async () => {
    const conditionFile = `Staff letter (${suffix}).`;
    const amendmentText = `The fintech sandbox adds a data-protection track (${suffix}).`;
    await rpc(member.client, "cast_vote", { packet: second, choice: "approve_with_conditions", reason: "Good." });
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const centre = await rpc<string>(chair.client, "record_decision", {
      packet: second,
      outcome: "approve_with_conditions",
      condition_items: [
        { text: `Send the staff letter (${suffix}).`, due_on: inDays(60) },
        { text: `Add a data-protection track to the plan (${suffix}).`, due_on: inDays(90) },
      ],
    });
    const [byFile, byAmendment] = await withDatabase(async (db) =>
      (
        await db.query<{ id: string }>(
          "select c.id from public.decision_conditions c where c.centre_id = $1 order by c.position",
          [centre],
        )
      ).rows.map((row) => row.id),
    );

    // The centre proposes an amendment, writes it in the co-edited document and submits it.
    const applicantPage = await signedIn(cast.applicant);
    await applicantPage.goto(`/centres/${centre}`);
    await applicantPage.getByText("Designated, conditions open").waitFor();
    await applicantPage.getByLabel("Why should the plan change?").fill(`Condition 2 of the Board (${suffix}).`);
    await applicantPage.getByRole("button", { name: "Propose an amendment" }).click();
    await applicantPage.waitForURL(/\/amendments\/[0-9a-f-]{36}/);
    const amendment = new URL(applicantPage.url()).pathname.split("/").pop()!;
    const amendmentPlan = await withDatabase(
      async (db) =>
        (await db.query<{ plan_id: string }>("select plan_id from public.plan_amendments where id = $1", [amendment]))
          .rows[0]!.plan_id,
    );
    const writer = openPlanClient({
      baseUrl: stack().url,
      planId: amendmentPlan,
      token: await accessTokenOf(cast.applicant),
    });
    expect(await writer.access).toBe("edit");
    await writer.synced();
    appendParagraph(writer.doc, amendmentText);
    await waitFor(() => writer.storedVectors.length > 0, 10_000, "the amendment edit to be stored");
    writer.destroy();
    await applicantPage.reload();
    await applicantPage.locator(".plan-diff ins", { hasText: amendmentText }).first().waitFor();
    await expectNoAxeViolations(applicantPage);
    await applicantPage.getByRole("button", { name: "Submit the amendment" }).click();
    await applicantPage.waitForURL("**?done=submitted");

    // One condition is answered with a file, the other with the amendment; at 390 px the page never scrolls sideways.
    await applicantPage.setViewportSize({ width: 390, height: 844 });
    await applicantPage.goto(`/conditions/${byFile}`);
    await applicantPage.getByLabel("Your response").fill("The signed staff letter is attached.");
    await applicantPage.getByLabel("Files (optional)").setInputFiles({
      name: "staff-letter.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from(`%PDF-1.4\n% ${conditionFile}\n%%EOF\n`),
    });
    await applicantPage.getByRole("button", { name: "Send the response" }).click();
    await applicantPage.waitForURL("**?done=responded");
    await applicantPage.getByText("staff-letter.pdf").waitFor();
    await applicantPage.goto(`/conditions/${byAmendment}`);
    await applicantPage.getByLabel("Your response").fill("The amendment adds the track.");
    await applicantPage.getByLabel("Amendment that answers it (optional)").selectOption(amendment);
    await applicantPage.getByRole("button", { name: "Send the response" }).click();
    await applicantPage.waitForURL("**?done=responded");
    const linked = applicantPage.locator(".condition-amendment");
    await linked.getByRole("link", { name: /Condition 2 of the Board/ }).waitFor();
    await linked.getByText("Submitted").waitFor();
    expect(await applicantPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(applicantPage);
    await applicantPage.context().close();

    // BDT marks both met and approves the (minor) amendment, at 390 px too.
    const bdtPage = await signedIn(cast.reviewer);
    await bdtPage.setViewportSize({ width: 390, height: 844 });
    for (const condition of [byFile, byAmendment]) {
      await bdtPage.goto(`/conditions/${condition}`);
      await bdtPage.getByLabel("Met", { exact: true }).check();
      await bdtPage.getByLabel("Reasons").fill("Checked against the decision.");
      await bdtPage.getByRole("button", { name: "Record the assessment" }).click();
      await bdtPage.waitForURL("**?done=reviewed");
      await bdtPage.locator(".status", { hasText: "Met" }).first().waitFor();
    }
    expect(await bdtPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(bdtPage);
    await bdtPage.goto(`/amendments/${amendment}`);
    await bdtPage.getByLabel("Approve (minor amendment)").check();
    await bdtPage.getByLabel("Reasons").fill(`A minor change that answers condition 2 (${suffix}).`);
    await bdtPage.getByRole("button", { name: "Record the decision" }).click();
    await bdtPage.waitForURL("**?done=approve");
    expect(await bdtPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(bdtPage);
    await bdtPage.context().close();

    // The public reads the new baseline: the amended plan, its hash, and who approved it and why.
    const hash = await withDatabase(
      async (db) =>
        (await db.query<{ plan_hash: string }>("select plan_hash from public.centres where id = $1", [centre])).rows[0]!
          .plan_hash,
    );
    const { context, page: publicPage } = await signedInPage(browser, null, { timeout: 30_000, errors: pageErrors });
    await publicPage.goto(`/centres/${centre}`);
    await publicPage.getByText(hash).first().waitFor();
    await publicPage.getByText(`A minor change that answers condition 2 (${suffix}).`).waitFor();
    await publicPage.locator(".plan-document", { hasText: amendmentText }).waitFor();
    await expectNoAxeViolations(publicPage);
    await context.close();
  });
});
