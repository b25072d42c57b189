import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { extractText, getDocumentProxy } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { accessTokenOf, appendParagraph, fillEmptyParagraphsOf, openPlanClient, waitFor } from "../support/collab";
import { buildApplication, buildCast, buildEoiInState, buildPacket, rpc, type Cast } from "../support/factories";
import { buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 5 end to end in Chromium: from a validated EoI to a designated centre in the public directory, with a
 * conflicted Board member kept out, quorum enforced by the database, and the approved plan frozen for everyone.
 */
let browser: Browser;
let cast: Cast;
let chair: TestUser;
let conflicted: TestUser;
let memberB: TestUser;
let memberC: TestUser;
let eoi = "";
let applicationId = "";
let planId = "";
let packetUrl = "";
let reviewUrl = "";
const pageErrors: string[] = [];
const suffix = Date.now().toString(36);
const centreName = `Lake Victoria Acceleration Centre ${suffix}`;
const planMarker = `Objective ${suffix}: 40 start-ups accelerated by 2028.`;
const commentText = `Are the KPIs for ${suffix} realistic?`;
const voteReasonB = `Sound plan, needs yearly reporting (${suffix}).`;
const conflictReason = "I sit on the host institution's advisory board.";
const conditions = "Report progress against the plan's KPIs to BDT every year.";
/** "Approve with conditions" records each condition on its own, with a due date (issue 15). */
const firstCondition = "Name the centre's manager before it opens.";

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
  [chair, conflicted, memberB, memberC] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair Doreen"),
    buildUser(["board_member"], "Conflicted Carlos"),
    buildUser(["board_member"], "Member Beatriz"),
    buildUser(["board_member"], "Member Chen"),
  ]);
  ({ eoi } = await buildEoiInState(cast, "validated"));
});
afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

/** A page signed in as `user` (a visitor's with null). Short per-action waits, so a failure names the step. */
const signedIn = async (user: TestUser | null): Promise<Page> =>
  (await signedInPage(browser, user, { timezoneId: "Africa/Nairobi", timeout: 10_000, errors: pageErrors })).page;

const utcInput = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(0, 16);

describe("the Board review pipeline in the browser", { timeout: 120_000 }, () => {
  it("BDT invites the full application from the validated EoI", async () => {
    const page = await signedIn(cast.reviewer);
    await page.goto(`/review/${eoi}`);
    await page.getByRole("button", { name: "Invite the full centre application" }).click();
    await page.waitForURL(/\/applications\/[0-9a-f-]{36}$/);
    applicationId = new URL(page.url()).pathname.split("/").pop()!;
    await expectNoAxeViolations(page);
    planId = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>("select id from public.action_plans where application_id = $1", [
            applicationId,
          ])
        ).rows[0]!.id as string,
    );
    // The EoI page now leads to it.
    await page.goto(`/review/${eoi}`);
    await page.getByRole("link", { name: "Open the centre application" }).waitFor();
    await page.context().close();
  });

  it("the applicant sees BDT's recommendation beside the proposal, is told what is missing, then submits", async () => {
    // The applicant writes into the co-edited plan (as the editor would), so the version sent carries it.
    const writer = openPlanClient({ baseUrl: stack().url, planId, token: await accessTokenOf(cast.applicant) });
    expect(await writer.access).toBe("edit");
    await writer.synced();
    appendParagraph(writer.doc, planMarker);
    // Submission needs every required section; the app writes the plan's JSON copy before submitting.
    fillEmptyParagraphsOf(writer.doc);
    await waitFor(() => writer.storedVectors.length > 0, 10_000, "the plan edit to be stored");
    writer.destroy();

    const page = await signedIn(cast.applicant);
    await page.goto("/applications");
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Nairobi Digital Innovation Acceleration Centre" }).first().waitFor();
    await page.goto(`/applications/${applicationId}`);
    await expectNoAxeViolations(page);
    const profile = page.locator("table", { hasText: "BDT recommends" });
    expect(await profile.locator("tr", { hasText: "Centre type" }).textContent()).toMatch(
      /Initiative Accelerator Centre.*Innovation and Digital Transformation Accelerator Centre/,
    );
    // Pre-filled from the EoI.
    expect(await page.getByLabel("Governance").inputValue()).toContain("steering committee");
    await page.getByLabel("Name of the centre").fill(centreName);
    await page
      .getByLabel("Partners", { exact: true })
      .fill("Maseno University, two incubators and the county government.");
    await page.getByRole("button", { name: "Submit the application" }).click();
    await page.getByRole("alert").getByText("the fields marked below are missing").waitFor();
    const hostError = page.locator("#field-host_details-error");
    expect(await hostError.textContent()).toBe("Needed before you can submit.");
    expect(await page.getByLabel("Host details").getAttribute("aria-invalid")).toBe("true");
    // What was typed is kept (and was saved before the refusal).
    expect(await page.getByLabel("Name of the centre").inputValue()).toBe(centreName);
    await page.getByRole("heading", { level: 1, name: centreName }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("Host details").fill("Hosted by the county innovation agency, Kisumu.");
    await page.getByRole("button", { name: "Submit the application" }).click();
    await page.waitForURL("**?done=submitted");
    await page.locator(".status", { hasText: "Submitted" }).first().waitFor();
    await page.getByRole("link", { name: "Open the action plan" }).waitFor();
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("BDT reviews the application and sends it to the Board, recording the exact plan version", async () => {
    const page = await signedIn(cast.reviewer);
    await page.goto("/applications?status=submitted");
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: centreName }).click();
    await page.waitForURL(`**/applications/${applicationId}`);
    await page.getByLabel("Complete", { exact: true }).check();
    await page.getByLabel("Partners confirmed").check();
    await page.getByLabel("Internal notes").fill("Host letter checked with the county.");
    await page.getByRole("button", { name: "Start the BDT review" }).click();
    await page.waitForURL("**?done=started");
    await expectNoAxeViolations(page);
    // The recommendation is required; the error keeps the chosen outcome.
    await page.getByLabel("Approve with conditions", { exact: true }).check();
    await page.getByRole("button", { name: "Send to the Board" }).click();
    await page.locator("#field-recommendation-error").waitFor();
    expect(await page.getByLabel("Approve with conditions", { exact: true }).isChecked()).toBe(true);
    await page.getByLabel("Recommendation to the Board").fill("BDT recommends approval, with yearly KPI reporting.");
    await page.getByRole("button", { name: "Send to the Board" }).click();
    await page.waitForURL("**?done=sent");
    const sent = await withDatabase(
      async (db) =>
        (
          await db.query<{ id: string; content: string; content_hash: string }>(
            `select v.id, v.content::text as content, v.content_hash from public.centre_applications a
         join public.plan_versions v on v.id = a.sent_plan_version_id where a.id = $1`,
            [applicationId],
          )
        ).rows[0]!,
    );
    // The live co-edited text was flushed before the snapshot.
    expect(sent.content).toContain(planMarker);
    await page.getByText(sent.content_hash).waitFor();
    expect(await page.getByRole("link", { name: "Sent to the Board" }).getAttribute("href")).toBe(
      `/plans/${planId}/versions/${sent.id}`,
    );
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("the chair follows the notification and opens a review with an explicit quorum", async () => {
    const page = await signedIn(chair);
    await page.goto("/notifications");
    await expectNoAxeViolations(page);
    await page
      .getByRole("link", { name: "A centre application was sent to the Digital Innovation Board" })
      .first()
      .click();
    // The chair cannot read the application before declaring: the link lands on the Board page, application ticked.
    await page.waitForURL(`**/board?application=${applicationId}`);
    expect(await page.getByLabel(centreName).isChecked()).toBe(true);
    await expectNoAxeViolations(page);
    await page.getByLabel("Title").fill(`Board review ${suffix}`);
    await page.getByLabel("Closes (UTC)").fill(utcInput(7 * 86_400_000));
    await page.getByLabel("Quorum (votes needed)").fill("2");
    await page.getByRole("button", { name: "Open the review" }).click();
    await page.waitForURL(/\/board\/reviews\/[0-9a-f-]{36}$/);
    await expectNoAxeViolations(page);
    reviewUrl = new URL(page.url()).pathname;
    packetUrl = (await page.getByRole("link", { name: centreName }).getAttribute("href"))!;
    expect(packetUrl).toMatch(/^\/board\/packets\/[0-9a-f-]{36}$/);
    await page.context().close();
  });

  it("a member who declares a conflict sees nothing of the packet", async () => {
    const page = await signedIn(conflicted);
    await page.goto("/board");
    await page.getByRole("link", { name: `Board review ${suffix}` }).click();
    await page.getByRole("link", { name: centreName }).click();
    await page.waitForURL(`**${packetUrl}`);
    // Before declaring: the heading (to judge a conflict), nothing of the content.
    await page.getByRole("heading", { name: "Declare any conflict of interest first" }).waitFor();
    expect(await page.getByRole("heading", { name: "The application" }).count()).toBe(0);
    await expectNoAxeViolations(page);
    await page.getByLabel("I have a conflict of interest", { exact: true }).check();
    await page.getByRole("button", { name: "Record my declaration" }).click();
    await page.getByText("Say what the conflict of interest is.").waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("Nature of the conflict").fill(conflictReason);
    await page.getByRole("button", { name: "Record my declaration" }).click();
    await page.waitForURL("**?done=declared");
    await page.getByRole("heading", { name: "You declared a conflict of interest" }).waitFor();
    expect(await page.getByRole("heading", { name: "Votes" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Discussion" }).count()).toBe(0);
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("a member without a conflict reads the packet beside the plan, discusses and votes", async () => {
    const page = await signedIn(memberB);
    await page.goto(packetUrl);
    await page.getByLabel("I have no conflict of interest").check();
    await page.getByRole("button", { name: "Record my declaration" }).click();
    await page.waitForURL("**?done=declared");
    await page.getByRole("heading", { name: "The application" }).waitFor();
    await page.locator(".plan-document", { hasText: planMarker }).waitFor();
    await page.getByText("BDT recommends approval, with yearly KPI reporting.").waitFor();
    await page.getByText("Other members' votes are hidden until you have voted.").waitFor();
    await page.getByText("0 of 2 votes needed for quorum").waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("Your comment").fill(commentText);
    await page.getByRole("button", { name: "Post the comment" }).click();
    await page.locator(".discussion", { hasText: commentText }).waitFor();
    await page.getByLabel("Approve with conditions", { exact: true }).check();
    await page.getByLabel("Reason for your vote").fill(voteReasonB);
    await page.getByRole("button", { name: "Cast my vote" }).click();
    await page.waitForURL("**?done=voted");
    await page.getByText("1 of 2 votes needed for quorum").waitFor();
    await page.getByText("No other member has voted yet.").waitFor();
    await page.getByRole("button", { name: "Change my vote" }).waitFor();
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("the chair sees who is conflicted and cannot record a decision before quorum", async () => {
    const page = await signedIn(chair);
    await page.goto(packetUrl);
    await page.locator(".declarations", { hasText: "Conflicted Carlos" }).getByText(conflictReason).waitFor();
    await page.getByLabel("I have no conflict of interest").check();
    await page.getByRole("button", { name: "Record my declaration" }).click();
    await page.waitForURL("**?done=declared");
    await page.getByLabel("Approve with conditions", { exact: true }).last().check();
    await page.getByLabel("Condition", { exact: true }).fill(firstCondition);
    await page.getByLabel("Due on").fill("2027-06-30");
    await page.getByLabel("Conditions", { exact: true }).fill(conditions);
    await page.getByRole("button", { name: "Record the decision" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Record the decision" }).click();
    await page.getByRole("alert").getByText("The decision cannot be recorded yet: the quorum is not met.").waitFor();
    expect(await page.getByLabel("Conditions", { exact: true }).inputValue()).toBe(conditions);
    expect(await page.getByLabel("Condition", { exact: true }).inputValue()).toBe(firstCondition);
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("another member sees the votes only once they have voted", async () => {
    const page = await signedIn(memberC);
    await page.goto(packetUrl);
    await page.getByLabel("I have no conflict of interest").check();
    await page.getByRole("button", { name: "Record my declaration" }).click();
    await page.waitForURL("**?done=declared");
    await page.getByText("Other members' votes are hidden until you have voted.").waitFor();
    expect(await page.getByText(voteReasonB).count()).toBe(0);
    await page.locator(".discussion", { hasText: commentText }).waitFor();
    // Issue 17: "@" offers the packet's readers (never the conflicted member), on a phone and by keyboard alone.
    await page.setViewportSize({ width: 390, height: 844 });
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    // The packet (application, EoI and plan side by side on a wide screen) is one column that fits the phone.
    expect(pageWidth).toBeLessThanOrEqual(390);
    const box = page.getByLabel("Your comment");
    const offered = page.getByRole("list", { name: "People you may mention" });
    await box.pressSequentially("@Con");
    await page.getByRole("status").getByText("People you may mention:").waitFor({ state: "detached" });
    expect(await offered.count()).toBe(0);
    await box.fill("");
    await box.pressSequentially(`${suffix}: agreed. @Mem`);
    await offered.getByRole("button", { name: "@Member Beatriz" }).waitFor();
    expect(await offered.getByRole("button").count()).toBe(1);
    await page.getByRole("status").getByText("People you may mention: 1.").waitFor({ state: "attached" });
    // On the phone the list wraps within the comment box's column and never widens the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(pageWidth);
    const [list, field] = await Promise.all([offered.boundingBox(), box.boundingBox()]);
    expect(list!.x + list!.width).toBeLessThanOrEqual(field!.x + field!.width + 1);
    await expectNoAxeViolations(page);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await offered.waitFor({ state: "detached" });
    expect(await box.inputValue()).toBe(`${suffix}: agreed. @Member Beatriz `);
    expect(await box.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.getByRole("button", { name: "Post the comment" }).click();
    await page.locator(".discussion", { hasText: `${suffix}: agreed. @Member Beatriz` }).waitFor();
    const mentioned = await withDatabase(
      async (db) =>
        (
          await db.query<{ recipient_id: string }>(
            "select recipient_id::text from public.notifications where kind = 'mention' and entity_id = $1",
            [packetUrl.split("/").pop()],
          )
        ).rows,
    );
    expect(mentioned.map((row) => row.recipient_id)).toEqual([memberB.id]);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByLabel("Approve", { exact: true }).check();
    await page.getByLabel("Reason for your vote").fill("Ready to join the network.");
    await page.getByRole("button", { name: "Cast my vote" }).click();
    await page.waitForURL("**?done=voted");
    await page.locator(".votes", { hasText: "Member Beatriz" }).getByText(voteReasonB).waitFor();
    await page.getByText("2 of 2 votes needed for quorum").waitFor();
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("a member downloads the review's Board book: progress shown while it builds, then a PDF naming the centre", async () => {
    const page = await signedIn(memberC);
    await page.goto(reviewUrl);
    const download = page.waitForEvent("download", { timeout: 60_000 });
    await page.getByRole("link", { name: "Download the Board book (PDF)" }).click();
    const saved = await download;
    const steps = page.getByRole("status").filter({ hasText: "Preparing the book" });
    await steps.getByText("Laid out packet 1 of 1").waitFor();
    await steps.getByText(/The book is ready/).waitFor();
    const bytes = new Uint8Array(await readFile(await saved.path()));
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const { text } = await extractText(await getDocumentProxy(bytes), { mergePages: true });
    expect(text).toContain(centreName);
    expect(text).toContain("Member Chen");
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("the conflicted member still sees neither votes nor discussion", async () => {
    const page = await signedIn(conflicted);
    await page.goto(packetUrl);
    await page.getByRole("heading", { name: "You declared a conflict of interest" }).waitFor();
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).not.toContain(commentText);
    expect(text).not.toContain(voteReasonB);
    expect(text).not.toContain(planMarker);
    expect(await page.getByRole("button", { name: "Cast my vote" }).count()).toBe(0);
    await page.context().close();
  });

  it("the chair records 'approve with conditions' once quorum is met; the applicant sees it", async () => {
    const page = await signedIn(chair);
    await page.goto(packetUrl);
    await page.getByLabel("Approve with conditions", { exact: true }).last().check();
    await page.getByLabel("Condition", { exact: true }).fill(firstCondition);
    await page.getByLabel("Due on").fill("2027-06-30");
    await page.getByLabel("Conditions", { exact: true }).fill(conditions);
    await page.getByRole("button", { name: "Record the decision" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Record the decision" }).click();
    await page.waitForURL("**?done=decided");
    const decision = page.locator("section", { has: page.getByRole("heading", { name: "The Board's decision" }) });
    await decision.getByText("Approved with conditions").waitFor();
    await decision.getByText(conditions).waitFor();
    await expectNoAxeViolations(page);
    // The chair closes the review; the decision stays.
    await page.getByRole("link", { name: `Back to Board review ${suffix}` }).click();
    await page.getByText("Close this review").click();
    await page.getByRole("button", { name: "Close the review" }).click();
    await page.locator(".status", { hasText: "Closed" }).first().waitFor();
    expect(await page.getByText("Close this review").count()).toBe(0);
    await expectNoAxeViolations(page);
    await page.goto("/board");
    await expectNoAxeViolations(page);
    await page.context().close();

    const applicantPage = await signedIn(cast.applicant);
    await applicantPage.goto(`/applications/${applicationId}`);
    const told = applicantPage.locator("section", {
      has: applicantPage.getByRole("heading", { name: "The Board's decision" }),
    });
    await told.getByText("Approved with conditions").waitFor();
    await told.getByText(conditions).waitFor();
    // The timeline records the decision, with its conditions, too.
    await applicantPage.locator(".timeline", { hasText: "Board decision recorded" }).getByText(conditions).waitFor();
    expect(await applicantPage.getByLabel("Name of the centre").count()).toBe(0);
    await expectNoAxeViolations(applicantPage);
    await applicantPage.context().close();
  });

  it("the centre appears in the public directory with its approved plan and hash", async () => {
    const page = await signedIn(null);
    await page.goto("/centres");
    await expectNoAxeViolations(page);
    await page.getByLabel("Region").selectOption("AFR");
    await page.getByLabel("Country").selectOption("KE");
    await page.getByLabel("Centre type").selectOption("initiative_accelerator");
    await page.getByLabel("Strategic capability").selectOption("entrepreneurship_sme_growth");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/region=AFR/);
    await page.getByRole("link", { name: centreName }).waitFor();
    await expectNoAxeViolations(page);
    // A filter that excludes it.
    await page.goto("/centres?region=EUR");
    expect(await page.getByRole("link", { name: centreName }).count()).toBe(0);
    await page.goto("/centres?region=AFR");
    await page.getByRole("link", { name: centreName }).click();
    const centre = await withDatabase(
      async (db) =>
        (
          await db.query<{ plan_hash: string; host: string }>(
            `select c.plan_hash, o.name as host from public.centres c join public.organisations o on o.id = c.organisation_id
         where c.application_id = $1`,
            [applicationId],
          )
        ).rows[0]!,
    );
    await page.getByRole("heading", { name: centreName, level: 1 }).waitFor();
    await page.getByText(centre.host).waitFor();
    await page.getByText(centre.plan_hash).waitFor();
    await page.locator(".plan-document", { hasText: planMarker }).waitFor();
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("the approved plan can no longer be edited: the socket grants only read and drops edits, the editor is read-only", async () => {
    const before = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select content::text as content from public.action_plans where id = $1",
            [planId],
          )
        ).rows[0]!.content as string,
    );
    const sneaky = `Edited after approval ${suffix}`;
    const writer = openPlanClient({ baseUrl: stack().url, planId, token: await accessTokenOf(cast.applicant) });
    expect(await writer.access).toBe("read");
    await writer.synced();
    appendParagraph(writer.doc, sneaky);
    // A fresh reader never receives the edit, and the stored plan does not change.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    writer.destroy();
    const reader = openPlanClient({ baseUrl: stack().url, planId, token: await accessTokenOf(cast.reviewer) });
    expect(await reader.access).toBe("read");
    await reader.synced();
    expect(reader.text()).toContain(planMarker);
    expect(reader.text()).not.toContain(sneaky);
    reader.destroy();
    const after = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select content::text as content from public.action_plans where id = $1",
            [planId],
          )
        ).rows[0]!.content as string,
    );
    expect(after).toBe(before);
    expect(
      await withDatabase(async (db) =>
        Number(
          (
            await db.query<Record<string, unknown>>(
              "select count(*) from private.plan_updates where plan_id = $1 and convert_from(\"update\", 'latin1') like $2",
              [planId, `%${sneaky}%`],
            )
          ).rows[0]!.count,
        ),
      ),
    ).toBe(0);

    const page = await signedIn(cast.applicant);
    await page.goto(`/plans/${planId}`);
    await page.locator('.plan-editor__surface[contenteditable="false"]').waitFor();
    await page.locator(".plan-editor__surface", { hasText: planMarker }).waitFor();
    expect(await page.locator('[contenteditable="true"]').count()).toBe(0);
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("an applicant answers 'changes requested' by editing and resubmitting", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const packet = await buildPacket(chair, application, 1);
    await rpc(memberB.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(memberB.client, "cast_vote", { packet, choice: "request_changes", reason: "The KPIs lack baselines." });
    await rpc(chair.client, "record_decision", {
      packet,
      outcome: "request_changes",
      conditions: "Add a baseline to every KPI.",
    });

    const page = await signedIn(cast.applicant);
    await page.goto(`/applications/${application}`);
    const told = page.locator("section", { has: page.getByRole("heading", { name: "The Board's decision" }) });
    await told.getByText("Changes requested").waitFor();
    await told.getByText("Add a baseline to every KPI.").waitFor();
    await expectNoAxeViolations(page);
    await page
      .getByLabel("Partners", { exact: true })
      .fill("Three universities, the regulator, and now two KPI data providers.");
    await page.getByRole("button", { name: "Submit the application again" }).click();
    await page.waitForURL("**?done=submitted");
    await page.locator(".status", { hasText: "Submitted" }).first().waitFor();
    await page.getByText("now two KPI data providers").waitFor();
    await expectNoAxeViolations(page);
    await page.context().close();
  });
});
