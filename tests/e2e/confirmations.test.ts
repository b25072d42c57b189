import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { buildApplication, buildCast, buildPacket, rpc, type Cast } from "../support/factories";
import { buildUser, stack, withDatabase, type TestUser } from "../support/supabase";
import { signInCookie } from "../support/http";

// Issue 11: deactivating a person, recording a Board decision and restoring a plan version each ask first, in an
// accessible dialog; cancelling changes nothing; a post without the confirmation is refused.
let browser: Browser;
let cast: Cast;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
});
afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

const signedIn = async (user: TestUser): Promise<Page> =>
  (await signedInPage(browser, user, { errors: pageErrors })).page;

/** The session cookie of a real sign-in, for posts made the way a browser without JavaScript makes them. */
const cookieOf = (user: TestUser) => signInCookie(user);

async function postForm(user: TestUser, path: string, fields: Record<string, string>) {
  const response = await fetch(`${stack().url}${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { cookie: await cookieOf(user), origin: stack().url },
    redirect: "manual",
  });
  return { status: response.status, html: await response.text() };
}

const activeFocus = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");

/**
 * Opens the dialog with the keyboard, checks its accessibility and that Escape cancels with focus back on the
 * button, then opens it again and cancels with the Cancel button. Returns the dialog, open once more.
 */
async function askTwiceAndCancel(page: Page, trigger: Locator, name: string): Promise<Locator> {
  const dialog = page.getByRole("alertdialog", { name });
  await trigger.focus();
  await page.keyboard.press("Enter");
  await dialog.waitFor();
  expect(await activeFocus(page)).toBe("Cancel");
  expect(await dialog.evaluate((element) => (element as HTMLDialogElement).open && element.matches(":modal"))).toBe(
    true,
  );
  await expectNoAxeViolations(page);
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  expect(await trigger.evaluate((element) => element === document.activeElement)).toBe(true);

  await trigger.click();
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
  expect(await trigger.evaluate((element) => element === document.activeElement)).toBe(true);

  await trigger.click();
  await dialog.waitFor();
  return dialog;
}

describe("consequential actions ask first", { timeout: 180_000 }, () => {
  it("deactivating a person", async () => {
    const person = await buildUser(["reviewer"], `Deactivation Target ${Date.now().toString(36)}`);
    const displayName = (
      await withDatabase((db) =>
        db.query<Record<string, unknown>>("select display_name from public.profiles where id = $1", [person.id]),
      )
    ).rows[0]!.display_name as string;
    const banned = async () =>
      (
        await withDatabase((db) =>
          db.query<Record<string, unknown>>("select banned_until from auth.users where id = $1", [person.id]),
        )
      ).rows[0]!.banned_until;

    // Without the confirmation field the server refuses and changes nothing.
    const refused = await postForm(cast.coordinator, "/people", { intent: "deactivate", person: person.id });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("Nothing was changed: this action must be confirmed first.");
    expect(await banned()).toBeNull();

    const page = await signedIn(cast.coordinator);
    await page.goto(`/people?q=${encodeURIComponent(displayName)}`);
    const trigger = page.getByRole("button", { name: `Deactivate the account of ${displayName}` });
    const dialog = await askTwiceAndCancel(page, trigger, `Deactivate ${displayName}?`);
    expect(await dialog.textContent()).toContain("signed out everywhere at once");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await banned()).toBeNull();

    await trigger.click();
    await dialog.getByRole("button", { name: "Deactivate" }).click();
    await page.getByRole("button", { name: `Reactivate the account of ${displayName}` }).waitFor();
    expect(await banned()).not.toBeNull();
    await page.context().close();
  });

  it("recording a Board decision", async () => {
    const chair = await buildUser(["board_chair", "board_member"], "Chair Confirm");
    const { application } = await buildApplication(cast, "board_review");
    const packet = await buildPacket(chair, application, 1);
    await rpc(chair.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(chair.client, "cast_vote", { packet, choice: "approve", reason: "A strong host." });
    const decided = async () =>
      (
        await withDatabase((db) =>
          db.query<Record<string, unknown>>("select outcome from public.board_decisions where packet_id = $1", [
            packet,
          ]),
        )
      ).rows[0]!;

    const refused = await postForm(chair, `/board/packets/${packet}`, { intent: "decide", outcome: "approve" });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("Nothing was changed: this action must be confirmed first.");
    expect(await decided()).toBeUndefined();

    const page = await signedIn(chair);
    await page.goto(`/board/packets/${packet}`);
    await page.getByLabel("Approve", { exact: true }).last().check();
    const trigger = page.getByRole("button", { name: "Record the decision" });
    const dialog = await askTwiceAndCancel(page, trigger, "Record the Board's decision?");
    // The dialog names the outcome chosen on the form.
    expect(await dialog.textContent()).toContain("Decision: Approve");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await decided()).toBeUndefined();

    await trigger.click();
    await dialog.getByRole("button", { name: "Record the decision" }).click();
    await page.waitForURL("**?done=decided");
    expect((await decided())?.outcome).toBe("approved");
    await page.context().close();
  });

  it("restoring a plan version, which keeps the current plan to undo it", async () => {
    const { plan } = await buildApplication(cast, "draft");
    const doc = (text: string) => ({
      type: "doc",
      content: [{ type: "paragraph", content: [{ type: "text", text }] }],
    });
    const setContent = (text: string) =>
      withDatabase((db) =>
        db.query<Record<string, unknown>>("update public.action_plans set content = $2 where id = $1", [
          plan,
          JSON.stringify(doc(text)),
        ]),
      );
    const content = async () =>
      JSON.stringify(
        (
          await withDatabase((db) =>
            db.query<Record<string, unknown>>("select content from public.action_plans where id = $1", [plan]),
          )
        ).rows[0]!.content,
      );
    // Alpha, then the reviewer's later work saved as Beta: the plan (no live document yet) starts from its JSON.
    await setContent("Alpha text");
    const alpha = await rpc<string>(cast.applicant.client, "save_plan_version", { plan, name: "Alpha" });
    await setContent("Beta text by the reviewer");
    await rpc(cast.reviewer.client, "save_plan_version", { plan, name: "Beta" });

    const refused = await postForm(cast.applicant, `/plans/${plan}/versions/${alpha}`, {});
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("Nothing was changed: this action must be confirmed first.");

    const page = await signedIn(cast.applicant);
    await page.goto(`/plans/${plan}/versions/${alpha}`);
    const trigger = page.getByRole("button", { name: "Restore this version" });
    const dialog = await askTwiceAndCancel(page, trigger, "Restore “Alpha”?");
    // It names what would be replaced and who changed it, and how to undo.
    const text = await dialog.textContent();
    expect(text).toContain("Beta · Reviewer");
    expect(text).toContain("People who changed the plan since: Reviewer.");
    expect(text).toContain("The current plan is saved first as the version Before restoring “Alpha”");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await content()).toContain("Beta text by the reviewer");
    expect(
      (
        await withDatabase((db) =>
          db.query<Record<string, unknown>>("select count(*)::int as n from public.plan_versions where plan_id = $1", [
            plan,
          ]),
        )
      ).rows[0]!.n,
    ).toBe(2);

    await trigger.click();
    await dialog.getByRole("button", { name: "Restore" }).click();
    await page.getByText("Version restored").waitFor();
    // The live document has it (durable in its updates); its JSON copy follows it.
    await expect.poll(content, { timeout: 20_000 }).toContain("Alpha text");
    expect(await content()).not.toContain("Beta text");

    // Undo: the automatic version holds the reviewer's work; restoring it brings that back.
    await page.getByRole("link", { name: "Undo: open the version saved just before, and restore it." }).click();
    await page.getByRole("heading", { level: 1, name: "Before restoring “Alpha”" }).waitFor();
    await page.getByText("Beta text by the reviewer").waitFor();
    await page.getByRole("button", { name: "Restore this version" }).click();
    await page
      .getByRole("alertdialog", { name: "Restore “Before restoring “Alpha””?" })
      .getByRole("button", { name: "Restore" })
      .click();
    await page.getByText("Version restored").waitFor();
    expect(await content()).toContain("Beta text by the reviewer");
    expect(await content()).not.toContain("Alpha text");

    await page.goto(`/plans/${plan}/versions`);
    await page.getByRole("link", { name: "Before restoring “Alpha”" }).first().waitFor();
    await expectNoAxeViolations(page);
    const audit = await withDatabase((db) =>
      db.query<{ details: { before_version_id?: string } }>(
        "select details from public.audit_log where entity_id = $1 and action = 'restore_version' order by id",
        [plan],
      ),
    );
    expect(audit.rows).toHaveLength(2);
    expect(audit.rows[0]!.details.before_version_id).toBeTruthy();
    await page.context().close();
  });
});
