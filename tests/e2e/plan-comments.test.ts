import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { buildApplication, buildCast } from "../support/factories";
import { buildUser, serviceClient, withDatabase, type TestUser } from "../support/supabase";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const signedIn = (user: TestUser) => signedInPage(browser, user);

async function openPlan(page: Page, plan: string) {
  await page.goto(`/plans/${plan}`);
  await page.getByText("Connected").waitFor();
  await page.locator(".plan-editor__surface").getByText("Risks").first().waitFor();
}

describe("a plan with hostile comments stored before anchors were checked", { timeout: 120_000 }, () => {
  it("still opens for everyone, takes new threads (naming a colleague picked after @), and BDT removes the bad one", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    // Written with the service role, as old rows are: add_plan_comment now refuses these anchors.
    const { error } = await serviceClient()
      .from("plan_comments")
      .insert([
        {
          plan_id: plan,
          author_id: cast.colleague.id,
          body: "Null anchor here.",
          anchor: { from: null, to: null },
          quote: "x",
        },
        {
          plan_id: plan,
          author_id: cast.colleague.id,
          body: "Empty positions here.",
          anchor: { from: {}, to: {} },
          quote: "z",
        },
      ]);
    expect(error).toBeNull();
    // 5,000 levels deep, built in SQL (JSON.stringify in the test would overflow its own stack first).
    await withDatabase((db) =>
      db.query(
        `insert into public.plan_comments (plan_id, author_id, body, anchor, quote)
       values ($1, $2, 'Deep anchor here.', (repeat('{"from": ', 5000) || '0' || repeat('}', 5000))::jsonb, 'y')`,
        [plan, cast.colleague.id],
      ),
    );

    const applicant = await signedIn(cast.applicant);
    const reviewer = await signedIn(cast.reviewer);
    for (const session of [applicant, reviewer]) {
      await openPlan(session.page, plan);
      for (const body of ["Null anchor here.", "Deep anchor here.", "Empty positions here."]) {
        await session.page.locator(".thread", { hasText: body }).waitFor();
      }
    }
    await applicant.page.locator('.plan-editor__surface[contenteditable="true"]').waitFor();

    // A good thread is still posted beside the bad ones.
    await applicant.page.locator(".plan-editor__surface").getByText("Objectives").first().dblclick();
    await applicant.page.getByRole("button", { name: "Comment on selection" }).click();
    // Issue 17: "@" offers the people who may read the thread; picking one writes their name and notifies them.
    const strangerName = `Zed${Math.random().toString(36).slice(2, 8)}`;
    await buildUser(["applicant"], strangerName);
    const box = applicant.page.getByLabel("Comment", { exact: true });
    await box.fill("Are these measurable? ");
    await box.pressSequentially("@Co");
    const offered = applicant.page.getByRole("list", { name: "People you may mention" });
    await offered.getByRole("button", { name: "@Colleague" }).waitFor();
    await expectNoAxeViolations(applicant.page);
    // Someone of another institution may not read this plan, so is never offered (a name nobody else has).
    for (const _ of "Co") await box.press("Backspace");
    await box.pressSequentially(strangerName);
    await offered.waitFor({ state: "detached" });
    for (const _ of strangerName) await box.press("Backspace");
    await box.pressSequentially("Col");
    await offered.getByRole("button", { name: "@Colleague" }).click();
    expect(await box.inputValue()).toBe("Are these measurable? @Colleague ");
    await applicant.page.getByRole("button", { name: "Post comment" }).click();
    await reviewer.page.locator(".thread", { hasText: "Are these measurable? @Colleague" }).waitFor();
    const mentions = (person: TestUser) =>
      withDatabase(
        async (db) =>
          (
            await db.query(
              "select 1 from public.notifications where recipient_id = $1 and kind = 'mention' and entity_id = $2",
              [person.id, plan],
            )
          ).rowCount,
      );
    expect(await mentions(cast.colleague), "the colleague's in-app notification").toBe(1);
    expect(await mentions(cast.outsider)).toBe(0);
    // The colleague never chose otherwise, so the mention is mailed at once.
    await expect
      .poll(
        () =>
          withDatabase(
            async (db) =>
              (
                await db.query("select 1 from embedded.mail_outbox where to_email = $1 and subject = $2", [
                  cast.colleague.email.toLowerCase(),
                  "You were mentioned in a comment",
                ])
              ).rowCount,
          ),
        { timeout: 60_000, interval: 500 },
      )
      .toBe(1);

    // The applicant may not remove a colleague's comment, so is offered no button; the reviewer may.
    const hostile = (page: Page) => page.locator(".thread", { hasText: "Null anchor here." });
    expect(await hostile(applicant.page).getByRole("button", { name: "Remove this thread" }).count()).toBe(0);
    await hostile(reviewer.page).getByRole("button", { name: "Remove this thread" }).click();
    await hostile(reviewer.page).getByText("Remove this thread and its replies for everyone?").waitFor();
    await expectNoAxeViolations(reviewer.page);
    await hostile(reviewer.page).getByRole("button", { name: "Yes, remove" }).click();
    await hostile(reviewer.page).waitFor({ state: "detached" });
    // Everyone with the plan open sees it go.
    await hostile(applicant.page).waitFor({ state: "detached" });

    // The applicant removes their own thread, after confirming.
    const own = applicant.page.locator(".thread", { hasText: "Are these measurable?" });
    await own.getByRole("button", { name: "Remove this thread" }).click();
    await own.getByRole("button", { name: "Keep it" }).click();
    await own.getByRole("button", { name: "Remove this thread" }).click();
    await own.getByRole("button", { name: "Yes, remove" }).click();
    await own.waitFor({ state: "detached" });
    await reviewer.page.locator(".thread", { hasText: "Are these measurable?" }).waitFor({ state: "detached" });

    for (const session of [applicant, reviewer]) {
      expect(session.errors).toEqual([]);
      await session.page.context().close();
    }
  });
});
