import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { buildApplication, buildCast, buildPacket, rpc } from "../support/factories";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const signedIn = (user: TestUser) => signedInPage(browser, user);

const surface = (page: Page) => page.locator(".plan-editor__surface");

async function openPlan(page: Page, plan: string) {
  await page.goto(`/plans/${plan}`);
  await page.getByText("Connected").waitFor();
  await surface(page).getByText("Risks").first().waitFor();
}

/** Puts the caret at the end of the paragraph under the plan's "Risks" heading and types there. */
async function typeUnderRisks(page: Page, text: string) {
  const paragraph = surface(page).locator("h3:has-text('Risks') + p").first();
  await paragraph.click();
  await page.keyboard.press("End");
  await page.keyboard.type(text, { delay: 5 });
}

describe("co-editing an action plan", { timeout: 300_000 }, () => {
  it("two people edit together, comment, save, compare and restore versions; a Board member can only suggest", async () => {
    const cast = await buildCast();
    const { plan, application } = await buildApplication(cast, "draft");
    const applicant = await signedIn(cast.applicant);
    const reviewer = await signedIn(cast.reviewer);

    await openPlan(applicant.page, plan);
    await openPlan(reviewer.page, plan);
    await expectNoAxeViolations(applicant.page);
    await applicant.page.locator('.plan-editor__surface[contenteditable="true"]').waitFor();

    // Both type; each sees the other's text and caret with the other's name.
    await typeUnderRisks(applicant.page, "Currency risk mitigated by local suppliers.");
    await surface(reviewer.page).getByText("Currency risk mitigated by local suppliers.").waitFor();
    await reviewer.page.locator(".collaboration-carets__label", { hasText: "Applicant" }).waitFor();
    await typeUnderRisks(reviewer.page, " Reviewed by BDT.");
    await surface(applicant.page).getByText("Reviewed by BDT.", { exact: false }).waitFor();
    await applicant.page.locator(".collaboration-carets__label", { hasText: "Reviewer" }).waitFor();
    await applicant.page.locator(".presence__person", { hasText: "Reviewer" }).waitFor();
    await applicant.page.getByText("All changes saved").waitFor();

    // A comment thread on a selection, seen by the other person, replied to and resolved.
    await surface(applicant.page).getByText("Currency risk").first().dblclick();
    await applicant.page.getByRole("button", { name: "Comment on selection" }).click();
    await applicant.page.getByLabel("Comment", { exact: true }).fill("Which suppliers exactly?");
    await applicant.page.getByRole("button", { name: "Post comment" }).click();
    await reviewer.page.locator(".thread", { hasText: "Which suppliers exactly?" }).waitFor();
    await reviewer.page.locator(".comment-anchor").first().waitFor();
    await reviewer.page.getByLabel("Reply").fill("The three listed in annex B.");
    await reviewer.page.getByRole("button", { name: "Send reply" }).click();
    await applicant.page.locator(".thread", { hasText: "The three listed in annex B." }).waitFor();
    await applicant.page.getByRole("button", { name: "Resolve" }).click();
    await applicant.page.getByText("1 resolved thread").waitFor();
    await applicant.page.locator(".comment-anchor").first().waitFor({ state: "detached" });

    // Save a version, change the plan, compare, restore.
    await applicant.page.goto(`/plans/${plan}/versions`);
    await expectNoAxeViolations(applicant.page);
    await applicant.page.getByLabel("Name", { exact: true }).fill("First draft");
    await applicant.page.getByRole("button", { name: "Save version" }).click();
    await applicant.page.getByText("Version saved").waitFor();
    await openPlan(applicant.page, plan);
    await typeUnderRisks(applicant.page, " Added after the first draft.");
    await applicant.page.getByText("All changes saved").waitFor();
    await applicant.page.goto(`/plans/${plan}/versions`);
    await applicant.page.getByLabel("From").selectOption({ label: "First draft" });
    await applicant.page.getByLabel("To").selectOption("current");
    await applicant.page.getByRole("button", { name: "Compare" }).click();
    await applicant.page.locator("ins", { hasText: "Added after the first draft." }).waitFor();
    await expectNoAxeViolations(applicant.page);
    await applicant.page.goto(`/plans/${plan}/versions`);
    await applicant.page.getByRole("link", { name: "First draft" }).click();
    await applicant.page.getByText("Currency risk mitigated by local suppliers.").waitFor();
    await expectNoAxeViolations(applicant.page);
    await applicant.page.getByRole("button", { name: "Restore this version" }).click();
    await applicant.page
      .getByRole("alertdialog", { name: "Restore “First draft”?" })
      .getByRole("button", { name: "Restore" })
      .click();
    await applicant.page.getByText("Version restored").waitFor();
    // The restore is a new change that everyone editing receives.
    await openPlan(applicant.page, plan);
    await surface(reviewer.page)
      .getByText("Added after the first draft.", { exact: false })
      .waitFor({ state: "detached" });
    expect(await surface(applicant.page).getByText("Added after the first draft.", { exact: false }).count()).toBe(0);
    await surface(applicant.page).getByText("Reviewed by BDT.", { exact: false }).waitFor();

    await applicant.page.goto(`/plans/${plan}/export`);
    await applicant.page.getByText("Reviewed by BDT.", { exact: false }).waitFor();
    await expectNoAxeViolations(applicant.page);

    // The application moves on to the Board; a member who declared no conflict reads and comments, never types.
    await rpc(cast.applicant.client, "submit_application", { application });
    await rpc(cast.reviewer.client, "start_bdt_review", { application });
    await rpc(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "Approve.",
      recommended_outcome: "approve",
    });
    const chair = await buildUser(["board_chair"], "Chair");
    const packet = await buildPacket(chair, application);
    await rpc(cast.boardMember.client, "declare_conflict", { packet, has_conflict: false });
    const member = await signedIn(cast.boardMember);
    await openPlan(member.page, plan);
    await member.page.getByText("You can comment").waitFor();
    // Comment rights may only suggest (issue 18): what the member types is kept as their suggestion, never as text.
    await member.page.getByText("You may comment and suggest here, not edit").waitFor();
    await surface(member.page).getByText("Risks").first().click();
    await member.page.keyboard.type("board member typing");
    await surface(member.page).locator("ins.suggestion", { hasText: "board member typing" }).waitFor();
    await expectNoAxeViolations(member.page);
    // The sent version holds the co-edited text.
    const sent = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select content::text as content from public.plan_versions where plan_id = $1 and kind = 'sent_to_board'",
            [plan],
          )
        ).rows[0]!,
    );
    expect(sent.content).toContain("Reviewed by BDT.");

    for (const session of [applicant, reviewer, member]) {
      expect(session.errors).toEqual([]);
      await session.page.context().close();
    }
  });
});
